package redis_test

import (
	"context"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dsbench/dsbench/bench"
	"github.com/dsbench/dsbench/real/driver/servertest"
	realredis "github.com/dsbench/dsbench/real/redis"
)

func need(t *testing.T) {
	servertest.NeedServer(t, "Redis", "redis", realredis.DefaultAddr)
}

// keys counts the keys under prefix, as the server sees them.
func keys(t *testing.T, prefix string) int {
	t.Helper()
	c := goredis.NewClient(&goredis.Options{Addr: realredis.DefaultAddr, DisableIdentity: true, Protocol: 2})
	defer c.Close()
	n := 0
	iter := c.Scan(context.Background(), 0, prefix+"*", 1000).Iterator()
	for iter.Next(context.Background()) {
		n++
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestUnreachableIsBadInput(t *testing.T) {
	servertest.Unreachable(t, realredis.Name, []string{"addr=127.0.0.1:1"}, "127.0.0.1:1")
}

// The load phase writes every record (and the scan index); YCSB A, E and F
// run with no error and find every loaded key; cleanup removes them all.
func TestKeyValue(t *testing.T) {
	need(t)
	prefix := servertest.Prefix(":", "kv")
	p := []string{"key_prefix=" + prefix, "cleanup=false"}
	r := servertest.Run(t, realredis.Name, "ycsb-a", bench.Options{Load: 1000, Ops: 2000, Workers: 4, Params: p})
	if r.Errors != 0 || r.Ops != 2000 || r.Metrics["misses"] != 0 {
		t.Errorf("ycsb-a: %d ops, %d errors (%s), %v misses", r.Ops, r.Errors, r.FirstError, r.Metrics["misses"])
	}
	if n := keys(t, prefix); n != 1001 {
		t.Errorf("%d keys under %s after loading 1000, want 1000 and the index", n, prefix)
	}
	for _, w := range []string{"ycsb-e", "ycsb-f", "ycsb-d"} {
		r = servertest.Run(t, realredis.Name, w+" keys=uniform:n=1000", bench.Options{Ops: 1000, Workers: 4, Params: p})
		if r.Errors != 0 || r.Metrics["misses"] != 0 {
			t.Errorf("%s: %d errors (%s), %v misses", w, r.Errors, r.FirstError, r.Metrics["misses"])
		}
	}
	for _, scan := range []string{"index", "cursor"} {
		r = servertest.Run(t, realredis.Name, "mix=scan:1 keys=uniform:n=1000", bench.Options{Ops: 200, Params: append(p, "scan="+scan)})
		if r.Errors != 0 {
			t.Errorf("scan=%s: %d errors (%s)", scan, r.Errors, r.FirstError)
		}
	}
	servertest.Run(t, realredis.Name, "ycsb-c", bench.Options{Ops: 10, Params: []string{"key_prefix=" + prefix}})
	if n := keys(t, prefix); n != 0 {
		t.Errorf("cleanup=true left %d keys under %s", n, prefix)
	}
}

// Four workers on one key: WATCH aborts transactions that raced, each
// is retried inside the op, and none fails.
func TestReadModifyWriteConflicts(t *testing.T) {
	need(t)
	r := servertest.Run(t, realredis.Name, "mix=rmw:1 keys=uniform:n=1", bench.Options{Ops: 2000, Workers: 4,
		Params: []string{"key_prefix=" + servertest.Prefix(":", "rmw")}})
	if r.Errors != 0 || r.Metrics["watch_conflicts"] == 0 {
		t.Errorf("%d errors (%s), %v watch conflicts: want none failed and some conflicts", r.Errors, r.FirstError, r.Metrics["watch_conflicts"])
	}
}

// The Lua limiters admit what their rule allows: GCRA burst + rate·T over
// T; the sliding window at most N = rate·window in any window.
func TestLimiters(t *testing.T) {
	need(t)
	const w = "mix=read:1 keys=uniform:n=1 clients=uniform:n=1"
	r := servertest.Run(t, realredis.Name, w, bench.Options{Duration: time.Second, Workers: 2, Params: []string{
		"key_prefix=" + servertest.Prefix(":", "gcra"), "limiter=gcra", "rate=200", "burst=10"}})
	admitted := float64(r.Ops - r.Denied)
	if want := 10 + 200*r.DurationS; r.Errors != 0 || r.Denied == 0 || admitted < want*0.85 || admitted > want*1.1+2 {
		t.Errorf("gcra rate=200 burst=10 over %.2fs: admitted %v of %d (want about %.0f), errors %d", r.DurationS, admitted, r.Ops, want, r.Errors)
	}
	r = servertest.Run(t, realredis.Name, w, bench.Options{Duration: 1200 * time.Millisecond, Workers: 2, Params: []string{
		"key_prefix=" + servertest.Prefix(":", "sw"), "limiter=sliding-window", "rate=100", "window=500ms"}})
	admitted = float64(r.Ops - r.Denied)
	if r.Errors != 0 || admitted < 100 || admitted > 150 {
		t.Errorf("sliding-window 50 per 500ms over %.2fs: admitted %v (want 100…150), errors %d", r.DurationS, admitted, r.Errors)
	}
	// keyed: each client has its own limiter, so four clients get four bursts.
	r = servertest.Run(t, realredis.Name, "mix=read:1 keys=uniform:n=1 clients=uniform:n=4", bench.Options{Ops: 400, Workers: 2, Params: []string{
		"key_prefix=" + servertest.Prefix(":", "keyed"), "limiter=gcra", "rate=0.01", "burst=5"}})
	if admitted := r.Ops - r.Denied; admitted != 20 {
		t.Errorf("4 clients, burst 5, no refill: admitted %d, want 20", admitted)
	}
}
