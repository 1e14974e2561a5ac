"""`walint graph --format json` (CONTRACT.md); dot and mermaid come from the topology picture."""
from __future__ import annotations

import json

from walint.model.values import AzIndex, AzList, OneOf, Ref, Unknown


def plain(value):
    """A graph value as JSON: markers become small objects, never Python reprs."""
    if isinstance(value, Unknown):
        return {"unknown": value.reason}
    if isinstance(value, Ref):
        return {"ref": f"{value.address}.{value.attr}"}
    if isinstance(value, OneOf):
        return {"one_of": [plain(v) for v in value.options]}
    if isinstance(value, AzIndex):
        return {"zone": f"{value.list_id}[{value.index}]"}
    if isinstance(value, AzList):
        return {"zones": value.list_id}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return str(value)
    return value


def graph_dict(report) -> dict:
    graph = report.graph
    resources = sorted(graph.resources(), key=lambda r: (r.address, r.file))
    out_resources = []
    for r in resources:
        if r.meta.get("synthetic"):
            continue
        item = {"address": r.address, "kind": r.kind, "type": r.type, "file": report.namer(r.file) if report.namer else r.file,
                "line": r.line, "attributes": plain(r.attrs)}
        if r.optional:
            item["optional"] = True
        out_resources.append(item)
    edges = sorted(({"from": e.source.address, "to": e.target.address, "via": e.via}
                    for e in graph.edges), key=lambda e: (e["from"], e["to"], e["via"]))
    return {"resources": out_resources, "edges": edges}


def render(report, fmt="json") -> str:
    if fmt == "json":
        return json.dumps(graph_dict(report), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    from walint.reporters import picture

    return picture.render(report, fmt)
