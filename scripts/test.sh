#!/usr/bin/env bash
# Runs every test suite and prints one summary line: "tests: N passed, N failed", after the names of the tests that
# failed (the fuzz runs print pages after CTest's own list, and a CI log is often read from its tail).
set -uo pipefail
build_dir=${1:-build}
cd "$(dirname "$0")/.."

ctest_log=$(mktemp)
ctest --test-dir "$build_dir" --output-on-failure -j 2 --timeout 300 2>&1 | tee "$ctest_log"
ctest_status=${PIPESTATUS[0]}
summary=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$ctest_log" | tail -n 1)
total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")
failed=$(sed -E 's/.*passed, ([0-9]+) tests failed.*/\1/' <<<"$summary")
total=${total:-0}
failed=${failed:-1}
failed_names=$(sed -n '/The following tests FAILED:/,/^Errors while running CTest/p' "$ctest_log" | grep -E '^\s+[0-9]+ - ')
rm -f "$ctest_log"

fuzz_failed=0
if bash scripts/fuzz.sh "${PARLEY_FUZZ_SECONDS:-15}"; then
  total=$((total + 1))
else
  total=$((total + 1))
  failed=$((failed + 1))
  fuzz_failed=1
fi

passed=$((total - failed))
if [[ -n $failed_names ]]; then
  echo "failed:"
  echo "$failed_names"
fi
if [[ $fuzz_failed -ne 0 ]]; then echo "failed: scripts/fuzz.sh"; fi
echo "tests: ${passed} passed, ${failed} failed"
if [[ $ctest_status -ne 0 || $fuzz_failed -ne 0 || $failed -ne 0 ]]; then
  exit 1
fi
