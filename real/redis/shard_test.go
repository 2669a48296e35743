package redis_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/dsbench/dsbench/bench"
	"github.com/dsbench/dsbench/real/driver/servertest"
	realredis "github.com/dsbench/dsbench/real/redis"
	"github.com/dsbench/dsbench/results"
	"github.com/dsbench/dsbench/results/merge"
)

// Several machines, one Redis: three shards of one run (--shard k/3, the
// same seed, 2 workers each), run at once as three machines would and
// written to files as each machine would, merge into one run that
//   - has exactly the counts of the unsharded run of 3×2 workers (worker
//     part w of shard k is part 2k+w of 6: the same op streams): ops, ops
//     per kind, ops per client;
//   - holds every op of every shard in one histogram, equal bucket for
//     bucket to the shards' histograms recorded into one (HDR precision,
//     3 significant digits, is all that is lost: none by the merge), with
//     the percentiles and max of that one histogram.
//
// Wall-clock latencies of two separate runs never match, so the unsharded
// run is the reference for counts and the union of the shards' recordings
// for the histogram.
func TestShardsMergeIntoOneRun(t *testing.T) {
	need(t)
	const w = "ycsb-b keys=uniform:n=1000 clients=uniform:n=20"
	prefix := servertest.Prefix(":", "shards")
	o := bench.Options{Ops: 3000, Workers: 2, Seed: 7, Params: []string{"key_prefix=" + prefix, "cleanup=false"}}
	wo := o
	wo.Workers = 6
	whole := servertest.Run(t, realredis.Name, w, wo)

	dir := t.TempDir()
	files := make([]string, 3)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for k := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			so := o
			so.Shard = fmt.Sprintf("%d/3", k)
			doc, err := bench.Run(context.Background(), realredis.Name, w, so)
			if err == nil {
				files[k] = filepath.Join(dir, fmt.Sprintf("shard-%d.json", k))
				err = results.WriteFile(files[k], results.JSON, doc)
			}
			errs[k] = err
		}()
	}
	wg.Wait()
	for k, err := range errs {
		if err != nil {
			t.Fatalf("shard %d: %v", k, err)
		}
	}
	docs := make([]*results.Document, 3)
	union := hdr.New(1, 3_600_000_000_000, 3)
	for k, f := range files {
		d, err := results.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if d.Runs[0].Ops == 0 || d.Runs[0].Ops == whole.Ops {
			t.Errorf("shard %d ran %d of %d ops: not a share", k, d.Runs[0].Ops, whole.Ops)
		}
		h, err := results.DecodeHistogram(d.Runs[0].Histogram)
		if err != nil {
			t.Fatal(err)
		}
		union.Merge(h)
		docs[k] = d
	}
	m, err := merge.Merge(docs)
	if err != nil {
		t.Fatal(err)
	}
	got := m.Runs[0]
	if got.Ops != whole.Ops || got.Errors != 0 || got.LatencyNs.Count != whole.Ops || got.Shard != "" {
		t.Errorf("merged ops %d errors %d histogram count %d shard %q, want %d, 0, %d, none", got.Ops, got.Errors, got.LatencyNs.Count, got.Shard, whole.Ops, whole.Ops)
	}
	for kind, kr := range whole.Kinds {
		if got.Kinds[kind].Ops != kr.Ops {
			t.Errorf("%s: merged %d ops, the unsharded run %d", kind, got.Kinds[kind].Ops, kr.Ops)
		}
	}
	if fmt.Sprint(got.Fairness.Clients.Counts) != fmt.Sprint(whole.Fairness.Clients.Counts) {
		t.Errorf("ops per client: merged %v, unsharded %v", got.Fairness.Clients.Counts, whole.Fairness.Clients.Counts)
	}

	merged, err := results.DecodeHistogram(got.Histogram)
	if err != nil {
		t.Fatal(err)
	}
	if d := bucketDiff(merged, union); d != "" {
		t.Errorf("merged histogram differs from the shards' ops recorded into one: %s", d)
	}
	if want := results.Summarize(union); got.LatencyNs != want {
		t.Errorf("merged latency %+v, the union's %+v", got.LatencyNs, want)
	}
	// The shards shared the keyspace: clean it once, at the end.
	servertest.Run(t, realredis.Name, "ycsb-c", bench.Options{Ops: 1, Params: []string{"key_prefix=" + prefix}})
	if n := keys(t, prefix); n != 0 {
		t.Errorf("%d keys left under %s after the cleanup run", n, prefix)
	}
}

// bucketDiff names the first HDR bucket whose counts differ, or "".
func bucketDiff(a, b *hdr.Histogram) string {
	count := func(h *hdr.Histogram) map[int64]int64 {
		c := map[int64]int64{}
		for _, bar := range h.Distribution() {
			if bar.Count != 0 {
				c[bar.From] = bar.Count
			}
		}
		return c
	}
	ca, cb := count(a), count(b)
	if a.TotalCount() != b.TotalCount() || len(ca) != len(cb) {
		return fmt.Sprintf("%d ops in %d buckets vs %d in %d", a.TotalCount(), len(ca), b.TotalCount(), len(cb))
	}
	for from, n := range ca {
		if cb[from] != n {
			return fmt.Sprintf("bucket from %dns: %d vs %d", from, n, cb[from])
		}
	}
	return ""
}
