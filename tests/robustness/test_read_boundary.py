"""The read boundary (docs/security.md): a hostile repository cannot make walint read a
file outside it, nor a FIFO, a device or /proc, and the insecure resource beside the
trap is still reported.

Each case is built from a reproducer in ../shared/reproducers/hostile (generated here in
a temporary folder: `repo/` is the working directory, as in CI, and `outside/` holds
files with a marker no output may contain). walint runs in a subprocess, once per
output format, with a secret in its environment.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

MARK = "OUTSIDE7f3a9cSECRET"            # in every file outside the repository
ENV_MARK = "ENVSECRET5b1e0d"           # in walint's environment (/proc/self/environ)
FORMATS = ("text", "json", "sarif", "github", "markdown")
TIMEOUT = 60

DB_TF = '''resource "aws_db_instance" "sibling" {
  engine   = "postgres"
  multi_az = false
}
'''
DB_CFN = '''AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Sibling:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      MultiAZ: false
'''
LEAK_TF = '''variable "leak" {
  default = {}
}
resource "aws_db_instance" "leak" {
  for_each = toset([for k, v in var.leak : "${k}=${v}"])
  engine   = "postgres"
  multi_az = false
}
'''


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def walint(cwd, *args, fmt="text"):
    env = dict(os.environ, SECRET_TOKEN=ENV_MARK, WALINT_JOBS="1")
    return subprocess.run([sys.executable, "-m", "walint", "scan", *args, "--format", fmt],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)


def outside(tmp_path):
    """The folder beside the repository, holding what must never be read."""
    out = tmp_path / "outside"
    write(out / "secret.tfvars", f'leak = {{ "{MARK}" = "{MARK}" }}\n')
    write(out / "secret.tfvars.json", json.dumps({"leak": {MARK: MARK}}))
    write(out / "secret.tf", DB_TF.replace("sibling", f"outside_{MARK}"))
    write(out / "secret.yaml", DB_CFN.replace("Sibling", f"Outside{MARK}"))
    write(out / "mod" / "main.tf", DB_TF.replace("sibling", f"mod_{MARK}"))
    return out


def repo(tmp_path):
    r = tmp_path / "repo"
    (r / ".git").mkdir(parents=True)
    return r


def assert_contained(cwd, *args, named=(), sibling="sibling"):
    """In every format: no byte from outside, the refused path named, the sibling
    reported, exit 1."""
    for fmt in FORMATS:
        out = walint(cwd, *args, fmt=fmt)
        said = out.stdout + out.stderr
        assert out.returncode == 1, (fmt, out.returncode, out.stderr[-2000:])
        assert "Traceback" not in out.stderr
        for secret in (MARK, MARK.lower(), ENV_MARK, "root:x:0:0"):
            assert secret not in said, (fmt, secret, said[-3000:])
        for path in named:
            # a WAL-PARSE-002 finding names it (markdown escapes `_`)
            assert path in said or path.replace("_", "\\_") in said, (fmt, path, said[-2000:])
        assert sibling.lower() in out.stdout.lower(), (fmt, out.stdout[-2000:])
        if fmt == "json":
            findings = json.loads(out.stdout)["findings"]
            assert any(f["rule"] == "WAL-MAZ-001" and sibling in f["address"] for f in findings)


def test_config_var_files_outside(tmp_path):
    outside(tmp_path)
    r = repo(tmp_path)
    write(r / "main.tf", LEAK_TF + DB_TF)
    write(r / ".walint.yml", "terraform:\n  var-files: [../outside/secret.tfvars.json, "
          "/etc/passwd, ../outside/missing.tfvars]\n")
    assert_contained(r, ".", named=("../outside/secret.tfvars.json", "/etc/passwd",
                                    "../outside/missing.tfvars"))


def test_config_var_file_inside_dot_git(tmp_path):
    r = repo(tmp_path)
    write(r / ".git" / "config", f'[http]\n  extraheader = "AUTHORIZATION: basic {MARK}"\n')
    write(r / "main.tf", DB_TF)
    write(r / ".walint.yml", "terraform:\n  var-files: [.git/config]\n")
    assert_contained(r, ".", named=(".git/config",))


def test_config_parameters_proc_environ(tmp_path):
    r = repo(tmp_path)
    write(r / "t.yaml", DB_CFN + '''  Fn::ForEach::Leak:
    - V
    - !Split ["\\0", !Ref FIRST]
    - Db${V}:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          MultiAZ: false
Parameters:
  FIRST:
    Type: String
Transform: AWS::LanguageExtensions
''')
    write(r / ".walint.yml", "cloudformation:\n  parameters: [/proc/self/environ]\n")
    assert_contained(r, ".", named=("/proc/self/environ",), sibling="Sibling")


def test_command_line_files_must_be_regular(tmp_path):
    """A person may name any file, but never a FIFO or /proc: exit 2, nothing read."""
    r = repo(tmp_path)
    write(r / "t.yaml", DB_CFN)
    os.mkfifo(r / "pipe.tfvars")
    out = walint(r, ".", "--parameters", "/proc/self/environ")
    assert out.returncode == 2 and ENV_MARK not in out.stdout + out.stderr
    assert "/proc/self/environ" in out.stderr
    out = walint(r, ".", "--var-file", "pipe.tfvars")
    assert out.returncode == 2 and "pipe.tfvars" in out.stderr


@pytest.mark.parametrize("name", ["terraform.tfvars", "x.auto.tfvars", "y.auto.tfvars.json"])
def test_tfvars_symlink_outside(tmp_path, name):
    out = outside(tmp_path)
    r = repo(tmp_path)
    write(r / "main.tf", LEAK_TF + DB_TF)
    target = out / ("secret.tfvars.json" if name.endswith(".json") else "secret.tfvars")
    os.symlink(target, r / name)
    assert_contained(r, ".", named=(name,))


@pytest.mark.parametrize("target", ["/proc/self/mem", "/proc/self/environ", "/dev/zero", "fifo"])
def test_tfvars_not_a_regular_file(tmp_path, target):
    """A link to /proc or a device, or a FIFO: refused without blocking, the root still read."""
    r = repo(tmp_path)
    write(r / "main.tf", DB_TF)
    if target == "fifo":
        os.mkfifo(r / "terraform.tfvars")
        os.mkfifo(tmp_path / "pipe")
        os.symlink(tmp_path / "pipe", r / "x.auto.tfvars")
        named = ("terraform.tfvars", "x.auto.tfvars")
    else:
        os.symlink(target, r / "x.auto.tfvars")
        named = ("x.auto.tfvars",)
    assert_contained(r, ".", named=named)


def test_tf_symlink_outside_beside_a_regular_tf(tmp_path):
    out = outside(tmp_path)
    r = repo(tmp_path)
    write(r / "main.tf", DB_TF)
    os.symlink(out / "secret.tf", r / "link_out.tf")
    assert_contained(r, ".", named=("link_out.tf",))
    said = walint(r, ".", fmt="json").stdout
    assert "outside_" not in said                                   # nothing of it read
    at_link = {f["rule"] for f in json.loads(said)["findings"] if f["file"] == "link_out.tf"}
    assert at_link == {"WAL-PARSE-002"}                             # only that it was not read


def test_nested_stack_template_outside(tmp_path):
    outside(tmp_path)
    r = repo(tmp_path)
    write(r / "t.yaml", DB_CFN + '''  S:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ../outside/secret.yaml
  S2:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: /etc/passwd
  S3:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ../outside/does-not-exist.yaml
''')
    # whether an outside file exists is not told either: the same note for both
    assert_contained(r, ".", named=("../outside/secret.yaml", "/etc/passwd",
                                    "../outside/does-not-exist.yaml"), sibling="Sibling")
    err = walint(r, ".").stderr
    assert "not found" not in err


def test_module_source_outside(tmp_path):
    outside(tmp_path)
    r = repo(tmp_path)
    write(r / "envs" / "prod" / "main.tf", DB_TF + 'module "m" {\n  source = "../../../outside/mod"\n}\n')
    assert_contained(r, ".", named=("../../../outside/mod",))


def test_modules_json_entry_outside(tmp_path):
    outside(tmp_path)
    r = repo(tmp_path)
    write(r / "main.tf", DB_TF + 'module "ext" {\n  source  = "acme/ext/aws"\n  version = "1.0.0"\n}\n')
    write(r / ".terraform" / "modules" / "modules.json", json.dumps({"Modules": [
        {"Key": "", "Source": "", "Dir": "."},
        {"Key": "ext", "Source": "registry.terraform.io/acme/ext/aws", "Version": "1.0.0",
         "Dir": "../outside/mod"}]}))
    assert_contained(r, ".", named=("../outside/mod",))


def test_inside_files_reached_indirectly_are_not_quoted(tmp_path):
    """A file inside the repository that is not IaC by its own name (a link, a file the
    configuration names) is read, but a parse message never quotes its text."""
    r = repo(tmp_path)
    write(r / "main.tf", DB_TF)
    write(r / "notes.txt", f"{MARK} is not HCL at all ((\n")
    write(r / "sub" / "main.tf", DB_TF)
    os.symlink(r / "notes.txt", r / "sub" / "terraform.tfvars")
    write(r / ".walint.yml", "terraform:\n  var-files: [notes.txt]\n")
    for fmt in FORMATS:
        out = walint(r, ".", fmt=fmt)
        assert out.returncode == 1
        assert MARK not in out.stdout + out.stderr, (fmt, out.stdout[-2000:])
    doc = json.loads(walint(r, ".", fmt="json").stdout)
    parse = [f for f in doc["findings"] if f["rule"] == "WAL-PARSE-001"]
    assert {f["file"] for f in parse} == {"notes.txt", "sub/terraform.tfvars"}
    # a .tf reached by its own name still has its text quoted, to help its author
    write(r / "bad" / "main.tf", 'resource "aws_vpc" "v" {\n  cidr_block = ((\n}\n')
    doc = json.loads(walint(r, "bad", fmt="json").stdout)
    assert any("near" in f["message"] and "…" not in f["message"] for f in doc["findings"])


def test_fifo_read_never_blocks(tmp_path):
    from walint.engine import boundary

    os.mkfifo(tmp_path / "p.tf")
    b = boundary.Boundary([str(tmp_path)])
    with pytest.raises(boundary.Refused):
        b.read(str(tmp_path / "p.tf"))
    with pytest.raises(boundary.Refused):
        b.read("/proc/self/environ", trusted=True)
    os.symlink("/etc/passwd", tmp_path / "link.tf")
    with pytest.raises(boundary.Refused):
        b.read(str(tmp_path / "link.tf"))


WRITE = re.compile(r"""["'][wax]b?\+?["']""")       # a write mode: reporters, baselines, docs


# walint's own files, not the scan's: its process statistics (a worker sizing its memory
# limit) and its installed metadata (the dependency-floor check at start)
OWN_PROCESS = re.compile(r'open\("/proc/self/statm"\)|open\(f"\{dists\[\'walint\'\]\[1\]\}/METADATA"')


def test_every_read_goes_through_the_boundary():
    """The class, not the cases: no module but boundary.py opens a file to read it."""
    src = os.path.join(os.path.dirname(__file__), "..", "..", "src", "walint")
    offenders = []
    for folder, _, names in os.walk(src):
        for name in names:
            if not name.endswith(".py") or name == "boundary.py":
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as fh:
                for number, line in enumerate(fh, 1):
                    code = line.split("#", 1)[0]
                    if re.search(r"\bopen\(|\.read_text\(|\.read_bytes\(", code) \
                            and not WRITE.search(code) and not OWN_PROCESS.search(code):
                        offenders.append(f"{os.path.relpath(path, src)}:{number}: {line.strip()}")
    assert offenders == []


def test_configuration_file_linking_outside(tmp_path):
    """A committed .walint.yml linking out of the repository stops walint (exit 2)
    without printing a byte of the target."""
    out = outside(tmp_path)
    r = repo(tmp_path)
    write(r / "main.tf", DB_TF)
    write(out / "walint.yml", f"select: [{MARK}]\n")
    os.symlink(out / "walint.yml", r / ".walint.yml")
    res = walint(r, ".")
    assert res.returncode == 2 and ".walint.yml" in res.stderr
    assert MARK not in res.stdout + res.stderr
