"""Random and mangled input never makes the Terraform reader raise."""
from __future__ import annotations

import os
import random

from hypothesis import HealthCheck, given, settings, strategies as st

from tfhelpers import CORPUS, write_module

FRAGMENTS = ['resource "aws_vpc" "v" {', "}", "{", "count = ", "for_each = ", "var.x", "local.y", "${", "%{if ",
             "%{endif}", '"', "<<EOT\n", "\nEOT\n", "[for x in ", " : x]", "cidrsubnet(", ")", "(", "? 1 : 0", "...",
             "dynamic \"ingress\" {", "content {", "module \"m\" {\n source = \"./\"\n}", "locals {", "a = local.a\n",
             "data.aws_availability_zones.a.names[count.index]", "[*].id", "\n", " ", "#", "//", "/*", "*/", "\x00",
             "\xe9", "null", "true", "-", "!", "==", "&&", "[", "]", ",", "=", "1e309", "0x1F", "aws_vpc.v.id"]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_fragments_never_raise(tmp_path_factory, parts):
    from walint.parsers.terraform import parse_modules
    root = tmp_path_factory.mktemp("fz")
    write_module(root, {"main.tf": "".join(parts).encode("utf-8", "surrogatepass")})
    res = parse_modules([str(root)])
    assert all(d.file for d in res.diagnostics)


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(tmp_path_factory, data):
    from walint.parsers.terraform import parse_modules
    root = tmp_path_factory.mktemp("fzb")
    write_module(root, {"main.tf": data, "x.tf.json": data})
    parse_modules([str(root)])


def test_truncated_corpus_files_never_raise(tmp_path):
    """Every 40th corpus file cut at a random point (seeded) is read without an exception."""
    from walint.parsers.terraform import parse_modules
    if not os.path.isdir(CORPUS):
        return
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(CORPUS) for f in fs if f.endswith(".tf"))[::40]
    rnd = random.Random(7)
    for i, f in enumerate(files):
        data = open(f, "rb").read()
        cut = data[: rnd.randrange(len(data) + 1)]
        d = tmp_path / f"c{i}"
        write_module(d, {"main.tf": cut})
        res = parse_modules([str(d)])
        # a module source pointing out of the copied folder is refused (WAL-PARSE-002): fine
        assert all("internal error" not in x.message for x in res.diagnostics), res.diagnostics
