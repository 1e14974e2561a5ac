"""The parsing floor: read every byte of the IaC files under PATH and parse each with the
fastest parser available (tree-sitter-hcl for Terraform, PyYAML's C loader for YAML
templates, json for JSON), in one process. Prints the seconds it took."""
import json
import os
import sys
import time

import tree_sitter
import tree_sitter_hcl
import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Tagless(Loader):
    pass


def _any_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_Tagless.add_multi_constructor("!", _any_tag)


def main(root):
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in (".git", ".terraform"))
        files.extend(os.path.join(dirpath, f) for f in sorted(filenames))
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))
    start = time.perf_counter()
    cpu = time.process_time()
    total = 0
    for path in files:
        if not path.endswith((".tf", ".yaml", ".yml", ".json", ".template")):
            continue
        with open(path, "rb") as fh:
            data = fh.read()
        total += len(data)
        try:
            if path.endswith(".tf"):
                parser.parse(data)
            elif path.endswith(".json"):
                json.loads(data)
            else:
                yaml.load(data, Loader=_Tagless)
        except Exception:
            pass
    print(json.dumps({"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                      "bytes": total}))


if __name__ == "__main__":
    main(sys.argv[1])
