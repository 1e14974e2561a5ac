"""One template instance (a top-level template or a followed nested stack) -> Resources."""
from __future__ import annotations

import functools
import os
import re

from walint.engine import boundary, budgets
from walint.model.resource import Resource
from walint.model.values import Unknown
from walint.parsers.base import INCOMPLETE, Diagnostic, ParseResult, why_stopped

from . import parameters as P
from .decoding import Decoded, decode_file, end_line, position
from .evaluator import ABSENT, NESTED_STACK_TYPES, Evaluator, is_intrinsic, scalar_text
from .exports import export_of
from .nodes import MDict, marks, referenced_names, sam_merge, substitute

SAM = "AWS::Serverless-2016-10-31"
LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"
MAX_NESTING = 8
MAX_FOREACH_DEPTH = 8
EVAL_CODE = "WAL-CFN-001"
_REMOTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# Pseudo parameters that a nested stack shares with its parent.
_SHARED_PSEUDO = ("AWS::AccountId", "AWS::Partition", "AWS::Region", "AWS::URLSuffix")


class Session:
    """State shared by every template of one parse_templates call."""

    def __init__(self):
        self.result = ParseResult()
        self._decoded: dict = {}
        self._diag_keys: set = set()
        self._files: set = set()
        self.over_budget = False

    def decode(self, path: str) -> Decoded:
        key = os.path.normpath(path)
        decoded = self._decoded.get(key)
        if decoded is None:
            decoded = decode_file(path)
            self._decoded[key] = decoded
            if path not in self._files:
                self._files.add(path)
                self.result.files.append(path)
            for d in decoded.diagnostics:
                self.add(d)
        return decoded

    def forget(self):
        """Drop the decoded templates kept for nested stacks read more than once."""
        self._decoded.clear()

    def add(self, diagnostic: Diagnostic):
        key = (diagnostic.file, diagnostic.line, diagnostic.message, diagnostic.code)
        if key not in self._diag_keys:
            self._diag_keys.add(key)
            self.result.diagnostics.append(diagnostic)


def _transforms(template) -> list:
    t = template.get("Transform")
    if isinstance(t, str):
        return [str(t)]
    if isinstance(t, list):
        return [str(x) for x in t if isinstance(x, str)] + [
            str(x["Name"]) for x in t if isinstance(x, dict) and isinstance(x.get("Name"), str)]
    if isinstance(t, dict) and isinstance(t.get("Name"), str):
        return [str(t["Name"])]
    return []


def _section(template, name) -> dict:
    s = template.get(name)
    return s if isinstance(s, dict) else {}


