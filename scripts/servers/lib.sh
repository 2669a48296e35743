# Shared by scripts/servers/*.sh: where a server keeps its files, installing
# Debian's package when the binary is missing, waiting until a server
# answers, and stopping it by the pid it wrote. Sourced, not run.
#
# Servers run as the current user (PostgreSQL, which refuses root, as the
# postgres user its package creates), listen on loopback only, and keep
# their data, logs and pid under $DSBENCH_SERVERS_DIR (default: the
# repository's ignored out/servers/), never under /var or systemd.

set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
servers_dir="${DSBENCH_SERVERS_DIR:-$repo/out/servers}"

say() { echo "servers: $*" >&2; }
die() { say "$*"; exit 1; }

# have BINARY: a command on PATH, or (with a slash) a file that exists.
have() { case "$1" in */*) [ -e "$1" ] ;; *) command -v "$1" >/dev/null 2>&1 ;; esac; }

# need BINARY PACKAGE: install PACKAGE with apt-get unless BINARY is there.
# Debian's maintainer scripts try to start the packaged service; policy-rc.d
# (exit 101) tells invoke-rc.d not to, so only our own instance runs.
need() {
  local bin="$1" pkg="$2"
  if have "$bin"; then return 0; fi
  command -v apt-get >/dev/null 2>&1 || die "$bin is missing and there is no apt-get to install $pkg"
  local sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  say "installing $pkg (Debian package) for $bin"
  local rc=/usr/sbin/policy-rc.d added=""
  if [ ! -e "$rc" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$rc" >/dev/null && $sudo chmod +x "$rc" && added=1
  fi
  local ok=0
  if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null 2>&1; then
    $sudo apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null || ok=1
  fi
  if [ -n "$added" ]; then $sudo rm -f "$rc"; fi
  [ "$ok" = 0 ] || die "apt-get install $pkg failed"
  have "$bin" || die "$pkg installed but $bin is still missing"
}

# wait_for WHAT CMD…: run CMD every 0.2 s until it succeeds, for 60 s at most.
wait_for() {
  local what="$1"; shift
  for _ in $(seq 300); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  die "$what did not answer within 60 s"
}

# tcp_open HOST PORT: whether something accepts connections there.
tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# running PIDFILE: whether the pid in PIDFILE is alive.
running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pid NAME PIDFILE: SIGTERM the pid, wait up to 30 s, then SIGKILL.
stop_pid() {
  local name="$1" pidfile="$2"
  if ! running "$pidfile"; then say "$name is not running"; rm -f "$pidfile"; return 0; fi
  local pid; pid="$(cat "$pidfile")"
  kill "$pid"
  for _ in $(seq 150); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; say "$name stopped"; return 0; }
    sleep 0.2
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  say "$name killed after 30 s"
}

usage() { echo "usage: $0 start|stop|status" >&2; exit 2; }
