"""One resource of the provider-neutral graph, as a parser hands it over.

Parsers fill `type`, `address`, `attrs` (source-native attribute names: CloudFormation
property names or Terraform argument names, nested blocks as dicts or lists of dicts)
and `positions`; `walint.model.kinds` then sets `kind` and re-keys `attrs` to the
normalized snake_case names rules read.
"""
from __future__ import annotations

from dataclasses import dataclass, field

Path = tuple  # a path into attrs: ("network_configuration", "subnets") or ("ingress", 0, "from_port")


@dataclass
class Resource:
    type: str                      # "aws_db_instance" or "AWS::RDS::DBInstance"
    address: str                   # CONTRACT.md address: "aws_subnet.a[0]", "module.x.aws_y.z", "Network.SubnetA"
    scope: str                     # the configuration it belongs to: a TF root module dir or a CFN top template file;
                                   # Ref addresses resolve within the same scope
    format: str                    # "terraform" | "cloudformation"
    file: str                      # path as the user gave it (relative paths stay relative)
    line: int                      # 1-based line of the block / logical id
    column: int = 1
    end_line: int | None = None
    attrs: dict = field(default_factory=dict)
    positions: dict = field(default_factory=dict)  # Path -> (line, column), 1-based
    kind: str = "other"
    # May not exist (a CFN resource under an unknown Condition, a TF count of unknown
    # truth such as `var.enabled ? 1 : 0`): rules give it no finding of its own.
    optional: bool = False
    # The instance set could not be known (count/for_each unknown): address ends in [*].
    instances_unknown: bool = False
    # Where a module call or nested stack brought it in: [(file, line), ...] outermost first.
    call_sites: list = field(default_factory=list)
    # Free-form facts from the parser: {"cdk_path": "...", "logical_id": "...", "synthetic": True}
    meta: dict = field(default_factory=dict)
    # Text lines of the resource's source that carry walint comments (suppressions).
    comments: list = field(default_factory=list)  # [(line, text)]

    def position(self, path: Path) -> tuple[int, int]:
        """Line and column of the deepest known part of `path`, else of the resource."""
        path = tuple(path)
        while path:
            pos = self.positions.get(path)
            if pos:
                return pos
            path = path[:-1]
        return (self.line, self.column)
