#!/usr/bin/env bash
# Knowledge ingestion and retrieval on a synthetic corpus (bench/knowledge_bench.cpp), in a fresh data directory
# that is removed afterwards. `make bench` runs it at 100,000 chunks; the 1,000,000-chunk run takes about half an
# hour on 2 vCPU (8 minutes of ingestion, 16 building the HNSW graph, the rest measuring) and is its own target:
#   make bench-knowledge CHUNKS=1000000
#   make bench-knowledge CHUNKS=1000000 QUERIES=500 BENCH_ARGS='--ef-sweep 40,64,128'
# BENCH_DATA_DIR=DIR keeps the data directory, so a later run can pass --reuse to measure retrieval again
# without re-ingesting.
set -euo pipefail
build_dir=${1:-build}
chunks=${2:-100000}
queries=${3:-1000}
cd "$(dirname "$0")/.."
if [[ -n "${BENCH_DATA_DIR:-}" ]]; then
  data=$BENCH_DATA_DIR
else
  data=$(mktemp -d)
  trap 'rm -rf "$data"' EXIT
fi
# shellcheck disable=SC2086  # BENCH_ARGS is a list of flags.
"$build_dir/bench/bench_knowledge" --chunks "$chunks" --queries "$queries" --data-dir "$data" ${BENCH_ARGS:-}
