"""The rules the engine itself reports (CONTRACT.md): parse errors and suppressions."""
from walint.model.rule import Rule, severity


def _none(graph):
    return ()


PARSE_ERROR = Rule(
    id="WAL-PARSE-001", name="parse-error", title="File could not be read as CloudFormation or Terraform",
    pillar="operational-excellence", category="parse-error", best_practice=("OPS05-BP01",),
    severity=severity("error"), check=_none, engine=True,
    doc="The file looks like a CloudFormation template or is Terraform, but walint could not "
        "read it: invalid YAML, JSON or HCL, duplicate keys, binary content or an encoding "
        "other than UTF-8.\n\nNothing in the file was checked, so a broken file never passes "
        "silently. Fix the syntax error at the line given.")

INCOMPLETE_EVALUATION = Rule(
    id="WAL-PARSE-002", name="incomplete-evaluation", title="File could not be fully evaluated",
    pillar="operational-excellence", category="parse-error", best_practice=("OPS05-BP01",),
    severity=severity("error"), check=_none, engine=True,
    doc="walint stopped reading or evaluating part of a file: a budget ran out (resource "
        "instances, string bytes, decoded values, format width, time or memory; see "
        "docs/security.md) or the unit could not be finished.\n\nWhat was not evaluated "
        "was not checked, so it never passes silently. Simplify the construct at the line "
        "given, or raise the budget named in the message with `--budget NAME=VALUE` when "
        "the input is trusted.")

SUPPRESSION_WITHOUT_REASON = Rule(
    id="WAL-SUP-001", name="suppression-without-reason", title="Suppression without a reason",
    pillar="operational-excellence", category="suppression", best_practice=("OPS11-BP01",),
    severity=severity("warning"), check=_none, engine=True,
    doc="An inline suppression names no reason, so it does not suppress anything.\n\n"
        "A reviewer must be able to see why a finding is accepted. Add the reason after the "
        "rule id (`# walint:ignore WAL-SG-002 public API behind WAF`).")

SUPPRESSION_EXPIRED = Rule(
    id="WAL-SUP-002", name="suppression-expired", title="Suppression has expired",
    pillar="operational-excellence", category="suppression", best_practice=("OPS11-BP01",),
    severity=severity("note"), check=_none, engine=True,
    doc="An inline suppression's `until=` date has passed, so the finding it held back is "
        "reported again beside this note.\n\nRenew the date with a reason or fix the finding.")

SUPPRESSION_UNUSED = Rule(
    id="WAL-SUP-003", name="suppression-unused", title="Suppression matches no finding",
    pillar="operational-excellence", category="suppression", best_practice=("OPS11-BP01",),
    severity=severity("note"), check=_none, engine=True,
    doc="An inline suppression matches no finding (reported only when asked).\n\nRemove it "
        "so it cannot hide a future finding.")

ENGINE_RULES = (PARSE_ERROR, INCOMPLETE_EVALUATION, SUPPRESSION_WITHOUT_REASON, SUPPRESSION_EXPIRED, SUPPRESSION_UNUSED)
