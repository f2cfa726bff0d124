#!/usr/bin/env bash
# Signed webhook ingest per platform (issue 19: none more than 20% below WhatsApp's). For each platform of the
# registry that takes webhooks, a fresh server on SQLite gets one channel and bench_ingest_load sends it the
# platform's own sample text webhooks, signed as the platform signs them (Meta's app signature; Telegram's
# per-channel secret header, the channel added against fake_telegram_server), closed loop at 64 connections.
# The platforms are measured in turn, ROUNDS times in alternating order, and the median of each is compared.
#   bash bench/platform_ingest.sh [BUILD_DIR]     (BENCH_DURATION seconds per run, default 10; ROUNDS default 3)
set -euo pipefail
build_dir=${1:-build}
cd "$(dirname "$0")/.."
parley=$build_dir/parley
duration=${BENCH_DURATION:-10}
rounds=${ROUNDS:-3}
platforms=(whatsapp instagram messenger telegram)
bot_token=7012345678:AAHbenchTokenForPlatformIngest_x

work=$(mktemp -d)
server_pid=
fake_pid=
trap 'kill $server_pid $fake_pid 2>/dev/null || true; rm -rf "$work"' EXIT

"$build_dir/tests/fake_telegram_server" --bot "$bot_token,7012345678,bench_bot" > "$work/fake.out" &
fake_pid=$!
for _ in $(seq 100); do grep -q '"event":"listening"' "$work/fake.out" 2>/dev/null && break; sleep 0.1; done
telegram_url=$(sed -nE 's/.*"event":"listening","url":"([^"]+)".*/\1/p' "$work/fake.out")

export PARLEY_LISTEN=127.0.0.1:0 PARLEY_LOG_LEVEL=warn PARLEY_PUBLIC_URL=https://bench.example.test
export PARLEY_BATCH_WINDOW_MS=600000 PARLEY_BATCH_MAX_WAIT_MS=600000 PARLEY_TELEGRAM_API_BASE_URL=$telegram_url
export WHATSAPP_APP_SECRET=bench-secret INSTAGRAM_APP_SECRET=bench-secret MESSENGER_APP_SECRET=bench-secret

# One run: a fresh store with one channel of the platform, then 64 connections for `duration` seconds.
measure() {
  local platform=$1 data=$work/$1.$2 tenant added flags
  export PARLEY_DATA_DIR=$data
  tenant=$("$parley" tenant create --name Bench | sed -E 's/.*"tenant_id":([0-9]+).*/\1/')
  case $platform in
    whatsapp) flags=(--phone-number-id bench-account --access-token t) ;;
    instagram) flags=(--account-id bench-account --access-token t) ;;
    messenger) flags=(--page-id bench-account --access-token t) ;;
    telegram) flags=(--bot-token "$bot_token") ;;
  esac
  added=$("$parley" channel add "$platform" --tenant "$tenant" "${flags[@]}")
  local load=(--platform "$platform" --secret bench-secret --account-id bench-account)
  if [ "$platform" = telegram ]; then
    load=(--platform telegram --secret "$bot_token" --public-id "$(sed -E 's/.*"public_id":"([^"]+)".*/\1/' <<<"$added")")
  fi
  "$parley" serve 2> "$work/server.log" &
  server_pid=$!
  for _ in $(seq 100); do grep -q '"event":"listening"' "$work/server.log" && break; sleep 0.1; done
  local port
  port=$(grep '"event":"listening"' "$work/server.log" | sed -E 's/.*"port":([0-9]+).*/\1/')
  "$build_dir/bench/bench_ingest_load" --port "$port" "${load[@]}" --connections 64 --duration "$duration"
  kill -TERM $server_pid
  wait $server_pid || true
  server_pid=
  rm -rf "$data"
}

for round in $(seq "$rounds"); do
  order=("${platforms[@]}")
  if [ $((round % 2)) -eq 0 ]; then order=($(printf '%s\n' "${platforms[@]}" | tac)); fi
  for platform in "${order[@]}"; do
    result=$(measure "$platform" "$round")
    echo "$result"
    echo "$platform $(sed -E 's/.*"requests_per_s":([0-9.Ee+-]+).*/\1/' <<<"$result")" >> "$work/rates"
  done
done

echo "== median webhooks/s per platform over $rounds rounds of ${duration}s, against WhatsApp's"
median() { grep "^$1 " "$work/rates" | awk '{print $2}' | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
whatsapp=$(median whatsapp)
for platform in "${platforms[@]}"; do
  rate=$(median "$platform")
  awk -v p="$platform" -v r="$rate" -v w="$whatsapp" 'BEGIN {printf "%-10s %8.0f/s  %+5.1f%%\n", p, r, (r / w - 1) * 100}'
done
