package merge

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/dsbench/dsbench/results"
)

func newHist() *hdr.Histogram { return hdr.New(1, 3_600_000_000_000, 3) }

// shardDocs records one lognormal load split over n shards, and the same
// load recorded whole, so the merge can be checked against the truth.
func shardDocs(t *testing.T, n int, seed uint64) ([]*results.Document, results.Run) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	whole := newHist()
	wholeShards := make([]uint64, 5)
	var docs []*results.Document
	var ops uint64
	for k := 1; k <= n; k++ {
		h, sh := newHist(), newHist()
		counts := make([]uint64, 5)
		m := 1000 + r.IntN(3000)
		for i := 0; i < m; i++ {
			v := int64(math.Exp(11+1.2*r.NormFloat64())) + 1
			h.RecordValue(v)
			sh.RecordValue(v / 2)
			whole.RecordValue(v)
			s := r.IntN(5)
			if k == 1 {
				s = 0 // an uneven shard, so summed counts differ from any one
			}
			counts[s]++
			wholeShards[s]++
		}
		ops += uint64(m)
		enc, _ := results.EncodeHistogram(h)
		senc, _ := results.EncodeHistogram(sh)
		run := results.Run{
			ID: "r1", Target: "hashing/ring", Params: map[string]string{"nodes": "5", "vnodes": "100"}, ParamsSet: []string{"nodes"}, Workload: "ycsb-a",
			Seed: 42, Clock: "wall", Repetition: 0, Workers: 2, Shard: fmt.Sprintf("%d/%d", k-1, n),
			Ops: uint64(m), Errors: uint64(k), DurationS: 10 + float64(k)/10,
			LatencyNs: results.Summarize(h), Histogram: enc, ServiceHistogram: senc,
			Kinds:     map[string]results.KindRun{"read": {Ops: uint64(m), LatencyNs: results.Summarize(h)}},
			Fairness:  results.Fairness{Shards: results.SpreadOf(counts)},
			Metrics:   map[string]float64{"nodes_seen": 5, "hit_rate": float64(k)},
			Intervals: []results.Interval{{StartS: 0, Ops: uint64(m / 2)}, {StartS: 1, Ops: uint64(m - m/2)}},
		}
		docs = append(docs, &results.Document{Schema: results.SchemaVersion, Runs: []results.Run{run}})
	}
	enc, _ := results.EncodeHistogram(whole)
	return docs, results.Run{Ops: ops, LatencyNs: results.Summarize(whole), Histogram: enc,
		Fairness: results.Fairness{Shards: results.SpreadOf(wholeShards)}}
}

