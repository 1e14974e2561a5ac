"""walint's built-in rule pack.

It is loaded through the `walint.rules` entry point like any third-party pack and
imports only `walint.api`. One module per area of RULES.md.
"""
from walint_rules import maz, enc

RULES = [r for module in (maz, enc) for r in module.RULES]
