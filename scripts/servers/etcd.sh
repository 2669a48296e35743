#!/usr/bin/env bash
# etcd from Debian's etcd-server, on loopback, data in out/servers/. start and
# stop are idempotent; start returns once /health answers true.
#   scripts/servers/etcd.sh start            one member: clients 127.0.0.1:2379 (real/etcd's default)
#   scripts/servers/etcd.sh cluster start    three members: clients 127.0.0.1:12379, :22379, :32379
#   dsbench run real/etcd -p endpoints=127.0.0.1:12379,127.0.0.1:22379,127.0.0.1:32379
source "$(dirname "$0")/lib.sh"

healthy() { curl -fsS --max-time 2 "http://127.0.0.1:$1/health" 2>/dev/null | grep -q '"health":"true"'; }

# member NAME CLIENT_PORT PEER_PORT INITIAL_CLUSTER
start_member() {
  local name="$1" cport="$2" pport="$3" cluster="$4"
  local dir="$servers_dir/etcd-$name" pidfile="$servers_dir/etcd-$name/etcd.pid"
  if running "$pidfile" && healthy "$cport"; then say "etcd $name already running on 127.0.0.1:$cport"; return 0; fi
  if tcp_open 127.0.0.1 "$cport"; then
    healthy "$cport" && { say "an etcd not started by this script answers on 127.0.0.1:$cport; using it"; return 0; }
    die "127.0.0.1:$cport is taken by something that is not etcd"
  fi
  mkdir -p "$dir"
  local state=new
  [ -d "$dir/data/member" ] && state=existing
  setsid etcd --name "$name" --data-dir "$dir/data" \
    --listen-client-urls "http://127.0.0.1:$cport" --advertise-client-urls "http://127.0.0.1:$cport" \
    --listen-peer-urls "http://127.0.0.1:$pport" --initial-advertise-peer-urls "http://127.0.0.1:$pport" \
    --initial-cluster "$cluster" --initial-cluster-state "$state" --initial-cluster-token "$token" \
    </dev/null >"$dir/etcd.log" 2>&1 &
  echo $! >"$pidfile"
}

members=(); cports=()
case "${1:-}" in
cluster)
  shift
  members=(m1 m2 m3); cports=(12379 22379 32379); pports=(12380 22380 32380)
  cluster="m1=http://127.0.0.1:12380,m2=http://127.0.0.1:22380,m3=http://127.0.0.1:32380"
  what="etcd cluster (127.0.0.1:12379,22379,32379)"
  token=dsbench-cluster
  ;;
*)
  port="${ETCD_PORT:-2379}"
  members=(single); cports=("$port"); pports=($((port + 1)))
  cluster="single=http://127.0.0.1:$((port + 1))"
  what="etcd on 127.0.0.1:$port"
  token="dsbench-single-$port"
  ;;
esac

case "${1:-}" in
start)
  need etcd etcd-server
  for i in "${!members[@]}"; do start_member "${members[$i]}" "${cports[$i]}" "${pports[$i]}" "$cluster"; done
  for i in "${!members[@]}"; do wait_for "etcd ${members[$i]} on 127.0.0.1:${cports[$i]}" healthy "${cports[$i]}"; done
  say "$what running (data $servers_dir/etcd-*)"
  ;;
stop)
  for m in "${members[@]}"; do stop_pid "etcd $m" "$servers_dir/etcd-$m/etcd.pid"; done
  ;;
status)
  for p in "${cports[@]}"; do healthy "$p" || { say "etcd is not healthy on 127.0.0.1:$p"; exit 1; }; done
  say "$what healthy"
  ;;
*) echo "usage: $0 [cluster] start|stop|status" >&2; exit 2 ;;
esac