func TestMergeEqualsUnsharded(t *testing.T) {
	for _, n := range []int{1, 2, 4, 7} {
		docs, want := shardDocs(t, n, uint64(n))
		// Merge accepts the shards in any order.
		docs[0], docs[len(docs)-1] = docs[len(docs)-1], docs[0]
		got, err := Merge(docs)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if len(got.Runs) != 1 {
			t.Fatalf("n=%d: %d runs", n, len(got.Runs))
		}
		r := got.Runs[0]
		if r.Ops != want.Ops || r.LatencyNs.Count != want.Ops || r.Kinds["read"].Ops != want.Ops {
			t.Errorf("n=%d: ops %d, latency count %d, read ops %d; want %d", n, r.Ops, r.LatencyNs.Count, r.Kinds["read"].Ops, want.Ops)
		}
		// The table shows the parameters the user set: they survive the merge.
		if fmt.Sprint(r.ParamsSet) != "[nodes]" || r.Params["vnodes"] != "100" {
			t.Errorf("n=%d: params_set %v params %v, want [nodes] and every parameter", n, r.ParamsSet, r.Params)
		}
		if r.Shard != "" || r.Workers != 2*n || r.Errors != uint64(n*(n+1)/2) {
			t.Errorf("n=%d: shard %q workers %d errors %d", n, r.Shard, r.Workers, r.Errors)
		}
		// Bucket counts add, so the merged histogram is the whole one and
		// its percentiles are exact to HDR precision (3 digits: 0.1%).
		gh, _ := results.DecodeHistogram(r.Histogram)
		wh, _ := results.DecodeHistogram(want.Histogram)
		if !gh.Equals(wh) {
			t.Errorf("n=%d: merged histogram differs from the unsharded one", n)
		}
		for _, p := range [][2]float64{{r.LatencyNs.P50, want.LatencyNs.P50}, {r.LatencyNs.P99, want.LatencyNs.P99}, {r.LatencyNs.P999, want.LatencyNs.P999}} {
			if math.Abs(p[0]-p[1]) > p[1]*0.001 {
				t.Errorf("n=%d: percentile %v, unsharded %v", n, p[0], p[1])
			}
		}
		if fmt.Sprint(r.Fairness.Shards.Counts) != fmt.Sprint(want.Fairness.Shards.Counts) || r.Fairness.Shards.Jain != want.Fairness.Shards.Jain {
			t.Errorf("n=%d: shard counts %v jain %v, want %v %v", n, r.Fairness.Shards.Counts, r.Fairness.Shards.Jain, want.Fairness.Shards.Counts, want.Fairness.Shards.Jain)
		}
		if r.ServiceNs.Count != want.Ops {
			t.Errorf("n=%d: service count %d", n, r.ServiceNs.Count)
		}
		if r.Intervals[0].Ops+r.Intervals[1].Ops != want.Ops {
			t.Errorf("n=%d: interval ops do not add up", n)
		}
		if r.Metrics["nodes_seen"] != 5 {
			t.Errorf("n=%d: a metric equal on every shard changed: %v", n, r.Metrics)
		}
		if d := 10 + float64(n)/10; r.DurationS != d || math.Abs(r.ThroughputOpsS-float64(want.Ops)/d) > 1e-9 {
			t.Errorf("n=%d: duration %v throughput %v", n, r.DurationS, r.ThroughputOpsS)
		}
	}
}

func TestMergeRejectsNonShards(t *testing.T) {
	docs, _ := shardDocs(t, 3, 9)
	other, _ := shardDocs(t, 4, 9)
	unsharded, _ := shardDocs(t, 1, 9)
	unsharded[0].Runs[0].Shard = ""
	moved, _ := shardDocs(t, 3, 9)
	moved[2].Runs[0].Target = "hashing/jump"
	reseeded, _ := shardDocs(t, 2, 9)
	reseeded[1].Runs[0].Seed = 43
	rewired, _ := shardDocs(t, 2, 9)
	rewired[1].Runs[0].Workers = 4
	for _, c := range []struct {
		name string
		in   []*results.Document
		want string
	}{
		{"missing shard", docs[:2], "shards missing: 2/3"},
		{"duplicate", []*results.Document{docs[0], docs[1], docs[1]}, "both shard 1/3"},
		{"different n", []*results.Document{docs[0], docs[1], other[2]}, "shard of 4"},
		{"not a shard", unsharded, "not run as a shard"},
		{"different runs", []*results.Document{moved[0], moved[1], moved[2]}, "hashing/jump"},
		{"nothing", nil, "nothing to merge"},
		{"different seed", reseeded, "shard 1/2 has seed 43, shard 0/2 seed 42"},
		{"different workers", rewired, "shard 1/2 ran 4 workers, shard 0/2 2"},
	} {
		_, err := Merge(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestPoolSummary(t *testing.T) {
	// Two halves of {1,2,3,4}: mean 2.5, population stddev √1.25.
	a := results.Summary{Count: 2, Mean: 1.5, Stddev: 0.5, P50: 1, Max: 2}
	b := results.Summary{Count: 2, Mean: 3.5, Stddev: 0.5, P50: 3, Max: 4}
	p := poolSummary(a, b)
	if p.Count != 4 || p.Mean != 2.5 || math.Abs(p.Stddev-math.Sqrt(1.25)) > 1e-12 || p.Max != 4 || p.P50 != 3 {
		t.Errorf("pooled %+v", p)
	}
}
