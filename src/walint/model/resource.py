"""One resource of the provider-neutral graph, as a parser hands it over.

Parsers fill `type`, `address`, `attrs` (source-native attribute names: CloudFormation
property names or Terraform argument names, nested blocks as dicts or lists of dicts)
and `positions`; `walint.model.kinds.normalize` then sets `kind` and brings attribute
names to the snake_case scheme rules read.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from walint.model import kinds
from walint.model.finding import Finding
from walint.model.values import OneOf, Unknown

Path = tuple  # a path into attrs: ("network_configuration", 0, "subnets") or ("ingress", 0, "from_port")

ABSENT = object()  # what Resource.locate returns for an attribute that is not set


def _locate(value, parts, path):
    """Step `parts` into `value`. A part whose presence is undecided is not absent
    (RULES.md §0.3, issue 14): a block list holding an Unknown (a Terraform `dynamic`
    block over an unknown collection) gives that Unknown, and a OneOf (a CloudFormation
    `!If [Cond, {...}, !Ref AWS::NoValue]` with an undecided condition) is stepped into
    option by option, `None` standing for an absent option."""
    for i, part in enumerate(parts):
        if isinstance(value, Unknown):
            return value, path
        if isinstance(value, OneOf):
            found = []
            for option in value.options:
                sub = _locate(option, parts[i:], path)[0] if option is not None else ABSENT
                sub = None if sub is ABSENT else sub
                if sub not in found:
                    found.append(sub)
            if len(found) == 1:
                return (ABSENT if found[0] is None else found[0]), path
            return OneOf(tuple(found)), path
        if isinstance(value, list) and isinstance(part, str):
            undecided = next((x for x in value if isinstance(x, Unknown)), None)
            if undecided is not None:
                return undecided, path
            if len(value) != 1 or not isinstance(value[0], (dict, OneOf)):
                return ABSENT, path
            value, path = value[0], path + (0,)
            if isinstance(value, OneOf):
                return _locate(value, parts[i:], path)
        if isinstance(value, dict) and part in value:
            value, path = value[part], path + (part,)
        elif isinstance(value, list) and isinstance(part, int) and -len(value) <= part < len(value):
            value, path = value[part], path + (part,)
        else:
            return ABSENT, path
    return value, path


@dataclass(eq=False)
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
    # May not exist (a CFN resource under an unknown Condition, a TF count or for_each
    # that is not known, `var.enabled ? 1 : 0` or `var.n`): a finding on it is unknown
    # (engine/run.py turns it into one, for every rule).
    optional: bool = False
    # The instance set could not be known (count/for_each unknown): address ends in [*].
    instances_unknown: bool = False
    # Where a module call or nested stack brought it in: [(file, line), ...] outermost first.
    call_sites: list = field(default_factory=list)
    # Free-form facts from the parser: {"cdk_path": "...", "logical_id": "...", "metadata": {...}}
    meta: dict = field(default_factory=dict)
    # Comment lines in or just above the resource's source (suppressions): [(line, text)]
    comments: list = field(default_factory=list)
    # CloudFormation: snake_case attribute name -> the property name as written (`MultiAZ`).
    native_names: dict = field(default_factory=dict)

    # -- reading attributes -------------------------------------------------------------

    def locate(self, name):
        """(value, concrete path) of an attribute; value is ABSENT when it is not set.

        `name` is a canonical name (`subnets`, resolved through the kind table), a dotted
        path (`network_configuration.subnets`) or a tuple path. A Terraform block list of
        exactly one block is stepped into, so `a.b` reads `a[0].b`.
        """
        if isinstance(name, str):
            parts = tuple(kinds.native_path(self.kind, self.format, name).split("."))
        else:
            parts = tuple(name)
        return _locate(self.attrs, parts, ())

    def get(self, name, default=None):
        """The value of an attribute, or `default` when it is not set."""
        value, _ = self.locate(name)
        return default if value is ABSENT else value

    def has(self, name) -> bool:
        return self.locate(name)[0] is not ABSENT

    def position(self, path: Path) -> tuple[int, int]:
        """Line and column of the deepest known part of `path`, else of the resource."""
        path = tuple(path)
        while path:
            pos = self.positions.get(path)
            if pos:
                return pos
            path = path[:-1]
        return (self.line, self.column)

    # -- verdicts -------------------------------------------------------------------------

    def finding(self, name=None, message="", *, related=(), key="", severity=None) -> Finding:
        """A failed check on this resource, anchored to attribute `name` (or the resource)."""
        if name is None:
            path = ()
        elif isinstance(name, str):
            path = self.locate(name)[1] or ()
            if not path and self.has(name):
                path = tuple(name.split("."))
        else:
            path = tuple(name)
        if not key and name is not None:
            key = name if isinstance(name, str) else ".".join(map(str, name))
        message += self._defaults_note(path) or self._existence_note()
        setting = name if isinstance(name, str) else ".".join(map(str, path))
        return Finding(self, path, message, related=list(related), key=key, severity=severity,
                       setting=setting)

    def unknown(self, name=None, reason="", *, key="") -> Finding:
        """A check on this resource that could not be decided, and why (with the input that
        would decide it, when the undecided value names one)."""
        if name is not None:
            value = self.locate(name)[0]
            why = getattr(value, "reason", None)
            if isinstance(value, Unknown) and isinstance(why, str) and why and why not in reason:
                reason = f"{reason} ({why})"
        f = self.finding(name, reason, key=key)
        f.status = "unknown"
        return f

    def _defaults_note(self, path) -> str:
        """`. It comes from the default of variable env: --var env=VALUE changes it` when
        the value at `path` (or around it) was decided by an input's default, not written."""
        defaults = self.meta.get("defaults") if isinstance(self.meta, dict) else None
        if not defaults:
            return ""
        path = tuple(path)
        for n in range(len(path), 0, -1):
            inputs = defaults.get(path[:n])
            if inputs:
                break
        else:
            return ""
        return ". It comes from " + "; ".join(_input_default(i, ": {}") for i in inputs[:3])

    def _existence_note(self) -> str:
        """`. It exists because condition X holds with the default of parameter P (--param
        P=VALUE changes it)` when the resource itself is there only by inputs' defaults."""
        exists = self.meta.get("exists_by_default") if isinstance(self.meta, dict) else None
        if not exists:
            return ""
        condition, inputs = exists
        return (f". It exists because condition {condition} holds with "
                + " and ".join(_input_default(i, " ({})") for i in inputs[:3]))

    # -- words for messages -------------------------------------------------------------

    def native(self, name: str) -> str:
        """An attribute's name as the user wrote it: `multi_az` in Terraform, `MultiAZ` in
        CloudFormation (`NetworkConfiguration.AwsvpcConfiguration.Subnets` for a path)."""
        path = kinds.native_path(self.kind, self.format, name)
        if self.format != "cloudformation":
            return path
        return ".".join(self.native_names.get(p) or _camel(p) for p in path.split("."))

    def setting(self, name: str, value) -> str:
        """`multi_az = false` (Terraform) or `MultiAZ: false` (CloudFormation)."""
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, str):
            text = f'"{value}"' if self.format == "terraform" else value
        else:
            text = str(value)
        sep = " = " if self.format == "terraform" else ": "
        return f"{self.native(name)}{sep}{text}"

    def tags(self) -> dict:
        """Tags as a plain dict whatever the format (CFN list of Key/Value, TF map)."""
        raw = self.attrs.get("tags") or self.attrs.get("Tags")
        if isinstance(raw, dict):
            return {k: v for k, v in raw.items() if isinstance(k, str)}
        if isinstance(raw, list):
            return {t.get("Key"): t.get("Value") for t in raw
                    if isinstance(t, dict) and isinstance(t.get("Key"), str)}
        return {}


def _camel(name: str) -> str:
    """`storage_encrypted` -> `StorageEncrypted`: CloudFormation's spelling of an unset
    property; set properties keep their own spelling through `native_names`)."""
    return "".join(part.upper() if part in _ACRONYMS else part[:1].upper() + part[1:]
                   for part in name.split("_"))


_ACRONYMS = frozenset({"az", "db", "sse", "ssl"})  # MultiAZ, DBSubnetGroupName, SSESpecification


def _input_default(entry, flag_form: str) -> str:
    """`the default of parameter P` and how to change it: the flag (`flag_form` places it)
    for an input of the scanned root, or who does not set it for a nested one."""
    kind, name, top = entry
    if top:
        flag = "--var" if kind == "variable" else "--param"
        return f"the default of {kind} {name}" + flag_form.format(f"{flag} {name}=VALUE changes it")
    caller = "module call" if kind == "variable" else "parent stack"
    return f"the default of {kind} {name}, which the {caller} does not set"
