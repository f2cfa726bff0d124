#!/usr/bin/env bash
# `make bench-soak`: signed webhook ingest held for several minutes against one server, as in production, in windows
# of a minute each, one after the other without a pause, so that a tail that grows with the database (checkpoints,
# page cache, index depth) shows as a trend instead of vanishing into one average. Each window prints the load generator's figures, the server's resident
# memory, the size of the database with its WAL, and what the store's writer did (bench/metrics_window.py). The
# debounce window is the longest allowed (10 min) by default: past it, replies to the 10,000 conversations start to be
# made (by the offline agent, sent to a Graph API that the closed network makes unreachable) while ingest goes on;
# a shorter max_wait_ms puts that load inside the run on purpose.
#   bench/soak.sh [build_dir] [minutes] [connections] [max_wait_ms]
set -euo pipefail
build_dir=${1:-build}
minutes=${2:-10}
connections=${3:-64}
max_wait_ms=${4:-600000}
cd "$(dirname "$0")/.."
parley=$build_dir/parley

data=$(mktemp -d)
server_log=$(mktemp)
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$data" "$server_log"' EXIT
export PARLEY_DATA_DIR=$data PARLEY_LISTEN=127.0.0.1:0 WHATSAPP_APP_SECRET=bench-secret
export PARLEY_BATCH_WINDOW_MS=$max_wait_ms PARLEY_BATCH_MAX_WAIT_MS=$max_wait_ms PARLEY_LOG_LEVEL=warn
tenant=$("$parley" tenant create --name Soak | sed -E 's/.*"tenant_id":([0-9]+).*/\1/')
"$parley" channel add whatsapp --tenant "$tenant" --phone-number-id bench-phone-number-id --access-token t > /dev/null
"$parley" serve 2> "$server_log" &
server_pid=$!
for _ in $(seq 100); do grep -q '"event":"listening"' "$server_log" && break; sleep 0.1; done
port=$(grep '"event":"listening"' "$server_log" | sed -E 's/.*"port":([0-9]+).*/\1/')

scrape() { curl -sf "http://127.0.0.1:$port/metrics" > "$1"; }
metrics_before=$(mktemp) metrics_after=$(mktemp)
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$data" "$server_log" "$metrics_before" "$metrics_after"' EXIT
scrape "$metrics_before"

echo "soak: ${minutes} windows of 60 s, ${connections} connections, $(nproc) cores, $(date -u +%FT%TZ)"
# One load generator for every window, so the load never pauses between them; each result line comes a second after
# its window ends, while the next is under way.
minute=0
while read -r result; do
  minute=$((minute + 1))
  if ! kill -0 "$server_pid" 2>/dev/null; then
    wait "$server_pid" && status=0 || status=$?
    echo "minute $minute: the server died (exit status $status); its last log lines:"
    tail -n 20 "$server_log"
    exit 1
  fi
  rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")
  db_mb=$(du -cm "$data"/parley.db* | awk 'END {print $1}')
  # The machine is shared: the load average beside each window says what else ran.
  echo "minute $minute: $result rss_mb=$((rss_kb / 1024)) db_mb=$db_mb load=$(cut -d' ' -f1-3 /proc/loadavg)"
  # What the store's writer did in the same window (give or take the second the line takes to come), to tell which
  # stage a tail belongs to.
  scrape "$metrics_after"
  echo "  writer: $(python3 bench/metrics_window.py "$metrics_before" "$metrics_after")"
  mv "$metrics_after" "$metrics_before"
done < <("$build_dir/bench/bench_ingest_load" --port "$port" --secret bench-secret --connections "$connections" \
  --duration 60 --windows "$minutes" --warmup 0 --customers 10000)
grep -v '"level":"info"' "$server_log" | head -20 || true
