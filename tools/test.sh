#!/usr/bin/env bash
# The project's test command (README "Test"). Runs:
#   - tests/KraftInfra.Cluster.Tests always: the Cluster library, its scripts, units and
#     cloud-config checked with the real tools (shellcheck, systemd-analyze, cloud-init);
#   - tests/KraftInfra.Tests, the Pulumi mock tests, whenever the Pulumi packages can be
#     restored. When they can't (a NuGet source without them), it says so and skips that
#     project, unless KRAFT_REQUIRE_PULUMI_TESTS=1, which turns the skip into a failure (CI on
#     GitHub sets it).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

passed=0 failed=0 skipped=0 status=0
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

# run_tests PROJECT: dotnet test, output shown as it runs, counts added to the totals.
run_tests() {
  local project=$1 log
  log="$results/$(basename "$project").log"
  echo "== dotnet test $project"
  dotnet test "$project" --nologo 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  # vstest's summary: "Passed!  - Failed:     0, Passed:   140, Skipped:     0, Total:   140, ..."
  local line
  line=$(grep -E '(Passed|Failed)!  - Failed:' "$log" | tail -n 1)
  if [ -z "$line" ]; then
    echo "tools/test.sh: $project ran no tests (exit $rc)" >&2
    failed=$((failed + 1)); status=1; return
  fi
  passed=$((passed + $(sed -E 's/.*Passed: *([0-9]+).*/\1/' <<< "$line")))
  failed=$((failed + $(sed -E 's/.*Failed: *([0-9]+),.*/\1/' <<< "$line")))
  skipped=$((skipped + $(sed -E 's/.*Skipped: *([0-9]+).*/\1/' <<< "$line")))
  [ "$rc" -eq 0 ] || status=1
}

run_tests tests/KraftInfra.Cluster.Tests

pulumi_tests=tests/KraftInfra.Tests
if [ -d "$pulumi_tests" ]; then
  restore_log="$results/restore.log"
  if dotnet restore "$pulumi_tests" --nologo > "$restore_log" 2>&1; then
    run_tests "$pulumi_tests"
  else
    reason=$(grep -oE "Unable to find package [A-Za-z.]+[^.]*" "$restore_log" | sort -u | head -n 8 | paste -sd ';' -)
    echo "== SKIPPED $pulumi_tests (the Pulumi mock tests): its packages could not be restored: ${reason:-see the restore output below}"
    [ -n "$reason" ] || tail -n 20 "$restore_log"
    if [ "${KRAFT_REQUIRE_PULUMI_TESTS:-0}" = 1 ]; then
      echo "tools/test.sh: KRAFT_REQUIRE_PULUMI_TESTS=1, so a skipped Pulumi test project is a failure" >&2
      status=1
    fi
  fi
fi

echo "summary: ${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
