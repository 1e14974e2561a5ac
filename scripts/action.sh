#!/usr/bin/env bash
# The shell steps of walint's GitHub Action (action.yml), kept here so that they can be
# run and tested outside GitHub:
#
#   scripts/action.sh prepare [DIR]  where the environment goes, its cache key, the SARIF category
#   scripts/action.sh install [DIR]  install walint from the action's checkout (DIR) into that
#                                    environment, unless the cache restored a working one
#   scripts/action.sh scan           one scan: SARIF to a file, the step summary, annotations
#   scripts/action.sh finish         end with walint's exit status
#
# Inputs come as environment variables, as action.yml passes them:
#   INPUT_PATHS         files or directories, separated by whitespace (or by newlines when a
#                       path holds a space); default "."
#   INPUT_PROFILE       development | mvp | production | regulated (empty: the configuration's)
#   INPUT_FAIL_ON       error | warning | note | never (empty: the configuration's, else error)
#   INPUT_ARGS          more arguments for `walint scan`, split like a shell would (no expansion)
#   INPUT_SARIF_FILE    where the SARIF report goes; default walint.sarif
#   INPUT_UPLOAD_SARIF  "true": code scanning annotates from the SARIF, so no annotations here
#   INPUT_CATEGORY      the code-scanning category (empty: walint-JOB-HASH of the paths, so two
#                       walint steps do not replace each other's alerts)
#   INPUT_WORKING_DIRECTORY  where the scan runs (action.yml sets the step's directory)
#   WALINT_VENV         the environment `prepare` chose (action.yml passes it on)
#   WALINT              the walint command (default: the environment's, else walint on PATH)
# GitHub's own: GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_JOB, RUNNER_TEMP, RUNNER_TOOL_CACHE,
# RUNNER_OS, RUNNER_ARCH.
#
# walint runs in its own virtual environment (under the runner's tool cache): the job's
# Python, PATH and site-packages are left as they were for the steps that follow.
set -uo pipefail

ANNOTATIONS_PER_LEVEL=10       # GitHub shows at most 10 annotations of each level per step
SUMMARY_MAX_BYTES=1000000      # a step summary must stay under 1 MiB

output() { [ -n "${GITHUB_OUTPUT:-}" ] && printf '%s=%s\n' "$1" "$2" >> "$GITHUB_OUTPUT"; return 0; }

checkout_dir() { printf '%s' "${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"; }

python_cmd() {
  if command -v python3 >/dev/null 2>&1; then printf 'python3'; else printf 'python'; fi
}

sha() { if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi | cut -c1-"$1"; }

# What the environment depends on: walint's sources and the Python that runs it.
version_key() {
  local checkout="$1" py version sources
  py="$("$(python_cmd)" -c 'import os, sys; print("%d.%d-%s" % (sys.version_info[0], sys.version_info[1], os.path.realpath(sys.executable)))')"
  version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$checkout/pyproject.toml" | head -1)"
  sources="$(cd "$checkout" && find pyproject.toml src rules -type f ! -path '*/__pycache__/*' ! -name '*.pyc' \
             -print0 | LC_ALL=C sort -z | xargs -0 cat | sha 16)"
  printf '%s-py%s-%s' "${version:-0}" "$(printf '%s' "$py" | sha 12)" "$sources"
}

venv_dir() {
  if [ -n "${WALINT_VENV:-}" ]; then printf '%s' "$WALINT_VENV"; return; fi
  printf '%s/walint/%s' "${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}}" "$(version_key "$(checkout_dir "${1:-}")")"
}

prepare() {
  local checkout key category
  checkout="$(checkout_dir "${1:-}")"
  key="$(version_key "$checkout")"
  output venv "$(venv_dir "$checkout")"
  output cache-key "walint-${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}-$key"
  category="${INPUT_CATEGORY:-}"
  if [ -z "$category" ]; then
    category="walint-${GITHUB_JOB:-job}-$(printf '%s\n%s' "${INPUT_WORKING_DIRECTORY:-.}" "${INPUT_PATHS:-.}" | sha 8)"
  fi
  output category "$category"
}

install() {
  local checkout venv
  checkout="$(checkout_dir "${1:-}")"
  venv="$(venv_dir "$checkout")"
  if "$venv/bin/walint" --version 2>/dev/null; then
    echo "walint: using the cached environment $venv"
    return 0
  fi
  rm -rf "$venv"
  "$(python_cmd)" -m venv "$venv" || return 2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$checkout" || return 2
  "$venv/bin/walint" --version
}

find_walint() {
  if [ -n "${WALINT:-}" ]; then printf '%s' "$WALINT"; return; fi
  local installed
  installed="$(venv_dir)/bin/walint"
  if [ -x "$installed" ]; then printf '%s' "$installed"; else printf 'walint'; fi
}

