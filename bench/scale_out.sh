#!/usr/bin/env bash
# `make bench-scale-out` (issue 18 §3): what a second gateway and a second worker add, on real PostgreSQL 15 (durable:
# fsync, synchronous_commit and full_page_writes on) and Redis 7 started on 127.0.0.1 by scripts/test_servers.sh.
#   1. Signed webhook ingest (bench_ingest_load, 64 connections in all, SECONDS each) through one gateway, then two
#      (one load generator per gateway, connections split): webhooks/s, p50/p99, CPU ms per stored webhook of each
#      gateway, of PostgreSQL (every process of the server) and of Redis. Measured in steady state: first
#      INGEST_WARMUP_SECONDS (10) of the same load through the first gateway, so that every customer is known, then
#      ANALYZE, as autovacuum would do within a minute.
#   2. Replies: CONVERSATIONS conversations of one message each are stored through a gateway with no worker running,
#      then one worker (then two) is started and timed until every conversation has its reply sent (counted in
#      PostgreSQL). The away message answers at once and tests/fake_graph_server accepts the sends, so the figures
#      are Parley's and the store's alone. After the two-worker run, both idle for 10 s: their CPU per second.
#   3. Take-over: the same with two workers, one killed with SIGKILL once half the conversations are answered; the
#      time until the rest are answered (the killed worker's claims come back with the sweep, every
#      PARLEY_PROCESSING_TIMEOUT_MS; its replies committed but not sent, with their send lease, PARLEY_SEND_LEASE_MS).
# CPU is read from /proc/<pid>/stat (utime + stime, and for PostgreSQL's postmaster its reaped children's too).
#   bench/scale_out.sh [build_dir] [seconds] [conversations] [parts]
# parts: a comma-separated subset of ingest,replies,takeover (all three by default).
set -euo pipefail
build_dir=$(realpath "${1:-build}")
seconds=${2:-20}
conversations=${3:-5000}
parts=${4:-ingest,replies,takeover}
warmup_seconds=${INGEST_WARMUP_SECONDS:-10}
processing_timeout_ms=${PARLEY_PROCESSING_TIMEOUT_MS:-10000}
cd "$(dirname "$0")/.."
parley=$build_dir/parley
load=$build_dir/bench/bench_ingest_load
# Under the build directory rather than /tmp: PostgreSQL runs as the `postgres` user and must reach its directory.
servers=$build_dir/scale-out-servers
work=$(mktemp -d)
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
  scripts/test_servers.sh stop "$servers" > /dev/null 2>&1 || true
  rm -rf "$servers" "$work"
}
trap cleanup EXIT

TEST_SERVERS_DURABLE=1 scripts/test_servers.sh start "$servers" > /dev/null
pg_url=$(cat "$servers/postgres.url")
pg_server=${pg_url%/*}
postmaster=$(head -n 1 "$servers/postgres/postmaster.pid")
redis_pid=$(cat "$servers/redis.pid")
hz=$(getconf CLK_TCK)

"$build_dir/tests/fake_graph_server" > "$work/graph.out" 2> "$work/graph.err" &
graph_pid=$!
pids+=("$graph_pid")
for _ in $(seq 100); do grep -q '"listening"' "$work/graph.out" && break; sleep 0.1; done
graph_url=$(jq -r .graph_url "$work/graph.out")

PARLEY_REDIS_URL=$(cat "$servers/redis.url")
PARLEY_MASTER_KEY=$(openssl rand -hex 32)
export PARLEY_REDIS_URL PARLEY_MASTER_KEY
export PARLEY_LISTEN=127.0.0.1:0 PARLEY_LOG_LEVEL=warn WHATSAPP_APP_SECRET=bench-secret
export PARLEY_GRAPH_API_BASE_URL=$graph_url PARLEY_RESPONDER=away_message
export PARLEY_BATCH_WINDOW_MS=50 PARLEY_BATCH_MAX_WAIT_MS=200 PARLEY_PROCESSING_TIMEOUT_MS=$processing_timeout_ms

# CPU clock ticks of a process so far (0 once it is gone), and of PostgreSQL: the postmaster, the backends it has
# reaped, and every live child.
ticks() { awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat" 2> /dev/null || echo 0; }
pg_ticks() {
  local total child
  total=$(ticks "$postmaster")
  for child in $(ps -o pid= --ppid "$postmaster"); do total=$((total + $(ticks "$child"))); done
  echo "$total"
}
# Milliseconds of CPU per item: ms_per TICKS ITEMS.
ms_per() { awk -v t="$1" -v n="$2" -v hz="$hz" 'BEGIN {printf "%.3f", (n > 0) ? t * 1000 / hz / n : 0}'; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }

# A fresh database with one tenant and its WhatsApp channel; sets PARLEY_DATABASE_URL.
fresh_database() {
  psql -q "$pg_url" -c "CREATE DATABASE $1"
  export PARLEY_DATABASE_URL=$pg_server/$1
  local data=$work/cli-$1 tenant
  mkdir -p "$data"
  tenant=$(PARLEY_DATA_DIR=$data "$parley" tenant create --name Bench | jq .tenant_id)
  PARLEY_DATA_DIR=$data "$parley" channel add whatsapp --tenant "$tenant" --phone-number-id bench-phone-number-id \
    --access-token bench-token > /dev/null
}

# Starts `parley serve --role ROLE` named NAME; sets started_pid and started_port.
start_parley() {
  local role=$1 name=$2
  mkdir -p "$work/$name"
  PARLEY_ROLE=$role PARLEY_DATA_DIR=$work/$name "$parley" serve 2> "$work/$name.log" &
  started_pid=$!
  pids+=("$started_pid")
  for _ in $(seq 300); do grep -q '"listening"' "$work/$name.log" && break; sleep 0.1; done
  started_port=$(grep '"listening"' "$work/$name.log" | head -n 1 | sed -E 's/.*"port":([0-9]+).*/\1/')
  [[ -n $started_port ]] || { echo "$name did not start:"; tail -n 20 "$work/$name.log"; exit 1; }
}

