#!/usr/bin/env bash
# Builds the webhook parser fuzz targets (tests/fuzz) with clang, ASan and UBSan, and runs each for N seconds
# (default 20), seeded with the recorded payloads in tests/data/<platform>. Exits non-zero on any crash, sanitizer
# report or timeout; the reproducer is left in build-fuzz/<platform>-crash-*.
#   scripts/fuzz.sh [seconds]
set -euo pipefail

seconds=${1:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PARLEY_FUZZ_BUILD_DIR:-$root/build-fuzz}

cmake -S "$root/tests/fuzz" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ >/dev/null
ninja -C "$build" -j2

for platform in whatsapp instagram; do
  # New inputs go to the git-ignored fuzz-corpus/, so runs build on each other without touching the fixtures.
  corpus=$root/fuzz-corpus/$platform
  mkdir -p "$corpus"
  echo "fuzz: $platform for ${seconds}s"
  "$build/${platform}_parse_fuzz" -max_total_time="$seconds" -timeout=10 -max_len=65536 -print_final_stats=1 \
    -dict="$root/tests/fuzz/json.dict" -artifact_prefix="$build/$platform-" "$corpus" "$root/tests/data/$platform"
done
echo "fuzz: no crash"
