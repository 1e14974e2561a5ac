"""`python -m walint`: the same as the `walint` command.

`python -m` puts the current directory first on sys.path. walint is often run inside an
untrusted repository, so that entry is removed before anything else is imported: code
or package metadata in the scanned tree (a `walint_rules/` folder, a fake `.dist-info`
declaring a rule pack) must never load.
"""
import os
import sys

if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from walint.cli.main import main  # noqa: E402

main()
