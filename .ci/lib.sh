# Helpers for .ci/run (sourced, not executed): stage bookkeeping, retries, README parsing.
# shellcheck shell=bash

CI_STAGES=()     # "name|status|seconds|note" in run order
CI_T0=$(date +%s)

ci_log() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
ci_warn() { printf '::warning:: %s\n' "$*" >&2; }
ci_err() { printf '::error:: %s\n' "$*" >&2; }

# retry CMD...: run once, and once more after a pause if it fails (flaky mirrors, apt locks).
retry() {
  "$@" && return 0
  ci_warn "failed (rc=$?): $*; retrying in ${RETRY_PAUSE:-20}s"
  sleep "${RETRY_PAUSE:-20}"
  "$@"
}

# have_stage NAME: true when stage NAME ran and passed (or warned).
stage_ok() {
  local s
  for s in "${CI_STAGES[@]}"; do
    [[ $s == "$1|PASS|"* || $s == "$1|WARN|"* ]] && return 0
  done
  return 1
}

# run_stage NAME FUNC [needs...]: runs FUNC in a subshell with `set -euo pipefail`, output
# teed to $CI_LOGS/NAME.log. FUNC's exit code: 0 PASS, 78 WARN (non-fatal), 77 SKIP, else FAIL.
# A stage whose prerequisite stage did not pass is skipped (and counts as failed).
run_stage() {
  local name=$1 fn=$2 dep
  shift 2
  for dep in "$@"; do
    if ! stage_ok "$dep"; then
      ci_log "stage $name: SKIPPED (needs stage '$dep', which did not pass)"
      CI_STAGES+=("$name|SKIP|0|needs $dep")
      return
    fi
  done
  ci_log "stage $name ($(date -u +%H:%M:%S) UTC)"
  local t0 rc status
  t0=$(date +%s)
  (set -euo pipefail; "$fn") 2>&1 </dev/null | tee "$CI_LOGS/$name.log"
  rc=${PIPESTATUS[0]}
  case $rc in
    0) status=PASS ;;
    77) status=SKIP ;;
    78) status=WARN ;;
    *) status=FAIL ;;
  esac
  local dt=$(($(date +%s) - t0))
  CI_STAGES+=("$name|$status|$dt|rc=$rc")
  ci_log "stage $name: $status in $(fmt_secs "$dt") (rc=$rc, log $CI_LOGS/$name.log)"
}

fmt_secs() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# print_summary: table of stages; returns 1 when a stage failed or was skipped for a failure.
print_summary() {
  local s name status dt note failed=0
  printf '\n================ CI summary ================\n'
  printf '%-14s %-5s %8s  %s\n' stage result time note
  for s in "${CI_STAGES[@]}"; do
    IFS='|' read -r name status dt note <<<"$s"
    printf '%-14s %-5s %8s  %s\n' "$name" "$status" "$(fmt_secs "$dt")" "$note"
    case $status in
      FAIL) failed=1 ;;
      SKIP) [[ $note == needs* ]] && failed=1 ;;
    esac
  done
  printf '%-14s %-5s %8s\n' total "$([[ $failed == 0 ]] && echo PASS || echo FAIL)" \
    "$(fmt_secs $(($(date +%s) - CI_T0)))"
  printf '============================================\n'
  return "$failed"
}

# readme_test_command FILE: the commands inside the ```bash fence between
# <!-- test-command --> and <!-- /test-command -->. Fails loudly when absent or empty.
readme_test_command() {
  local readme=$1 cmd
  [[ -f $readme ]] || { ci_err "$readme not found"; return 1; }
  if ! grep -q '^<!-- test-command -->' "$readme" || ! grep -q '^<!-- /test-command -->' "$readme"; then
    ci_err "$readme lacks the <!-- test-command --> ... <!-- /test-command --> markers"
    return 1
  fi
  cmd=$(awk '
    /^<!-- test-command -->/ { inblock = 1; next }
    /^<!-- \/test-command -->/ { inblock = 0; next }
    inblock && /^```bash[[:space:]]*$/ { fence = 1; next }
    inblock && fence && /^```[[:space:]]*$/ { fence = 0; found = 1; next }
    inblock && fence && !found && NF && $1 !~ /^#/ { print }
  ' "$readme")
  if [[ -z $cmd ]]; then
    ci_err "no command in a \`\`\`bash fence between the test-command markers of $readme"
    return 1
  fi
  printf '%s\n' "$cmd"
}