# Split INPUT_PATHS: by newlines when there are several lines, else by whitespace.
split_paths() {
  local raw="${INPUT_PATHS:-}" line
  PATHS=()
  if [[ "$raw" == *$'\n'* ]]; then
    while IFS= read -r line; do
      line="${line#"${line%%[![:space:]]*}"}"; line="${line%"${line##*[![:space:]]}"}"
      [ -n "$line" ] && PATHS+=("$line")
    done <<< "$raw"
  else
    read -r -a PATHS <<< "$raw"
  fi
  [ "${#PATHS[@]}" -gt 0 ] || PATHS=(".")
}

# Split INPUT_ARGS like a shell, without expanding anything (python's shlex).
split_args() {
  ARGS=()
  [ -n "${INPUT_ARGS:-}" ] || return 0
  local words item
  words="$(mktemp)"
  if ! "$(python_cmd)" -c 'import shlex, sys; sys.stdout.write("".join(a + "\0" for a in shlex.split(sys.argv[1])))' \
       "$INPUT_ARGS" > "$words"; then
    rm -f "$words"
    echo "::error title=walint::the args input cannot be split into words: ${INPUT_ARGS//$'\n'/ }"
    return 2
  fi
  while IFS= read -r -d '' item; do ARGS+=("$item"); done < "$words"
  rm -f "$words"
}

# Print at most ANNOTATIONS_PER_LEVEL workflow commands of each level (GitHub drops the
# rest silently), then one notice counting what was left out.
cap_annotations() {
  LC_ALL=C awk -v cap="$ANNOTATIONS_PER_LEVEL" '
    /^::(error|warning|notice) / {
      level = substr($0, 3, index($0, " ") - 3); seen[level]++
      if (seen[level] <= cap) { kept[++n] = $0; kind[n] = level } else { dropped++ }
      next
    }
    { tail[++t] = $0 }
    END {
      # the count is itself a notice: keep it within the cap
      if (dropped > 0 && seen["notice"] >= cap) {
        for (i = n; i > 0; i--) if (kind[i] == "notice") { kind[i] = ""; dropped++; break }
      }
      for (i = 1; i <= n; i++) if (kind[i] != "") print kept[i]
      if (dropped > 0)
        printf "::notice title=walint::%d more finding%s not annotated (GitHub shows %d per level): see the job summary or the SARIF report\n", dropped, (dropped == 1 ? " is" : "s are"), cap
      for (i = 1; i <= t; i++) print tail[i]
    }' "$1"
}

# Append the Markdown report to the step summary, cut at a line under the size limit.
append_summary() {
  local report="$1" size
  size="$(wc -c < "$report")"
  if [ "$size" -le "$SUMMARY_MAX_BYTES" ]; then
    cat "$report" >> "$GITHUB_STEP_SUMMARY"
    return
  fi
  LC_ALL=C awk -v max="$((SUMMARY_MAX_BYTES - 300))" '{ n += length($0) + 1; if (n > max) exit; print }' \
    "$report" >> "$GITHUB_STEP_SUMMARY"
  printf '\n\n_The report was cut at 1 MB (GitHub limit); the SARIF report and `walint scan --format markdown` have all of it._\n' \
    >> "$GITHUB_STEP_SUMMARY"
}

scan() {
  local walint sarif code tmp
  walint="$(find_walint)"
  sarif="${INPUT_SARIF_FILE:-walint.sarif}"
  split_paths
  split_args || { output exit-code 2; return 0; }
  local opts=()
  [ -n "${INPUT_PROFILE:-}" ] && opts+=(--profile "$INPUT_PROFILE")
  [ -n "${INPUT_FAIL_ON:-}" ] && opts+=(--fail-on "$INPUT_FAIL_ON")
  opts+=("${ARGS[@]}")

  tmp="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/walint.XXXXXX")"
  local reports=(-o "sarif=$sarif" -o "markdown=$tmp/summary.md")
  # With the SARIF uploaded, code scanning annotates the pull request itself.
  [ "${INPUT_UPLOAD_SARIF:-false}" = "true" ] || reports+=(-o "github=$tmp/annotations.txt")

  # One scan writes every report; its exit status is the action's.
  "$walint" scan "${PATHS[@]}" "${opts[@]}" "${reports[@]}"
  code=$?
  output exit-code "$code"
  if [ "$code" -ge 2 ]; then
    echo "::error title=walint::walint stopped with exit status $code (see the message above)"
    rm -rf "$tmp"
    return 0
  fi
  case "$sarif" in /*) ;; *) sarif="$PWD/$sarif" ;; esac
  output sarif-file "$sarif"
  [ -f "$tmp/annotations.txt" ] && cap_annotations "$tmp/annotations.txt"
  [ -n "${GITHUB_STEP_SUMMARY:-}" ] && append_summary "$tmp/summary.md"
  rm -rf "$tmp"
  return 0
}

finish() {
  local code="${WALINT_EXIT_CODE:-}"
  if [ -z "$code" ]; then
    echo "::error title=walint::walint did not run (see the steps above)"
    exit 2
  fi
  exit "$code"
}

case "${1:-}" in
  prepare) prepare "${2:-}" ;;
  install) install "${2:-}" ;;
  scan) scan ;;
  finish) finish ;;
  *) echo "usage: $0 prepare|install|scan|finish" >&2; exit 2 ;;
esac