stop_parley() { kill "$1"; wait "$1" 2> /dev/null || true; }

count() { psql -qtA "$PARLEY_DATABASE_URL" -c "$1"; }
sent_replies() {
  count "SELECT COUNT(*) FROM messages WHERE direction = 'out' AND status IN ('sent', 'delivered', 'read')"
}
# Polls every 0.25 s until at least N replies are sent (at most 10 minutes).
wait_replies() {
  for _ in $(seq 2400); do (($(sent_replies) >= $1)) && return 0; sleep 0.25; done
  echo "only $(sent_replies) of $1 replies sent"
  exit 1
}

echo "scale-out: durable PostgreSQL 15 + Redis 7 on loopback, $(nproc) cores," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)," \
  "$(date -u +%FT%TZ); ingest ${seconds} s x 64 connections; ${conversations} conversations;" \
  "batch window 50 ms; processing timeout ${processing_timeout_ms} ms"

declare -A rate
ingest() {
  local gateways=$1 i gateway_pids=() ports=() load_pids=() before=() pg_before redis_before stored_before stored
  fresh_database "ingest$gateways"
  for ((i = 1; i <= gateways; i++)); do
    start_parley gateway "ingest$gateways-gateway$i"
    gateway_pids+=("$started_pid")
    ports+=("$started_port")
  done
  # Steady state, as a deployment meets it after its first minute: the 10,000 customers known (each has its contact
  # and open conversation), and the tables analyzed, as autovacuum does within a minute of the first writes. A fresh
  # database's plans, made while its tables were empty, scan them whole until then.
  "$load" --port "${ports[0]}" --secret bench-secret --connections 64 --duration "$warmup_seconds" --warmup 0 \
    --customers 10000 --run-id "w$gateways" > /dev/null
  psql -q "$PARLEY_DATABASE_URL" -c ANALYZE
  stored_before=$(count "SELECT COUNT(*) FROM messages WHERE direction = 'in'")
  for pid in "${gateway_pids[@]}"; do before+=("$(ticks "$pid")"); done
  pg_before=$(pg_ticks) redis_before=$(ticks "$redis_pid")
  for ((i = 0; i < gateways; i++)); do
    "$load" --port "${ports[$i]}" --secret bench-secret --connections $((64 / gateways)) --duration "$seconds" \
      --warmup 2 --customers 10000 --run-id "g$gateways.$i" > "$work/load$gateways.$i.json" &
    load_pids+=($!)
  done
  local load_failed=0
  for pid in "${load_pids[@]}"; do wait "$pid" || load_failed=1; done
  stored=$(($(count "SELECT COUNT(*) FROM messages WHERE direction = 'in'") - stored_before))
  local line="ingest gateways=$gateways: stored=$stored" total_rate=0
  for ((i = 0; i < gateways; i++)); do
    local result
    result=$(cat "$work/load$gateways.$i.json")
    line+=" gen$((i + 1))={rate=$(jq -r '.requests_per_s | floor' <<< "$result") p50_ms=$(jq -r .p50_ms <<< "$result")"
    line+=" p99_ms=$(jq -r .p99_ms <<< "$result") errors=$(jq -r .errors <<< "$result")}"
    total_rate=$(jq -r --argjson sum "$total_rate" '.requests_per_s + $sum' <<< "$result")
  done
  rate[ingest$gateways]=$(printf %.0f "$total_rate")
  line+=" webhooks_per_s=${rate[ingest$gateways]}; cpu_ms_per_webhook (over all stored):"
  for ((i = 0; i < gateways; i++)); do
    line+=" gateway$((i + 1))=$(ms_per $(($(ticks "${gateway_pids[$i]}") - before[i])) "$stored")"
  done
  line+=" postgres=$(ms_per $(($(pg_ticks) - pg_before)) "$stored")"
  line+=" redis=$(ms_per $(($(ticks "$redis_pid") - redis_before)) "$stored")"
  echo "$line"
  ((load_failed == 0)) || echo "  (a load generator reported errors)"
  for pid in "${gateway_pids[@]}"; do stop_parley "$pid"; done
}