class Stack:
    def __init__(self, session: Session, decoded: Decoded, *, scope: str, prefix: str = "",
                 supplied: dict | None = None, pseudo: dict | None = None,
                 call_sites: list | None = None, chain: tuple = ()):
        self.session = session
        self.decoded = decoded
        self.file = decoded.path
        self.scope = scope
        self.prefix = prefix
        self.call_sites = call_sites or []
        self.optional = False        # set when the nested stack resource itself may not exist
        self.chain = chain + (os.path.realpath(self.file),)
        template = decoded.template
        transforms = _transforms(template)
        self.sam = SAM in transforms
        self.language_extensions = LANGUAGE_EXTENSIONS in transforms
        macros = [t for t in transforms if t not in (SAM, LANGUAGE_EXTENSIONS)]
        if macros:
            self.warn(_key(template, "Transform"), f"the template uses the macro {', '.join(macros)}, which walint "
                      "does not run: it reads the template as written", level="note")
        self.parameters = _section(template, "Parameters")
        self.mappings = _section(template, "Mappings")
        self.conditions = _section(template, "Conditions")
        self.globals = _section(template, "Globals")
        self.supplied = supplied if supplied is not None else {}
        self.pseudo_values = pseudo if pseudo is not None else {}
        self._param_values: dict = {}
        self._children: dict = {}
        self._child_busy: set = set()
        self._outputs: dict = {}
        self._output_busy: set = set()
        self.ev = Evaluator(self)
        self.resources: dict = {}
        self.keys: dict = {}
        raw = template.get("Resources")
        if raw is not None and not isinstance(raw, dict):
            if not macros:                  # else the macro's note already explains it
                self.warn(raw, "Resources is not a mapping; no resources read")
            raw = {}
        raw = raw or {}
        if self.language_extensions:
            raw = self.expand_foreach(raw, "resources")
        for key, node in raw.items():
            self.resources[str(key)] = node
            self.keys[str(key)] = key
        # every resource of every stack read counts, so nested-stack fan-out is bounded
        budgets.add_instances(len(self.resources), self.file, None,
                              f"nested stack {prefix[:-1]}" if prefix else "the template")
        outputs = _section(template, "Outputs")
        self.outputs = self.expand_foreach(outputs, "outputs") if self.language_extensions else outputs

    # ------------------------------------------------------------ helpers
    def warn(self, node, message, level="warning", code=EVAL_CODE, address=""):
        pos = position(node) if node is not None else None
        self.session.add(Diagnostic(self.file, pos[0] if pos else None, message, level=level, code=code,
                                    address=address))

    def address(self, logical: str) -> str:
        return self.prefix + logical

    def resource_type(self, logical: str):
        node = self.resources.get(logical)
        t = node.get("Type") if isinstance(node, dict) else None
        return str(t) if isinstance(t, str) else None

    def parameter(self, name: str):
        if name not in self._param_values:
            self._param_values[name] = P.resolve(name, self.parameters.get(name), self.supplied)
        return self._param_values[name]

    def from_default(self, name: str) -> bool:
        """Parameter `name` takes its Default: nobody supplied a value."""
        decl = self.parameters.get(name)
        return isinstance(decl, dict) and decl.get("Default") is not None and name not in self.supplied

    def condition_parameters(self, condition, _seen=None) -> list:
        """The parameters a condition (a name, or an inline expression) depends on."""
        seen = _seen if _seen is not None else set()
        node = condition
        if isinstance(condition, str):
            if condition in seen:
                return []
            seen.add(condition)
            node = self.conditions.get(condition)
        out: list = []

        def walk(n):
            if isinstance(n, dict):
                for k, v in n.items():
                    if k == "Ref" and isinstance(v, str) and v in self.parameters:
                        out.append(v)
                    elif k == "Condition" and isinstance(v, str):
                        out.extend(self.condition_parameters(v, seen))
                    else:
                        walk(v)
            elif isinstance(n, list):
                for v in n:
                    walk(v)
        walk(node)
        return out

    def parameter_type(self, name: str) -> str:
        decl = self.parameters.get(name)
        t = decl.get("Type") if isinstance(decl, dict) else None
        return str(t) if isinstance(t, str) else "String"

    def pseudo(self, name: str):
        if name in self.pseudo_values:
            v = self.pseudo_values[name]
            if name == "AWS::NotificationARNs" and isinstance(v, str):
                return [p.strip() for p in v.split(",") if p.strip()]
            return v
        return Unknown(f"{name} is known only at deploy time (give it with --param {name}=...)")

    def mapping_lookup(self, name, top, second):
        """Mappings[name][top][second], keys compared as CloudFormation does: as strings."""
        level = _lookup(self.mappings, name)
        level = _lookup(level, top) if isinstance(level, dict) else ABSENT
        return _lookup(level, second) if isinstance(level, dict) else ABSENT

    # ------------------------------------------------------------ Fn::ForEach
    def expand_foreach(self, mapping, where: str, depth: int = 0):
        if not isinstance(mapping, dict):
            return mapping
        if not any(isinstance(k, str) and k.startswith("Fn::ForEach::") for k in mapping):
            return mapping
        out = MDict((), *marks(mapping))
        for key, val in mapping.items():
            if not (isinstance(key, str) and key.startswith("Fn::ForEach::")):
                out[key] = val
                continue
            if depth >= MAX_FOREACH_DEPTH:
                self.warn(key, f"{key}: Fn::ForEach nested too deeply; what it makes was not evaluated",
                          level="error", code=INCOMPLETE)
                continue
            if not (isinstance(val, list) and len(val) == 3 and isinstance(val[0], str) and isinstance(val[2], dict)):
                self.warn(key, f"{key} is malformed (expected [Identifier, Collection, {{OutputKey: Value}}])")
                continue
            collection = self.ev.value(val[1])
            if not isinstance(collection, list) or any(scalar_text(i) is None for i in collection):
                self.warn(key, f"{key}: the collection is not known, so its {where} are skipped", level="note")
                continue
            spent = budgets.spent()
            try:
                for item in collection:
                    # each copy counts, at every level: 8 levels of 10 are 10**8 copies
                    budgets.add_instances(1, self.file, None, key)
                    body = substitute(val[2], str(val[0]), scalar_text(item))
                    for k2, v2 in self.expand_foreach(body, where, depth + 1).items():
                        if k2 in out:
                            self.warn(k2, f"{key} produces {k2} twice")
                        out[k2] = v2
            except budgets.BudgetExceeded as exc:
                if depth:
                    raise
                # the outermost Fn::ForEach is skipped; the rest of the section is read
                budgets.refund(spent)
                pos = position(key)
                self.session.add(exc.diagnostic(self.file, pos[0] if pos else None))
        return out

    def close(self):
        """Break the stack <-> evaluator cycle (children first): the decoded template is
        then freed as soon as the resources are out, not by a pass of the cycle collector."""
        for child in self._children.values():
            if child is not None:
                child.close()
        self.ev = None

    # ------------------------------------------------------------ nested stacks
    def child(self, logical: str):
        if logical in self._children:
            return self._children[logical]
        if logical in self._child_busy:
            return None
        self._child_busy.add(logical)
        try:
            result = self._load_child(logical)
        except budgets.BudgetExceeded as exc:
            if not self.session.over_budget:     # said once: every later stack stops the same way
                self.session.over_budget = True
                pos = position(self.keys.get(logical))
                self.session.add(budgets.incomplete(self.file, pos[0] if pos else None, exc.budget,
                                                    f"nested stack {logical} and the stacks after it not "
                                                    f"followed: {exc.detail}"))
            result = None
        finally:
            self._child_busy.discard(logical)
        self._children[logical] = result
        return result

    def _load_child(self, logical: str):
        node = self.resources.get(logical)
        if not isinstance(node, dict):
            return None
        cond = node.get("Condition")
        if isinstance(cond, str) and self.ev.condition(cond, node) is False:
            return None
        props = node.get("Properties")
        if not isinstance(props, dict):
            return None
        url = self.ev.value(props.get(NESTED_STACK_TYPES.get(self.resource_type(logical), "TemplateURL")))
        if isinstance(url, str) and url and not _REMOTE.match(url) and "{{resolve:" not in url:
            path = os.path.normpath(os.path.join(os.path.dirname(self.file), url))
            refused = boundary.current().refusal(path)
            if refused:
                # before any existence check: whether a file exists out there is not told either
                base = os.path.dirname(self.file) or "."
                self.warn(self.keys.get(logical), f"nested stack {logical}: template {url} (read from "
                          f"{base}, the folder of this template) is {refused}; not read, so its "
                          "resources were not evaluated (a path written for a build folder points "
                          "elsewhere from the source folder)",
                          level="error", code=INCOMPLETE, address=self.address(logical))
                return None
        else:
            path = self._local_copy(url)
            if path is None or boundary.current().refusal(path):
                return None
            self.warn(self.keys.get(logical), f"nested stack {logical}: its template is published elsewhere; "
                      f"walint reads the local copy {path}", level="note")
        if os.path.realpath(path) in self.chain:
            self.warn(self.keys.get(logical), f"nested stack {logical} includes {url}, which is already being read (a template including itself)")
            return None
        if len(self.chain) > MAX_NESTING:
            self.warn(self.keys.get(logical), f"nested stack {logical}: stacks nest more than {MAX_NESTING} deep; "
                      "its resources were not evaluated", level="error", code=INCOMPLETE,
                      address=self.address(logical))
            return None
        if not os.path.isfile(path):
            self.warn(self.keys.get(logical), f"nested stack {logical}: template {url} not found", level="note")
            return None
        decoded = self.session.decode(path)
        if decoded.template is None:
            return None
        bound = self.ev.value(props.get("Parameters")) if "Parameters" in props else {}
        if not isinstance(bound, dict):
            bound = {}
        line = (position(self.keys.get(logical)) or position(node) or (1, 1))[0]
        pseudo = {k: v for k, v in self.pseudo_values.items() if k in _SHARED_PSEUDO}
        return Stack(self.session, decoded, scope=self.scope, prefix=self.address(logical) + ".",
                     supplied=bound, pseudo=pseudo, call_sites=self.call_sites + [(self.file, line)],
                     chain=self.chain)

    def _local_copy(self, url):
        """The scanned file a remote TemplateURL publishes, if any: the longest tail of
        the URL's path (`https://s3.amazonaws.com/bucket/infrastructure/vpc.yaml` ->
        `infrastructure/vpc.yaml`, then `vpc.yaml`) that names a file beside the parent
        template. Reference architectures ship their nested templates next to the master
        and upload them to S3; reading the local copy lets parameters that carry security
        groups and subnets reach the stacks that use them (issue 14). A URL built from
        values known only at deploy time is read from its literal tail."""
        text = url if isinstance(url, str) else (
            url.partial if isinstance(url, Unknown) and isinstance(url.partial, str) else None)
        if not text:
            return None
        text = re.sub(r"\$\{[^}]*\}", "${}", text).split("?", 1)[0].split("#", 1)[0]
        if _REMOTE.match(text):
            text = text.split("://", 1)[1]
        parts = [p for p in text.split("/") if p and p not in (".", "..")]   # stays under the parent's folder
        known = len(parts)
        while known > 0 and "${" not in parts[known - 1]:
            known -= 1
        parts = parts[known:]
        if not parts or not parts[-1].endswith((".yaml", ".yml", ".json", ".template")):
            return None
        base = os.path.dirname(self.file)
        for i in range(len(parts)):
            candidate = os.path.normpath(os.path.join(base, *parts[i:]))
            if os.path.isfile(candidate):
                return candidate
        return None

    def child_output(self, logical: str, name: str):
        child = self.child(logical)
        if child is None:
            return Unknown(f"output {name} of nested stack {logical}, whose template walint does not read")
        return child.output(name)

    def output(self, name: str):
        if name in self._outputs:
            return self._outputs[name]
        if name in self._output_busy:
            return Unknown(f"output {name} depends on itself")
        node = self.outputs.get(name)
        if not isinstance(node, dict) or "Value" not in node:
            return Unknown(f"nested stack template {self.file} has no output {name}")
        self._output_busy.add(name)
        try:
            cond = node.get("Condition")
            if isinstance(cond, str) and self.ev.condition(cond, node) is False:
                value = Unknown(f"output {name} is not created (its condition is false)")
            else:
                value = self.ev.value(node["Value"])
                if value is ABSENT:
                    value = Unknown(f"output {name} has no value")
        finally:
            self._output_busy.discard(name)
        self._outputs[name] = value
        return value

    # ------------------------------------------------------------ resources
    def emit(self, out: list):
        for logical, node in self.resources.items():
            spent = budgets.spent()
            try:
                resource = self._resource(logical, node)
            except budgets.BudgetExceeded as exc:
                budgets.refund(spent)
                pos = position(self.keys.get(logical))
                self.session.add(budgets.incomplete(self.file, pos[0] if pos else None, exc.budget,
                                                    f"resource {logical} not read: {exc.detail}"))
                continue
            except Exception as exc:  # noqa: BLE001 - one resource must not end the template
                self.warn(self.keys.get(logical), f"resource {logical} was not evaluated: {why_stopped(exc)}",
                          level="error", code=INCOMPLETE, address=self.address(logical))
                continue
            if resource is None:
                continue
            if logical in self._exported:
                resource.meta["exported"] = True    # other stacks may import it
            out.append(resource)
            if resource.type in NESTED_STACK_TYPES:
                child = self.child(logical)
                if child is not None:
                    child.optional = resource.optional     # a stack that may not exist
                    child.emit(out)
        self.session.result.exports.extend(self.exports())

    @functools.cached_property
    def _exported(self) -> set:
        """Logical ids an exported Output refers to (`Value: !Ref Vpc`, `!GetAtt Vpc.Id`)."""
        out = set()
        for node in self.outputs.values():
            if isinstance(node, dict) and isinstance(node.get("Export"), dict):
                out.update(referenced_names(node.get("Value")))
        return out

    def exports(self) -> list:
        """The outputs this template exports (for Fn::ImportValue in other templates)."""
        out = []
        for name, node in self.outputs.items():
            if not isinstance(node, dict) or not isinstance(node.get("Export"), dict):
                continue
            cond = node.get("Condition")
            if isinstance(cond, str) and self.ev.condition(cond, node) is not True:
                continue
            export = export_of(self.ev.value(node["Export"].get("Name")), self.output(str(name)), self.scope)
            if export is not None:
                out.append(export)
        return out

    def _resource(self, logical: str, node):
        key = self.keys.get(logical)
        if not isinstance(node, dict):
            self.warn(key, f"resource {logical} is not a mapping")
            return None
        rtype = node.get("Type")
        if not isinstance(rtype, str):
            self.warn(key, f"resource {logical} has no Type")
            return None
        rtype = str(rtype)
        if rtype == "AWS::CDK::Metadata":
            return None
        ev = self.ev
        optional = False
        meta = {"logical_id": logical}
        cond = node.get("Condition")
        if isinstance(cond, str):
            meta["condition"] = str(cond)
            truth = ev.condition(cond, _key(node, "Condition"))
            if truth is False:
                return None
            optional = truth is None
            decided_by = [n for n in self.condition_parameters(cond) if self.from_default(n)]
            if truth is True and decided_by:
                # the resource exists because of parameter defaults (Resource.finding says so)
                meta["exists_by_default"] = (str(cond), [("parameter", n, not self.call_sites)
                                                         for n in dict.fromkeys(decided_by)])
        optional = optional or self.optional
        props = node.get("Properties", {})
        if props is None:
            props = {}
        if rtype.startswith("AWS::Serverless::"):
            glob = self.globals.get(rtype[len("AWS::Serverless::"):])
            if isinstance(glob, dict):
                props = sam_merge(glob, props if isinstance(props, dict) else {}, is_intrinsic)
        positions: dict = {}
        ev.defaults = {}
        try:
            attrs = ev.value(props, (), positions)
        finally:
            defaults, ev.defaults = ev.defaults, None
        if defaults:
            meta["defaults"] = {path: [("parameter", n, not self.call_sites) for n in names]
                                for path, names in defaults.items()}
        if not isinstance(attrs, dict):
            if attrs is not ABSENT:
                self.warn(key, f"the Properties of {logical} are not known before deployment", level="note")
            attrs, positions = {}, {}
        for field, name in (("DeletionPolicy", "deletion_policy"), ("UpdateReplacePolicy", "update_replace_policy")):
            if field in node:
                v = ev.value(node[field])
                if v is not ABSENT:
                    meta[name] = v
        depends = node.get("DependsOn")
        depends = [depends] if isinstance(depends, str) else depends
        if isinstance(depends, list):
            meta["depends_on"] = [self.address(str(d)) for d in depends if isinstance(d, str)]
        if "Metadata" in node:
            metadata = ev.value(node["Metadata"])
            if metadata is not ABSENT:
                meta["metadata"] = metadata
                if isinstance(metadata, dict) and isinstance(metadata.get("aws:cdk:path"), str):
                    meta["cdk_path"] = metadata["aws:cdk:path"]
        line, column = position(key) or position(node) or (1, 1)
        last = end_line(node, self.decoded.lines) or line
        decoded = self.decoded
        comments = decoded.comments_between(decoded.comment_block_above(line), last) if decoded.comments else []
        if rtype == "AWS::Serverless::SimpleTable":
            rtype, attrs, positions = _simple_table(attrs, positions)
            meta["sam_type"] = "AWS::Serverless::SimpleTable"
        return Resource(
            type=rtype, address=self.address(logical), scope=self.scope, format="cloudformation",
            file=self.file, line=line, column=column, end_line=max(last, line), attrs=attrs,
            positions=positions, optional=optional, call_sites=list(self.call_sites), meta=meta,
            comments=list(comments),
        )


def _lookup(mapping: dict, name: str):
    if name in mapping:
        return mapping[name]
    for key, value in mapping.items():       # YAML read `1:` or `true:` as a number or bool
        if not isinstance(key, str) and scalar_text(key) == name:
            return value
    return ABSENT


def _key(mapping: dict, name: str):
    """The key object (it carries the source mark) of `name` in a decoded mapping."""
    for key in mapping:
        if key == name:
            return key
    return mapping


def _simple_table(attrs, positions):
    keep = ("SSESpecification", "TableName", "ProvisionedThroughput")
    out = {k: attrs[k] for k in keep if k in attrs}
    out["BillingMode"] = "PROVISIONED" if "ProvisionedThroughput" in attrs else "PAY_PER_REQUEST"
    pos = {p: v for p, v in positions.items() if p and p[0] in keep}
    return "AWS::DynamoDB::Table", out, pos
