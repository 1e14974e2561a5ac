#!/usr/bin/env bash
# The shell steps of walint's GitHub Action (action.yml), kept here so that they can be
# run and tested outside GitHub:
#
#   scripts/action.sh install [DIR]   install walint from the action's checkout (DIR) into a venv
#   scripts/action.sh scan      run walint: SARIF to a file, annotations, step summary
#   scripts/action.sh finish    end with walint's exit status
#
# Inputs come as environment variables, as action.yml passes them:
#   INPUT_PATHS       files or directories, separated by whitespace (or by newlines when a
#                     path holds a space); default "."
#   INPUT_PROFILE     development | mvp | production | regulated (empty: the configuration's)
#   INPUT_FAIL_ON     error | warning | note | never (empty: the configuration's, else error)
#   INPUT_ARGS        more arguments for `walint scan`, split like a shell would (no expansion)
#   INPUT_SARIF_FILE  where the SARIF report goes; default walint.sarif
#   WALINT            the walint command (default: the one `install` put in place, else walint)
# GitHub's own: GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP.
set -uo pipefail

venv_dir() { printf '%s/walint-venv' "${RUNNER_TEMP:-${TMPDIR:-/tmp}}"; }

find_walint() {
  if [ -n "${WALINT:-}" ]; then printf '%s' "$WALINT"; return; fi
  local installed
  installed="$(venv_dir)/bin/walint"
  if [ -x "$installed" ]; then printf '%s' "$installed"; else printf 'walint'; fi
}

python_cmd() {
  if command -v python3 >/dev/null 2>&1; then printf 'python3'; else printf 'python'; fi
}

install() {
  # the action's checkout: ${{ github.action_path }}, which holds this script
  local checkout="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
  local venv
  venv="$(venv_dir)"
  "$(python_cmd)" -m venv "$venv" || return 2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$checkout" || return 2
  "$venv/bin/walint" --version
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

output() { [ -n "${GITHUB_OUTPUT:-}" ] && printf '%s=%s\n' "$1" "$2" >> "$GITHUB_OUTPUT"; return 0; }

scan() {
  local walint sarif code
  walint="$(find_walint)"
  sarif="${INPUT_SARIF_FILE:-walint.sarif}"
  split_paths
  split_args || { output exit-code 2; return 0; }
  local opts=()
  [ -n "${INPUT_PROFILE:-}" ] && opts+=(--profile "$INPUT_PROFILE")
  [ -n "${INPUT_FAIL_ON:-}" ] && opts+=(--fail-on "$INPUT_FAIL_ON")
  opts+=("${ARGS[@]}")

  # 1. SARIF for code scanning; its exit status is the action's.
  "$walint" scan "${PATHS[@]}" "${opts[@]}" --format sarif --output "$sarif"
  code=$?
  output exit-code "$code"
  if [ "$code" -ge 2 ]; then
    echo "::error title=walint::walint stopped with exit status $code (see the message above)"
    return 0
  fi
  output sarif-file "$sarif"
  # 2. Annotations on the changed lines (diagnostics were already printed once).
  "$walint" scan "${PATHS[@]}" "${opts[@]}" --format github 2>/dev/null
  # 3. The step summary: scorecard, findings, topology.
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    "$walint" scan "${PATHS[@]}" "${opts[@]}" --format markdown 2>/dev/null >> "$GITHUB_STEP_SUMMARY"
  fi
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
  install) install "${2:-}" ;;
  scan) scan ;;
  finish) finish ;;
  *) echo "usage: $0 install|scan|finish" >&2; exit 2 ;;
esac
