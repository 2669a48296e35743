package redis_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/dsbench/dsbench/bench"
	"github.com/dsbench/dsbench/real/driver/servertest"
	realredis "github.com/dsbench/dsbench/real/redis"
	"github.com/dsbench/dsbench/results"
	"github.com/dsbench/dsbench/results/merge"
)

// Several machines, one Redis: three shards of one run (--shard k/3, the
// same seed, 2 workers each), run at once as three machines would, merge
// into exactly the counts of the unsharded run of 3×2 workers (worker part
// k of shard s is part 2s+k of 6: the same op streams) — ops, ops per
// kind, ops per client — and
// into one histogram holding every op, whose percentiles lie within the
// shards' (HDR merging adds bucket counts: no precision is lost).
func TestShardsMergeIntoOneRun(t *testing.T) {
	need(t)
	const w = "ycsb-b keys=uniform:n=1000 clients=uniform:n=20"
	prefix := servertest.Prefix(":", "shards")
	o := bench.Options{Ops: 3000, Workers: 2, Seed: 7, Params: []string{"key_prefix=" + prefix, "cleanup=false"}}
	wo := o
	wo.Workers = 6
	whole := servertest.Run(t, realredis.Name, w, wo)

	docs := make([]*results.Document, 3)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for k := range docs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			so := o
			so.Shard = fmt.Sprintf("%d/3", k)
			docs[k], errs[k] = bench.Run(context.Background(), realredis.Name, w, so)
		}()
	}
	wg.Wait()
	for k, err := range errs {
		if err != nil {
			t.Fatalf("shard %d: %v", k, err)
		}
	}
	m, err := merge.Merge(docs)
	if err != nil {
		t.Fatal(err)
	}
	got := m.Runs[0]
	if got.Ops != whole.Ops || got.Errors != 0 || got.LatencyNs.Count != whole.Ops {
		t.Errorf("merged ops %d errors %d histogram count %d, want %d, 0, %d", got.Ops, got.Errors, got.LatencyNs.Count, whole.Ops, whole.Ops)
	}
	for kind, kr := range whole.Kinds {
		if got.Kinds[kind].Ops != kr.Ops {
			t.Errorf("%s: merged %d ops, the unsharded run %d", kind, got.Kinds[kind].Ops, kr.Ops)
		}
	}
	if fmt.Sprint(got.Fairness.Clients.Counts) != fmt.Sprint(whole.Fairness.Clients.Counts) {
		t.Errorf("ops per client: merged %v, unsharded %v", got.Fairness.Clients.Counts, whole.Fairness.Clients.Counts)
	}
	lo, hi, top := got.LatencyNs.P50, got.LatencyNs.P50, 0.0
	for _, d := range docs {
		r := d.Runs[0]
		lo, hi, top = min(lo, r.LatencyNs.P50), max(hi, r.LatencyNs.P50), max(top, r.LatencyNs.Max)
	}
	if got.LatencyNs.P50 < lo || got.LatencyNs.P50 > hi || got.LatencyNs.Max != top {
		t.Errorf("merged p50 %v outside the shards' %v…%v, or max %v != the shards' %v", got.LatencyNs.P50, lo, hi, got.LatencyNs.Max, top)
	}
	// The shards shared the keyspace: clean it once, at the end.
	servertest.Run(t, realredis.Name, "ycsb-c", bench.Options{Ops: 1, Params: []string{"key_prefix=" + prefix}})
}
