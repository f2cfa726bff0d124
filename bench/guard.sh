#!/usr/bin/env bash
# Issue 15, items 2 and 3, against `parley serve` on loopback (`bash bench/guard.sh [build dir]`):
#   1. another tenant's authenticated API (GET /api/conversations) p50 idle, then during a login spray from one
#      address and from many (random X-Forwarded-For through a trusted proxy), bench_login_spray;
#   2. the server's resident memory (VmRSS, sampled every 50 ms) before, at its peak and after 50 concurrent 19 MB
#      multipart uploads, unauthenticated then authenticated (curl without Expect: 100-continue, so each client
#      sends its whole body whatever the server answers).
set -euo pipefail
build_dir=${1:-build}
cd "$(dirname "$0")/.."
duration=${BENCH_DURATION:-10}
connections=${SPRAY_CONNECTIONS:-32}
uploads=${UPLOADS:-50}
data=$(mktemp -d)
log=$(mktemp)
server_pid=
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$data" "$log"' EXIT
export PARLEY_DATA_DIR=$data PARLEY_LISTEN=127.0.0.1:0 PARLEY_LOG_LEVEL=warn PARLEY_RESPONDER=away_message
export PARLEY_TRUSTED_PROXIES=127.0.0.1 PARLEY_MAX_UPLOAD_BYTES=20971520
# The spray is the test: the probing tenant's own rate limit stays out of the way.
export PARLEY_API_RATE_PER_SECOND=0
parley=$build_dir/parley
"$parley" tenant create --name Sprayed > /dev/null
probe_key=$("$parley" tenant create --name Other | sed -E 's/.*"api_key":"([^"]+)".*/\1/')
"$parley" serve 2> "$log" &
server_pid=$!
for _ in $(seq 100); do grep -q '"event":"listening"' "$log" && break; sleep 0.1; done
port=$(grep '"event":"listening"' "$log" | sed -E 's/.*"port":([0-9]+).*/\1/')

echo "== login spray, $connections connections, ${duration}s idle then ${duration}s spraying"
echo "one address:     $("$build_dir/bench/bench_login_spray" --port "$port" --api-key "$probe_key" \
  --connections "$connections" --duration "$duration")"
echo "many addresses:  $("$build_dir/bench/bench_login_spray" --port "$port" --api-key "$probe_key" \
  --connections "$connections" --duration "$duration" --forwarded)"

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status"; }
file=$data/upload-19mb.txt
head -c $((19 * 1024 * 1024)) /dev/zero | tr '\0' 'a' > "$file"
# upload_round NAME [curl args...]: $uploads concurrent uploads; prints statuses and RSS before, peak, after.
upload_round() {
  local name=$1
  shift
  local before peak now statuses
  before=$(rss_kb)
  peak=$before
  statuses=$(mktemp)
  local pids=()
  for _ in $(seq "$uploads"); do
    curl -s -o /dev/null -w '%{http_code}\n' -H 'Expect:' "$@" -F "file=@$file;type=text/plain" \
      "http://127.0.0.1:$port/api/knowledge-documents" >> "$statuses" &
    pids+=($!)
  done
  local running=1
  while [ $running -eq 1 ]; do
    now=$(rss_kb)
    if [ "$now" -gt "$peak" ]; then peak=$now; fi
    running=0
    for pid in "${pids[@]}"; do if kill -0 "$pid" 2> /dev/null; then running=1; fi; done
    sleep 0.05
  done
  sleep 1
  echo "$name: answers $(sort "$statuses" | uniq -c | awk '{printf "%s×%s ", $2, $1}')| RSS before $((before / 1024)) MB, peak $((peak / 1024)) MB (+$(((peak - before) / 1024)) MB), after $(($(rss_kb) / 1024)) MB"
  rm -f "$statuses"
}
echo "== $uploads concurrent 19 MB uploads"
upload_round "unauthenticated" -H "X-Forwarded-For: 198.18.0.1"
upload_round "authenticated, one address" -H "Authorization: Bearer $probe_key"
