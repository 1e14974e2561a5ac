"""ECS container definitions in one shape for both formats (LOG-003/004/005).

CloudFormation gives `ContainerDefinitions` as a list whose keys the kind table has
already snake_cased (`log_configuration.log_driver`); Terraform gives
`container_definitions` as a JSON string with the ECS API's camelCase keys
(`logConfiguration.logDriver`), which the reader builds from `jsonencode` or `file()`
when every part is known, else an Unknown. Both become a list of `Container`.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from walint.api import OneOf, Unknown

_C1 = re.compile(r"([a-z0-9])([A-Z])")
# keys whose contents are user-named (log driver options, labels): kept as written
_KEEP = frozenset({"options", "docker_labels", "secret_options"})


def _snake(name: str) -> str:
    return _C1.sub(r"\1_\2", name).lower() if isinstance(name, str) else name


def _snake_tree(value):
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            sk = _snake(k)
            out[sk] = v if sk in _KEEP else _snake_tree(v)
        return out
    if isinstance(value, list):
        return [_snake_tree(v) for v in value]
    return value


@dataclass
class Container:
    index: int
    data: dict                 # snake_case keys
    path: tuple                # attribute path to anchor findings on

    @property
    def name(self) -> str:
        n = self.data.get("name")
        return n if isinstance(n, str) else f"#{self.index}"

    def sub(self, *keys) -> tuple:
        """A deeper anchor path (only meaningful in CloudFormation)."""
        if self.path and self.path[-1] == "container_definitions":
            return self.path
        return self.path + keys


def containers(td):
    """The task definition's containers (a list of Container), or an Unknown."""
    raw = td.get("container_definitions")
    if raw is None:
        return []
    if isinstance(raw, OneOf):
        return Unknown("the container definitions depend on a condition walint cannot decide")
    structured = True
    if isinstance(raw, Unknown):
        if not isinstance(raw.partial, (list, dict)):
            return raw
        # jsonencode with parts known only after apply: the JSON document's structure
        raw, structured = _snake_tree(raw.partial), False
    elif isinstance(raw, str):
        structured = False
        try:
            raw = json.loads(raw)
        except ValueError:
            return Unknown("container_definitions is not JSON walint can read")
        raw = _snake_tree(raw)
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        return Unknown("container_definitions is not a list")
    out = []
    for i, c in enumerate(raw):
        if isinstance(c, Unknown):
            return c
        if not isinstance(c, dict):
            continue
        path = ("container_definitions", i) if structured else ("container_definitions",)
        out.append(Container(i, c, path))
    return out
