"""The CloudFormation reader: template files -> `Resource`s and `Diagnostic`s.

Entry points: `looks_like_template(path, head)` (CONTRACT.md's text test) and
`parse_templates(paths, params=..., parameter_files=...)`.

How values are represented (RULES.md §0.3, §3.1, §3.5):

* `attrs` is the resource's `Properties` with property names as written and every
  intrinsic function evaluated for the one scenario the parameters give.
* `Ref` to a resource is `Ref(address, "id")`; `Fn::GetAtt` is `Ref(address, attr)`
  with the attribute as written ("Arn", "Endpoint.Address"). Inside a nested stack the
  address carries the parent's prefix (`Network.SubnetA`); a value a parent passes in
  (for instance `!Ref ParentVpc`) keeps the parent's address.
* A parameter takes its value from `--param`, else the parameter files (later files win),
  else `Default`, else a single `AllowedValues` entry, else it is `Unknown`. An unknown
  `List<AWS::EC2::AvailabilityZone::Name>` parameter is `AzList("PARAM(name)")`;
  `!Select [i, !Ref P]` over an unknown AZ list or `CommaDelimitedList` is
  `AzIndex("PARAM(P)", i)`; `!GetAZs ''` is `AzList("GETAZS")` and selecting from it is
  `AzIndex("GETAZS", i)`. `AWS::SSM::Parameter::Value<...>` parameters are Unknown.
  Pseudo parameters are Unknown unless given (`--param AWS::Region=eu-west-1`).
* `AWS::NoValue` removes the key or list item. An `Fn::If` whose condition is unknown
  is `OneOf((then, else))`; **`None` among the options stands for "absent"** (the
  AWS::NoValue branch), so `OneOf((True, None))` means "true, or not set". In a list, an
  item `OneOf((x, None))` is an item that may be missing. Equal branches collapse to
  the value itself.
* `Fn::Sub`/`Fn::Join`/... over values that are not all known give
  `Unknown(reason, refs=(addresses of the resources used,...))`. `Fn::Base64` of a known
  string is the string itself. `Fn::Cidr` is computed. `Fn::ImportValue` is Unknown
  until the scan is read, then the value of the one scanned template's export that
  answers it, if any (exports.py). An `Fn::Join` of resource ids split again at the same
  delimiter, or passed to a List parameter of a nested stack, gives back the ids.
* Conditions are three-valued; a resource whose condition is false is left out, one
  whose condition is unknown has `optional=True`.
* `meta`: `logical_id`, `condition`, `deletion_policy`, `update_replace_policy`,
  `depends_on` (list of addresses), `metadata` (evaluated), `cdk_path`, `sam_type`.

Diagnostics: a file that cannot be read as a template is `WAL-PARSE-001` (level error).
Problems met while evaluating a readable template (a `Fn::FindInMap` miss, a cycle of
conditions, a nested stack including itself, an unknown `Fn::ForEach` collection) are
level "warning" or "note" with code `WAL-CFN-001`: printed, never findings. A parameter
file that cannot be read is level "error", code `WAL-USAGE`.

SAM (`AWS::Serverless-2016-10-31`): serverless resources keep their type, with
`Globals` merged in (maps merge, lists concatenate, the resource wins);
`AWS::Serverless::SimpleTable` becomes an `AWS::DynamoDB::Table` (`meta["sam_type"]`).
`AWS::CDK::Metadata` resources are skipped. `Fn::ForEach` is expanded under
`AWS::LanguageExtensions`. Other macros are not run (a note says so).

Nested stacks (`AWS::CloudFormation::Stack` with a local `TemplateURL`, and
`AWS::Serverless::Application` with a local `Location`, relative to the parent's file)
are read with their parameters bound; their resources follow the stack resource, with
addresses `Parent.Child`, the parent's `scope`, their own `file`, and `call_sites`.
A stack that may not exist makes its resources optional. Remote templates are not
fetched: a TemplateURL whose path ends in the path of a file beside the parent
(`https://s3.amazonaws.com/bucket/infrastructure/vpc.yaml` -> `infrastructure/vpc.yaml`)
reads that local copy (a note says so); otherwise the stack's outputs are Unknown.

Reading: a fast reader on PyYAML's C loader (fastyaml.py) reads templates exactly as
cfn-lint's decoder does (a test checks it on the whole corpus); cfn-lint itself is
imported only for a text the fast reader rejects, so that parse errors are cfn-lint's.
"""
from __future__ import annotations

import gc

from walint.engine import boundary, budgets
from walint.parsers.base import Diagnostic, ParseResult, incomplete, why_stopped

from .sniff import looks_like_template

__all__ = ["looks_like_template", "parse_templates"]


def parse_templates(paths: list[str], *, params=(), parameter_files=()) -> ParseResult:
    """Read every template in `paths`; never raises."""
    from .parameters import read_parameter_file_cached
    from .stack import Session, Stack

    with boundary.scope(paths):
        supplied: dict = {}
        usage: list = []
        for pf in parameter_files:
            values, diags = read_parameter_file_cached(pf)
            supplied.update(values)
            usage.extend(diags)
        for key, value in params:
            supplied[str(key)] = value
        pseudo = {k: v for k, v in supplied.items() if k.startswith("AWS::")}
        session = Session()
        for d in usage:
            session.add(d)
        for path in paths:
            _parse_one(path, session, supplied, pseudo, Stack)
    return session.result


def _parse_one(path, session, supplied, pseudo, Stack):
    # Reading a template creates many small containers and no reference cycles worth
    # collecting; the cyclic collector's passes over that growing heap would make big
    # templates several times slower, so it is paused while one template is read.
    collecting = gc.isenabled()
    gc.disable()
    try:
        decoded = session.decode(path)
        if decoded.template is not None:
            stack = Stack(session, decoded, scope=path, supplied=supplied, pseudo=pseudo)
            try:
                stack.emit(session.result.resources)
            finally:
                stack.close()
    except RecursionError:
        session.add(Diagnostic(path, None, "template nests too deeply to be read"))
    except budgets.BudgetExceeded as exc:
        session.add(exc.diagnostic(path))
    except Exception as exc:  # never let one file stop the scan
        session.add(incomplete(path, None, f"the template was not fully evaluated: {why_stopped(exc)}"))
    finally:
        session.forget()          # decoded trees are not needed once the resources are out
        if collecting:
            gc.enable()
