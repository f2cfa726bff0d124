#!/usr/bin/env bash
# `make bench-floor`: how much of the 2-core budget signed webhook ingest leaves to the store. The ingest benchmark's
# closed loop (64 connections) against bench_http_floor doing none, then part, of the webhook path without storing,
# then against `parley serve` itself. Prints, for each: requests/s, p50/p99, the server's CPU time per request (user
# and system, from /proc) and the load generator's own.
set -euo pipefail
build_dir=${1:-build}
cd "$(dirname "$0")/.."
duration=${BENCH_DURATION:-6}
ticks=$(getconf CLK_TCK)
log=$(mktemp)
data=$(mktemp -d)
server_pid=
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$log" "$data"' EXIT

# measure NAME: runs the generator against $port and prints one line about $server_pid.
measure() {
  read -r user0 sys0 < <(awk '{print $14, $15}' "/proc/$server_pid/stat")
  result=$("$build_dir/bench/bench_ingest_load" --port "$port" --secret bench-secret --connections 64 \
    --duration "$duration" --warmup 1)
  read -r user1 sys1 < <(awk '{print $14, $15}' "/proc/$server_pid/stat")
  ok=$(sed -E 's/.*"ok":([0-9]+).*/\1/' <<<"$result")
  field() { sed -E "s/.*\"$1\":([0-9.eE+-]+).*/\1/" <<<"$result"; }
  awk -v name="$1" -v rps="$(field requests_per_s)" -v p50="$(field p50_ms)" -v p99="$(field p99_ms)" \
    -v gen="$(field generator_cpu_us)" -v user=$((user1 - user0)) -v sys=$((sys1 - sys0)) -v ok="$ok" -v ticks="$ticks" \
    'BEGIN { printf "%-16s %8.0f req/s  p50 %5.2f ms  p99 %5.2f ms  server %3.0f us user + %3.0f us sys  generator %3.0f us\n",
             name, rps, p50, p99, user * 1e6 / ticks / ok, sys * 1e6 / ticks / ok, gen }'
}

for work in none verify parse; do
  "$build_dir/bench/bench_http_floor" --work "$work" > "$log" 2> /dev/null &
  server_pid=$!
  for _ in $(seq 50); do [ -s "$log" ] && break; sleep 0.1; done
  port=$(head -1 "$log")
  measure "floor: $work"
  kill $server_pid
  wait $server_pid || true
done

export PARLEY_DATA_DIR=$data PARLEY_LISTEN=127.0.0.1:0 WHATSAPP_APP_SECRET=bench-secret
export PARLEY_BATCH_WINDOW_MS=600000 PARLEY_BATCH_MAX_WAIT_MS=600000 PARLEY_LOG_LEVEL=warn
tenant=$("$build_dir/parley" tenant create --name Bench | sed -E 's/.*"tenant_id":([0-9]+).*/\1/')
"$build_dir/parley" channel add whatsapp --tenant "$tenant" --phone-number-id bench-phone-number-id \
  --access-token t > /dev/null
"$build_dir/parley" serve 2> "$log" &
server_pid=$!
for _ in $(seq 100); do grep -q '"event":"listening"' "$log" && break; sleep 0.1; done
port=$(grep '"event":"listening"' "$log" | sed -E 's/.*"port":([0-9]+).*/\1/')
measure "parley serve"
