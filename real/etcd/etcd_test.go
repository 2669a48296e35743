package etcd_test

import (
	"context"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/dsbench/dsbench/bench"
	"github.com/dsbench/dsbench/real/driver/servertest"
	realetcd "github.com/dsbench/dsbench/real/etcd"
)

// count is the number of keys under prefix at endpoint.
func count(t *testing.T, endpoint, prefix string) int64 {
	t.Helper()
	c, err := clientv3.New(clientv3.Config{Endpoints: []string{endpoint}, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	resp, err := c.Get(context.Background(), prefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	return resp.Count
}

func TestUnreachableIsBadInput(t *testing.T) {
	servertest.Unreachable(t, realetcd.Name, []string{"endpoints=127.0.0.1:1"}, "127.0.0.1:1")
}

// The load writes every key in transactions; YCSB A, E and F (both read
// consistencies) find them with no error; locks are taken and released;
// cleanup deletes everything under the prefix.
func TestKeyValueAndLocks(t *testing.T) {
	servertest.NeedServer(t, "etcd", "etcd", realetcd.DefaultEndpoints)
	prefix := servertest.Prefix("/", "kv")
	p := []string{"key_prefix=" + prefix, "cleanup=false"}
	r := servertest.Run(t, realetcd.Name, "ycsb-a", bench.Options{Load: 500, Ops: 1000, Workers: 4, Params: p})
	if r.Errors != 0 || r.Metrics["misses"] != 0 || r.Fairness.Shards.Counts[0] != 1000 {
		t.Errorf("ycsb-a: %d errors (%s), %v misses, shards %v", r.Errors, r.FirstError, r.Metrics["misses"], r.Fairness.Shards.Counts)
	}
	if n := count(t, realetcd.DefaultEndpoints, prefix); n != 500 {
		t.Errorf("%d keys after loading 500", n)
	}
	for _, w := range []string{"ycsb-e", "ycsb-f"} {
		for _, c := range []string{"linearizable", "serializable"} {
			r = servertest.Run(t, realetcd.Name, w+" keys=uniform:n=500", bench.Options{Ops: 500, Workers: 4, Params: append(p, "consistency="+c)})
			if r.Errors != 0 || r.Metrics["misses"] != 0 {
				t.Errorf("%s %s: %d errors (%s), %v misses", w, c, r.Errors, r.FirstError, r.Metrics["misses"])
			}
		}
	}
	r = servertest.Run(t, realetcd.Name, "mix=acquire:0.5,release:0.5 keys=uniform:n=3 clients=uniform:n=4", bench.Options{Ops: 400, Workers: 4, Params: append(p, "hold=5ms")})
	acq := r.Metrics["locks_acquired"] + r.Metrics["locks_reacquired"]
	if r.Errors != 0 || acq == 0 || r.Kinds["acquire"].Ops != uint64(acq) || r.Metrics["locks_released"] == 0 {
		t.Errorf("locks: %d errors (%s), %d acquire ops, metrics %v", r.Errors, r.FirstError, r.Kinds["acquire"].Ops, r.Metrics)
	}
	servertest.Run(t, realetcd.Name, "ycsb-c", bench.Options{Ops: 1, Params: []string{"key_prefix=" + prefix}})
	if n := count(t, realetcd.DefaultEndpoints, prefix); n != 0 {
		t.Errorf("cleanup left %d keys", n)
	}
}

// Against the three-member cluster (scripts/servers/etcd.sh cluster
// start): every member serves a share, one of them leads.
func TestClusterShards(t *testing.T) {
	const eps = "127.0.0.1:12379,127.0.0.1:22379,127.0.0.1:32379"
	servertest.NeedServer(t, "a three-member etcd cluster", "etcd", "127.0.0.1:12379")
	r := servertest.Run(t, realetcd.Name, "ycsb-a keys=uniform:n=1000", bench.Options{Ops: 900, Workers: 6, Params: []string{
		"endpoints=" + eps, "key_prefix=" + servertest.Prefix("/", "cluster")}})
	c := r.Fairness.Shards.Counts
	if r.Errors != 0 || len(c) != 3 || c[0] == 0 || c[1] == 0 || c[2] == 0 || r.Metrics["leader_shard"] < 0 || r.Metrics["unknown_members"] != 0 {
		t.Errorf("%d errors (%s), ops per member %v, metrics %v", r.Errors, r.FirstError, c, r.Metrics)
	}
}
