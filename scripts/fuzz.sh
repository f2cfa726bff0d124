#!/usr/bin/env bash
# Builds the parser fuzz targets (tests/fuzz: the webhook parsers and the multipart parser) with clang, ASan and
# UBSan, and runs each for N seconds (default 20), seeded with tests/data/<target> (recorded payloads, upload
# bodies). Exits non-zero on any crash, sanitizer report or timeout; the reproducer is left in
# build-fuzz/<target>-crash-*.
#   scripts/fuzz.sh [seconds]
set -euo pipefail

seconds=${1:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PARLEY_FUZZ_BUILD_DIR:-$root/build-fuzz}

cmake -S "$root/tests/fuzz" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ >/dev/null
ninja -C "$build" -j2

# Every tests/fuzz/<target>_parse_fuzz.cpp: each platform's webhook parser, and the multipart parser.
targets=$(cd "$root/tests/fuzz" && ls ./*_parse_fuzz.cpp | sed 's|^\./||; s|_parse_fuzz\.cpp$||')
for target in $targets; do
  # New inputs go to the git-ignored fuzz-corpus/, so runs build on each other without touching the fixtures.
  corpus=$root/fuzz-corpus/$target
  mkdir -p "$corpus"
  dict=()
  if [[ $target != multipart ]]; then dict=(-dict="$root/tests/fuzz/json.dict"); fi
  echo "fuzz: $target for ${seconds}s"
  "$build/${target}_parse_fuzz" -max_total_time="$seconds" -timeout=10 -max_len=65536 -print_final_stats=1 \
    "${dict[@]}" -artifact_prefix="$build/$target-" "$corpus" "$root/tests/data/$target"
done
echo "fuzz: no crash"
