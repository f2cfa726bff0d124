#!/usr/bin/env bash
# `make bench` step 1 (signed webhook ingest, closed loop, 64 connections) for one binary, plus what the background
# search indexer (migration 0020) adds: how long after its webhook's 200 a message is found by the inbox search
# while the load runs (5 probes), the backlog left at the end of the load and the server CPU spent catching up.
#   bash bench/ingest_search_lag.sh [BUILD_DIR] [PARLEY_BINARY]
# BENCH_DURATION (10 s) as in bench/run.sh.
set -euo pipefail
build_dir=${1:-build}
cd "$(dirname "$0")/.."
parley=${2:-$build_dir/parley}
duration=${BENCH_DURATION:-10}

data=$(mktemp -d)
server_log=$(mktemp)
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$data" "$server_log"' EXIT
export PARLEY_DATA_DIR=$data PARLEY_LISTEN=127.0.0.1:0 WHATSAPP_APP_SECRET=bench-secret
export PARLEY_BATCH_WINDOW_MS=600000 PARLEY_BATCH_MAX_WAIT_MS=600000 PARLEY_LOG_LEVEL=warn
created=$("$parley" tenant create --name Bench)
tenant=$(sed -E 's/.*"tenant_id":([0-9]+).*/\1/' <<<"$created")
api_key=$(sed -E 's/.*"api_key":"([^"]+)".*/\1/' <<<"$created")
"$parley" channel add whatsapp --tenant "$tenant" --phone-number-id bench-phone-number-id --access-token t > /dev/null
"$parley" serve 2> "$server_log" &
server_pid=$!
for _ in $(seq 100); do grep -q '"event":"listening"' "$server_log" && break; sleep 0.1; done
port=$(grep '"event":"listening"' "$server_log" | sed -E 's/.*"port":([0-9]+).*/\1/')
db=$(ls "$data"/*.db | head -1)

server_cpu() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
ticks=$(getconf CLK_TCK)
now_ms() { date +%s%3N; }

# A message with a word of its own, then the time until GET /api/conversations?q=<word> finds it.
probe() {
  local word="probe${1}x$RANDOM" body signature accepted found
  body='{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"bench-phone-number-id"},"contacts":[{"profile":{"name":"Probe"},"wa_id":"3399900000'"$1"'"}],"messages":[{"from":"3399900000'"$1"'","id":"wamid.PROBE.'"$word"'","timestamp":"'"$(date +%s)"'","type":"text","text":{"body":"lag '"$word"'"}}]},"field":"messages"}]}]}'
  signature=$(printf '%s' "$body" | openssl dgst -sha256 -hmac bench-secret | sed 's/.*= //')
  curl -sf -o /dev/null -X POST "http://127.0.0.1:$port/api/whatsapp/webhook" -H 'Content-Type: application/json' \
    -H "X-Hub-Signature-256: sha256=$signature" --data-binary "$body"
  accepted=$(now_ms)
  while true; do
    found=$(curl -sf -H "Authorization: Bearer $api_key" "http://127.0.0.1:$port/api/conversations?q=$word&limit=1")
    [[ $found == *'"id":'* ]] && break
    sleep 0.02
  done
  echo "search lag probe $1: $(( $(now_ms) - accepted )) ms"
}

echo "== ingest, closed loop, 64 connections, ${duration}s ($parley)"
cpu_before=$(server_cpu)
"$build_dir/bench/bench_ingest_load" --port "$port" --secret bench-secret --connections 64 --duration "$duration" \
  > "$data/result" &
load_pid=$!
sleep 3  # the load generator's warm-up (2 s) and a second of load
for i in 1 2 3 4 5; do probe "$i"; sleep 1; done
wait $load_pid
cpu_after=$(server_cpu)
result=$(cat "$data/result")
echo "$result"
requests=$(sed -E 's/.*"ok":([0-9]+).*/\1/' <<<"$result")
echo "server CPU per webhook: $(( (cpu_after - cpu_before) * 1000000 / ticks / requests )) us"
if sqlite3 -readonly "$db" 'SELECT 1 FROM search_index_state' > /dev/null 2>&1; then
  backlog=$(sqlite3 -readonly "$db" 'SELECT (SELECT MAX(id) FROM messages) - messages_through FROM search_index_state')
  start=$(now_ms)
  while [[ $(sqlite3 -readonly "$db" 'SELECT (SELECT MAX(id) FROM messages) - messages_through FROM search_index_state') != 0 ]]; do
    sleep 0.05
  done
  cpu_caught_up=$(server_cpu)
  echo "index backlog at the end of the load: $backlog messages, caught up in $(( $(now_ms) - start )) ms"
  echo "server CPU per webhook, indexing included: $(( (cpu_caught_up - cpu_before) * 1000000 / ticks / requests )) us"
fi
kill -TERM $server_pid
wait $server_pid || true
