package zookeeper_test

import (
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/dsbench/dsbench/bench"
	"github.com/dsbench/dsbench/real/driver/servertest"
	realzk "github.com/dsbench/dsbench/real/zookeeper"
)

type quiet struct{}

func (quiet) Printf(string, ...any) {}

// znodes counts the key znodes under prefix (0 if it is gone).
func znodes(t *testing.T, prefix string) (int, bool) {
	t.Helper()
	c, _, err := zk.Connect([]string{realzk.DefaultAddr}, 5*time.Second, zk.WithLogger(quiet{}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ok, _, err := c.Exists(prefix)
	if err != nil || !ok {
		return 0, ok
	}
	buckets, _, err := c.Children(prefix + "/k")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, b := range buckets {
		kids, _, err := c.Children(prefix + "/k/" + b)
		if err != nil {
			t.Fatal(err)
		}
		n += len(kids)
	}
	return n, true
}

func TestUnreachableIsBadInput(t *testing.T) {
	servertest.Unreachable(t, realzk.Name, []string{"addr=127.0.0.1:1"}, "127.0.0.1:1")
}

// The load creates every znode (in multis, across buckets); reads, writes,
// sync reads and versioned read-modify-writes find them with no error;
// the lock recipe grants and releases; cleanup removes the whole tree.
func TestZnodesAndLocks(t *testing.T) {
	servertest.NeedServer(t, "ZooKeeper", "zookeeper", realzk.DefaultAddr)
	prefix := "/" + servertest.Prefix("_", "zk")
	prefix = prefix[:len(prefix)-1]
	p := []string{"key_prefix=" + prefix, "cleanup=false"}
	r := servertest.Run(t, realzk.Name, "ycsb-a", bench.Options{Load: 2500, Ops: 1000, Workers: 4, Params: p})
	if r.Errors != 0 || r.Metrics["misses"] != 0 {
		t.Errorf("ycsb-a: %d errors (%s), %v misses", r.Errors, r.FirstError, r.Metrics["misses"])
	}
	if n, _ := znodes(t, prefix); n != 2500 {
		t.Errorf("%d znodes after loading 2500", n)
	}
	r = servertest.Run(t, realzk.Name, "ycsb-b keys=uniform:n=2500", bench.Options{Ops: 500, Workers: 4, Params: append(p, "sync=true")})
	if r.Errors != 0 || r.Metrics["misses"] != 0 {
		t.Errorf("sync reads: %d errors (%s), %v misses", r.Errors, r.FirstError, r.Metrics["misses"])
	}
	r = servertest.Run(t, realzk.Name, "mix=rmw:1 keys=uniform:n=1", bench.Options{Ops: 1000, Workers: 8, Params: p})
	if r.Errors != 0 || r.Metrics["version_conflicts"] == 0 {
		t.Errorf("rmw on one znode, 8 workers: %d errors (%s), %v conflicts (want some)", r.Errors, r.FirstError, r.Metrics["version_conflicts"])
	}
	r = servertest.Run(t, realzk.Name, "mix=acquire:0.5,release:0.5 keys=uniform:n=3 clients=uniform:n=4", bench.Options{Ops: 400, Workers: 4, Params: append(p, "hold=5ms")})
	acq := r.Metrics["locks_acquired"] + r.Metrics["locks_reacquired"]
	if r.Errors != 0 || acq == 0 || r.Kinds["acquire"].Ops != uint64(acq) || r.Metrics["locks_released"] == 0 {
		t.Errorf("locks: %d errors (%s), %d acquire ops, metrics %v", r.Errors, r.FirstError, r.Kinds["acquire"].Ops, r.Metrics)
	}
	servertest.Run(t, realzk.Name, "mix=read:1", bench.Options{Ops: 1, Params: []string{"key_prefix=" + prefix}})
	if _, exists := znodes(t, prefix); exists {
		t.Errorf("cleanup left %s", prefix)
	}
}
