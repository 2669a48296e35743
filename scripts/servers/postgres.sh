#!/usr/bin/env bash
# PostgreSQL on 127.0.0.1:5432 from Debian's postgresql package, with a role
# and database "dsbench" (trust authentication, loopback only): real/postgres's
# default dsn postgres://dsbench@127.0.0.1:5432/dsbench. The cluster lives in
# out/servers/postgres-5432. PostgreSQL refuses to run as root, so as root it
# runs as the postgres user the package creates. start and stop are
# idempotent; start returns once the server accepts connections.
#   scripts/servers/postgres.sh start && dsbench run real/postgres
source "$(dirname "$0")/lib.sh"
port="${POSTGRES_PORT:-5432}"
dir="$servers_dir/postgres-$port"

pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
ready() { "$(pgbin)/pg_isready" -q -h 127.0.0.1 -p "$port"; }
psql_admin() { as_owner "$(pgbin)/psql" -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"; }

case "${1:-}" in
start)
  [ -n "$(pgbin)" ] || need /usr/lib/postgresql postgresql
  [ -n "$(pgbin)" ] || die "no /usr/lib/postgresql/*/bin after installing postgresql"
  bin="$(pgbin)"
  if ready; then
    if [ -f "$dir/data/postmaster.pid" ]; then say "postgres already running on 127.0.0.1:$port"
    else say "a postgres not started by this script answers on 127.0.0.1:$port; using it"; fi
    exit 0
  fi
  tcp_open 127.0.0.1 "$port" && die "127.0.0.1:$port is taken by something that is not postgres"
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$dir"
    runuser -u postgres -- test -w "$dir" || die "the postgres user cannot write $dir (set DSBENCH_SERVERS_DIR to a directory under /tmp)"
  fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
      || die "initdb failed: see $dir/initdb.log"
  fi
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$dir' -c max_connections=300" start >/dev/null \
    || die "postgres did not start: see $dir/postgres.log"
  wait_for "postgres on 127.0.0.1:$port" ready
  if [ "$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'dsbench'")" != 1 ]; then
    psql_admin -c "CREATE ROLE dsbench LOGIN"
  fi
  if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = 'dsbench'")" != 1 ]; then
    psql_admin -c "CREATE DATABASE dsbench OWNER dsbench"
  fi
  say "postgres running on 127.0.0.1:$port, database dsbench (data $dir)"
  ;;
stop)
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$(pgbin)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null && say "postgres on 127.0.0.1:$port stopped"
  else
    say "postgres on 127.0.0.1:$port is not running"
  fi
  ;;
status) if ready; then say "postgres answers on 127.0.0.1:$port"; else say "postgres is not answering on 127.0.0.1:$port"; exit 1; fi ;;
*) usage ;;
esac
