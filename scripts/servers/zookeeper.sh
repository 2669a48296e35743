#!/usr/bin/env bash
# ZooKeeper (standalone) on 127.0.0.1:2181 (real/zookeeper's default addr),
# from Debian's zookeeper package, data in out/servers/zookeeper-2181. start
# and stop are idempotent; start returns once the server answers "imok".
#   scripts/servers/zookeeper.sh start && dsbench run real/zookeeper
source "$(dirname "$0")/lib.sh"
port="${ZOOKEEPER_PORT:-2181}"
dir="$servers_dir/zookeeper-$port"
pidfile="$dir/zookeeper.pid"
jar=/usr/share/java/zookeeper.jar

# ruok: the four-letter health word; the config whitelists it.
ruok() {
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf ruok >&3
  local reply
  reply="$(timeout 2 cat <&3)"
  exec 3<&-
  [ "$reply" = imok ]
}

case "${1:-}" in
start)
  need "$jar" zookeeper
  need java default-jre-headless
  if running "$pidfile" && ruok 2>/dev/null; then say "zookeeper already running on 127.0.0.1:$port"; exit 0; fi
  if tcp_open 127.0.0.1 "$port"; then
    ruok 2>/dev/null && { say "a zookeeper not started by this script answers on 127.0.0.1:$port; using it"; exit 0; }
    die "127.0.0.1:$port is taken by something that is not zookeeper"
  fi
  mkdir -p "$dir/data" "$dir/conf"
  cat >"$dir/conf/zoo.cfg" <<CFG
tickTime=2000
initLimit=10
syncLimit=5
dataDir=$dir/data
clientPort=$port
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr,stat
CFG
  setsid java -Xmx512m -cp "$dir/conf:$jar:/etc/zookeeper/conf_example" \
    -Dzookeeper.log.dir="$dir" -Dzookeeper.root.logger=INFO,CONSOLE \
    org.apache.zookeeper.server.quorum.QuorumPeerMain "$dir/conf/zoo.cfg" \
    </dev/null >"$dir/zookeeper.log" 2>&1 &
  echo $! >"$pidfile"
  wait_for "zookeeper on 127.0.0.1:$port" ruok
  say "zookeeper running on 127.0.0.1:$port (data $dir)"
  ;;
stop) stop_pid "zookeeper on 127.0.0.1:$port" "$pidfile" ;;
status) if ruok 2>/dev/null; then say "zookeeper answers on 127.0.0.1:$port"; else say "zookeeper is not answering on 127.0.0.1:$port"; exit 1; fi ;;
*) usage ;;
esac
