#!/usr/bin/env bash
# Redis on 127.0.0.1:6379 (real/redis's default addr), from Debian's
# redis-server, data in out/servers/redis. start and stop are idempotent;
# start returns once the server answers PING.
#   scripts/servers/redis.sh start && dsbench run real/redis
source "$(dirname "$0")/lib.sh"
port="${REDIS_PORT:-6379}"
dir="$servers_dir/redis-$port"
pidfile="$dir/redis.pid"

ping() { [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; }

case "${1:-}" in
start)
  need redis-server redis-server
  if running "$pidfile" && ping; then say "redis already running on 127.0.0.1:$port"; exit 0; fi
  if tcp_open 127.0.0.1 "$port"; then
    ping && { say "a redis not started by this script answers on 127.0.0.1:$port; using it"; exit 0; }
    die "127.0.0.1:$port is taken by something that is not redis"
  fi
  mkdir -p "$dir"
  redis-server --bind 127.0.0.1 --port "$port" --protected-mode yes --daemonize yes \
    --dir "$dir" --pidfile "$pidfile" --logfile "$dir/redis.log" \
    --save '' --appendonly no >/dev/null
  wait_for "redis on 127.0.0.1:$port" ping
  say "redis running on 127.0.0.1:$port (data $dir)"
  ;;
stop) stop_pid "redis on 127.0.0.1:$port" "$pidfile" ;;
status) if ping; then say "redis answers on 127.0.0.1:$port"; else say "redis is not answering on 127.0.0.1:$port"; exit 1; fi ;;
*) usage ;;
esac