# Stores the conversations through one gateway, no worker running, then stops the gateway.
store_conversations() {
  start_parley gateway "$1-gateway"
  local gateway=$started_pid result
  result=$("$load" --port "$started_port" --secret bench-secret --connections 16 --duration 600 --warmup 0 \
    --customers "$conversations" --total "$conversations" --run-id "$1")
  [[ $(jq .ok <<< "$result") == "$conversations" ]] || { echo "storing failed: $result"; exit 1; }
  stop_parley "$gateway"
}

replies() {
  local workers=$1 i worker_pids=() pg_before redis_before graph_before started finished line
  fresh_database "replies$workers"
  store_conversations "replies$workers"
  pg_before=$(pg_ticks) redis_before=$(ticks "$redis_pid") graph_before=$(ticks "$graph_pid")
  started=$(now)
  for ((i = 1; i <= workers; i++)); do
    start_parley worker "replies$workers-worker$i"
    worker_pids+=("$started_pid")
  done
  wait_replies "$conversations"
  finished=$(now)
  local took
  took=$(elapsed "$started" "$finished")
  rate[replies$workers]=$(awk -v n="$conversations" -v s="$took" 'BEGIN {printf "%.0f", n / s}')
  line="replies workers=$workers: conversations=$conversations seconds=$took replies_per_s=${rate[replies$workers]};"
  line+=" cpu_ms_per_reply (workers from their start):"
  for ((i = 0; i < workers; i++)); do
    line+=" worker$((i + 1))=$(ms_per "$(ticks "${worker_pids[$i]}")" "$conversations")"
  done
  line+=" postgres=$(ms_per $(($(pg_ticks) - pg_before)) "$conversations")"
  line+=" redis=$(ms_per $(($(ticks "$redis_pid") - redis_before)) "$conversations")"
  line+=" fake_graph=$(ms_per $(($(ticks "$graph_pid") - graph_before)) "$conversations")"
  echo "$line"
  if ((workers == 2)); then
    local before=() pg_idle redis_idle
    for pid in "${worker_pids[@]}"; do before+=("$(ticks "$pid")"); done
    pg_idle=$(pg_ticks) redis_idle=$(ticks "$redis_pid")
    sleep 10
    line="idle workers=2 (10 s after the run): cpu_ms_per_s"
    for ((i = 0; i < workers; i++)); do
      line+=" worker$((i + 1))=$(ms_per $(($(ticks "${worker_pids[$i]}") - before[i])) 10)"
    done
    line+=" postgres=$(ms_per $(($(pg_ticks) - pg_idle)) 10) redis=$(ms_per $(($(ticks "$redis_pid") - redis_idle)) 10)"
    echo "$line"
  fi
  for pid in "${worker_pids[@]}"; do stop_parley "$pid"; done
}

takeover() {
  local started killed_at claims_done finished answered_at_kill queued_at_kill first second twice
  fresh_database takeover
  store_conversations takeover
  started=$(now)
  start_parley worker takeover-worker1
  first=$started_pid
  start_parley worker takeover-worker2
  second=$started_pid
  wait_replies $((conversations / 2))
  kill -9 "$first"
  wait "$first" 2> /dev/null || true
  killed_at=$(now)
  answered_at_kill=$(sent_replies)
  # Replies the killed worker committed but had not sent wait for their send lease (PARLEY_SEND_LEASE_MS) to expire;
  # the conversations it had claimed, for their claim (the processing timeout) and the next sweep.
  queued_at_kill=$(count "SELECT COUNT(*) FROM messages WHERE direction = 'out' AND status = 'queued'")
  wait_replies $((conversations - queued_at_kill))
  claims_done=$(now)
  wait_replies "$conversations"
  finished=$(now)
  twice=$(count "SELECT COUNT(*) FROM (SELECT conversation_id FROM messages WHERE direction = 'out'
                 GROUP BY conversation_id HAVING COUNT(*) > 1) AS repeated")
  echo "takeover workers=2: worker1 killed (SIGKILL) at $(elapsed "$started" "$killed_at") s with" \
    "$answered_at_kill/$conversations answered and $queued_at_kill replies queued unsent; all but those queued" \
    "answered $(elapsed "$killed_at" "$claims_done") s later, the rest $(elapsed "$killed_at" "$finished") s later" \
    "(total $(elapsed "$started" "$finished") s); conversations answered twice=$twice"
  stop_parley "$second"
}

wanted() { [[ ,$parts, == *,$1,* ]]; }
if wanted ingest; then
  ingest 1
  ingest 2
fi
if wanted replies; then
  replies 1
  replies 2
fi
if wanted takeover; then takeover; fi
echo "summary: ingest ${rate[ingest1]:--} -> ${rate[ingest2]:--} webhooks/s with a second gateway;" \
  "replies ${rate[replies1]:--} -> ${rate[replies2]:--} /s with a second worker; load average now" \
  "$(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
