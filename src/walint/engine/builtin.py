"""The rules the engine itself reports (CONTRACT.md): parse errors, incomplete evaluation and
suppressions."""
from walint.model.rule import Rule, severity


def _none(graph):
    return ()


PARSE_ERROR = Rule(
    id="WAL-PARSE-001", name="parse-error", title="File could not be read as CloudFormation or Terraform",
    pillar="operational-excellence", category="parse-error", best_practice=("OPS05-BP01",),
    severity=severity("error"), check=_none, engine=True, precision="very-high",
    doc="The file looks like a CloudFormation template or is Terraform, but walint could not "
        "read it: invalid YAML, JSON or HCL, duplicate keys, binary content or an encoding "
        "other than UTF-8.\n\nNothing in the file was checked, so a broken file never passes "
        "silently. Fix the syntax error at the line given.")

INCOMPLETE = Rule(
    id="WAL-PARSE-002", name="incomplete-evaluation",
    title="File or resource could not be fully evaluated",
    pillar="operational-excellence", category="parse-error", best_practice=("OPS05-BP01",),
    severity=severity("error"), check=_none, engine=True, precision="very-high",
    doc="walint read the file but stopped before it had evaluated everything in it: a unit "
        "took longer than its time limit, a budget (instances, string bytes, decoded nodes) "
        "was used up, a resource, module or nested stack nested too deeply or is beyond a "
        "limit, or walint met an internal error on it (a rule that failed is named).\n\n"
        "What was not evaluated was not checked, so the scan fails rather than pass it "
        "silently: this finding is an error in every profile. The message says what was "
        "stopped and why; the resources evaluated before it are still reported.\n\n"
        "## Fix\n\nSimplify what the message names (fewer instances, shorter strings, less "
        "nesting), or raise the budget named in the message with `--budget NAME=VALUE` when the input is trusted (docs/security.md lists the budgets). An "
        "internal error is a walint bug: please report it with the message. To accept it "
        "for a while, a baseline (`--create-baseline`) records it like any other finding.")

SUPPRESSION_WITHOUT_REASON = Rule(
    id="WAL-SUP-001", name="suppression-without-reason", title="Suppression without a reason",
    pillar="operational-excellence", category="suppression", best_practice=("OPS11-BP01",),
    severity=severity("warning"), check=_none, engine=True, precision="very-high",
    doc="An inline suppression names no reason, so it does not suppress anything.\n\n"
        "A reviewer must be able to see why a finding is accepted. Add the reason after the "
        "rule id (`# walint:ignore WAL-SG-002 public API behind WAF`).")

SUPPRESSION_EXPIRED = Rule(
    id="WAL-SUP-002", name="suppression-expired", title="Suppression has expired",
    pillar="operational-excellence", category="suppression", best_practice=("OPS11-BP01",),
    severity=severity("note"), check=_none, engine=True, precision="very-high",
    doc="An inline suppression's `until=` date has passed, so the finding it held back is "
        "reported again beside this note.\n\nRenew the date with a reason or fix the finding.")

SUPPRESSION_UNUSED = Rule(
    id="WAL-SUP-003", name="suppression-unused", title="Suppression matches no finding",
    pillar="operational-excellence", category="suppression", best_practice=("OPS11-BP01",),
    severity=severity("note"), check=_none, engine=True, precision="very-high",
    doc="An inline suppression matches no finding (reported only when asked).\n\nRemove it "
        "so it cannot hide a future finding.")

ENGINE_RULES = (PARSE_ERROR, INCOMPLETE, SUPPRESSION_WITHOUT_REASON, SUPPRESSION_EXPIRED, SUPPRESSION_UNUSED)
