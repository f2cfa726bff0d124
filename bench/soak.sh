#!/usr/bin/env bash
# `make bench-soak`: signed webhook ingest held for several minutes against one server, as in production, in windows
# of a minute each, so that a tail that grows with the database (checkpoints, page cache, index depth) shows as a
# trend instead of vanishing into one average. Each window prints the load generator's figures, the server's resident
# memory and the size of the database with its WAL. The debounce window is the longest allowed (10 min): past it,
# replies to the 10,000 conversations would start to be made (by the offline agent) and measured with the ingest.
#   bench/soak.sh [build_dir] [minutes] [connections]
set -euo pipefail
build_dir=${1:-build}
minutes=${2:-10}
connections=${3:-64}
cd "$(dirname "$0")/.."
parley=$build_dir/parley

data=$(mktemp -d)
server_log=$(mktemp)
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$data" "$server_log"' EXIT
export PARLEY_DATA_DIR=$data PARLEY_LISTEN=127.0.0.1:0 WHATSAPP_APP_SECRET=bench-secret
export PARLEY_BATCH_WINDOW_MS=600000 PARLEY_BATCH_MAX_WAIT_MS=600000 PARLEY_LOG_LEVEL=warn
tenant=$("$parley" tenant create --name Soak | sed -E 's/.*"tenant_id":([0-9]+).*/\1/')
"$parley" channel add whatsapp --tenant "$tenant" --phone-number-id bench-phone-number-id --access-token t > /dev/null
"$parley" serve 2> "$server_log" &
server_pid=$!
for _ in $(seq 100); do grep -q '"event":"listening"' "$server_log" && break; sleep 0.1; done
port=$(grep '"event":"listening"' "$server_log" | sed -E 's/.*"port":([0-9]+).*/\1/')

echo "soak: ${minutes} windows of 60 s, ${connections} connections, $(nproc) cores, $(date -u +%FT%TZ)"
for minute in $(seq "$minutes"); do
  result=$("$build_dir/bench/bench_ingest_load" --port "$port" --secret bench-secret --connections "$connections" \
    --duration 60 --warmup 0 --customers 10000 --run-id "soak$minute")
  if ! kill -0 "$server_pid" 2>/dev/null; then
    wait "$server_pid" && status=0 || status=$?
    echo "minute $minute: the server died (exit status $status); its last log lines:"
    tail -n 20 "$server_log"
    exit 1
  fi
  rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")
  db_mb=$(du -cm "$data"/parley.db* | awk 'END {print $1}')
  echo "minute $minute: $result rss_mb=$((rss_kb / 1024)) db_mb=$db_mb"
done
grep -v '"level":"info"' "$server_log" | head -20 || true
