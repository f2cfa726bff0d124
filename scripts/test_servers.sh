#!/usr/bin/env bash
# Real PostgreSQL 15 and Redis 7 servers for the backend tests, on 127.0.0.1 only, in a directory of their own.
#   scripts/test_servers.sh start DIR   starts both (stopping any left in DIR by an earlier run) and writes
#                                       DIR/postgres.url and DIR/redis.url
#   scripts/test_servers.sh stop DIR    stops both
# TEST_SERVERS_DURABLE=1 starts PostgreSQL durable (fsync, synchronous_commit and full_page_writes on), for
# benchmarks of durable ingest (bench/scale_out.sh); the tests keep them off.
# CTest runs these as the `backend_servers` fixture (tests/CMakeLists.txt), so `ctest -L backend` starts and stops
# them around the tests that need them. PostgreSQL refuses to run as root: under root (CI) it runs as the `postgres`
# user that Debian's package creates. The servers are throw-away: PostgreSQL skips fsync (a test kills Parley,
# never the database server) unless TEST_SERVERS_DURABLE=1 (the benchmarks'), Redis keeps nothing on disk.
set -euo pipefail
action=${1:?usage: test_servers.sh start|stop DIR}
dir=${2:?usage: test_servers.sh start|stop DIR}
dir=$(realpath -m "$dir")  # PostgreSQL's socket directory and data directory must be absolute.
pg_bin=/usr/lib/postgresql/15/bin

as_db_user=()
if [[ $(id -u) -eq 0 ]]; then as_db_user=(runuser -u postgres --); fi

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

stop() {
  if [[ -f $dir/postgres/postmaster.pid ]]; then
    "${as_db_user[@]}" "$pg_bin/pg_ctl" -D "$dir/postgres" -m immediate -w stop > /dev/null 2>&1 || true
  fi
  if [[ -f $dir/redis.pid ]]; then
    local redis_pid
    redis_pid=$(cat "$dir/redis.pid")
    kill "$redis_pid" 2> /dev/null || true
    for _ in $(seq 50); do kill -0 "$redis_pid" 2> /dev/null || break; sleep 0.1; done
    rm -f "$dir/redis.pid"
  fi
}

start() {
  stop
  rm -rf "$dir"
  mkdir -p "$dir/postgres" "$dir/redis"
  if ((${#as_db_user[@]} > 0)); then chown postgres: "$dir/postgres"; fi

  local pg_port redis_port durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  if [[ ${TEST_SERVERS_DURABLE:-0} == 1 ]]; then
    durability="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
  fi
  pg_port=$(free_port)
  "${as_db_user[@]}" "$pg_bin/initdb" -D "$dir/postgres" -U parley -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
    > "$dir/postgres-initdb.log"
  "${as_db_user[@]}" "$pg_bin/pg_ctl" -D "$dir/postgres" -l "$dir/postgres/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $dir/postgres $durability -c max_connections=300" \
    start > /dev/null
  "${as_db_user[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U parley parley
  echo "postgresql://parley@127.0.0.1:$pg_port/parley" > "$dir/postgres.url"

  redis_port=$(free_port)
  redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --daemonize yes \
    --pidfile "$dir/redis.pid" --dir "$dir/redis" --logfile "$dir/redis/server.log"
  for _ in $(seq 100); do
    redis-cli -h 127.0.0.1 -p "$redis_port" ping 2> /dev/null | grep -q PONG && break
    sleep 0.1
  done
  redis-cli -h 127.0.0.1 -p "$redis_port" ping | grep -q PONG
  echo "redis://127.0.0.1:$redis_port" > "$dir/redis.url"
  echo "test servers: $(cat "$dir/postgres.url") $(cat "$dir/redis.url")"
}

case $action in
  start) start ;;
  stop) stop ;;
  *) echo "usage: test_servers.sh start|stop DIR" >&2; exit 2 ;;
esac
