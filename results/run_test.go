package results

import (
	"math"
	"testing"
	"time"

	"github.com/dsbench/dsbench/harness"
)

func TestNewRunFromReport(t *testing.T) {
	r := fixtureDoc().Runs[0]
	if r.ThroughputOpsS != 501 || r.DurationS != 2 || r.Loop != "open" || r.WarmupOps != 100 {
		t.Errorf("counters: throughput %v duration %v loop %q warmup %d", r.ThroughputOpsS, r.DurationS, r.Loop, r.WarmupOps)
	}
	if r.LatencyNs.Count != 1002 || r.LatencyNs.Max < 40_000_000 || r.ServiceNs.Max > 1501 {
		t.Errorf("summaries: %+v / %+v", r.LatencyNs, r.ServiceNs)
	}
	if len(r.Kinds) != 2 || r.Kinds["read"].Ops != 802 || r.Kinds["update"].LatencyNs.Count != 200 {
		t.Errorf("kinds: %+v", r.Kinds)
	}
	s := r.Fairness.Shards
	if s.N != 4 || !near(s.Jain, Jain([]uint64{400, 300, 200, 102})) || len(s.LatencyP99Ns) != 4 {
		t.Errorf("shard fairness: %+v", s)
	}
	if c := r.Fairness.Clients; c.N != 2 || c.Jain != 1 || c.Gini != 0 {
		t.Errorf("client fairness: %+v", c)
	}
	if r.FirstError != "map: key 7\nnot found" || r.Error != "" {
		t.Errorf("errors: first %q, run %q", r.FirstError, r.Error)
	}
	// Interval 0 runs 0–1 s, interval 1 runs to the end of the 2 s run.
	if iv := r.Intervals; len(iv) != 2 || iv[0].ThroughputOpsS != 600 || iv[1].ThroughputOpsS != 402 ||
		iv[1].StartS != 1 || iv[1].LatencyMaxNs < 40_000_000 || iv[0].Metrics["keys_moved"] != 5 || iv[1].Metrics != nil {
		t.Errorf("intervals: %+v", iv)
	}
	h, err := DecodeHistogram(r.Histogram)
	if err != nil || Summarize(h) != r.LatencyNs {
		t.Errorf("encoded histogram does not match the summary: %v", err)
	}
}

func TestNewRunEdgeCases(t *testing.T) {
	rep := &harness.Report{
		Loop: "open", Ops: 10, Duration: 0,
		ShardOps:  make([]uint64, 8), // no op named a shard
		ClientOps: make([]uint64, MaxClientCounts+1),
		Metrics:   map[string]float64{"nan": math.NaN(), "inf": math.Inf(1), "ok": 1.5},
		Intervals: []harness.IntervalReport{{Start: 0, Ops: 5}, {Start: 500 * time.Millisecond, Ops: 5}},
	}
	rep.ClientOps[0] = 10
	r := NewRun(RunMeta{ID: "r9", Params: nil}, rep)
	if r.ThroughputOpsS != 0 {
		t.Errorf("zero duration gave throughput %v", r.ThroughputOpsS)
	}
	if r.Fairness.Shards.N != 0 {
		t.Errorf("shard fairness without any served shard: %+v", r.Fairness.Shards)
	}
	if c := r.Fairness.Clients; c.N != MaxClientCounts+1 || c.Counts != nil || !near(c.Jain, 1.0/float64(MaxClientCounts+1)) {
		t.Errorf("client fairness over many clients: N %d, %d counts, Jain %v", c.N, len(c.Counts), c.Jain)
	}
	if len(r.Metrics) != 1 || r.Metrics["ok"] != 1.5 {
		t.Errorf("non-finite metrics should be omitted: %v", r.Metrics)
	}
	// The last interval, with no run end after it, takes the previous step.
	if r.Intervals[1].ThroughputOpsS != 10 {
		t.Errorf("last interval throughput %v, want 10", r.Intervals[1].ThroughputOpsS)
	}
	if r.Params == nil || r.Kinds == nil || r.Histogram != "" {
		t.Errorf("params %v kinds %v histogram %q", r.Params, r.Kinds, r.Histogram)
	}

	failed := NewRun(RunMeta{ID: "r1", Target: "x/y", Error: "boom"}, nil)
	if failed.Error != "boom" || failed.Ops != 0 || failed.Intervals == nil || failed.Metrics == nil {
		t.Errorf("failed run: %+v", failed)
	}
}

func TestNewRunCopiesParams(t *testing.T) {
	p := map[string]string{"a": "1"}
	r := NewRun(RunMeta{Params: p}, nil)
	p["a"] = "2"
	if r.Params["a"] != "1" {
		t.Error("NewRun kept the caller's params map")
	}
}

func TestNewDocument(t *testing.T) {
	d := NewDocument(fixtureEnv(), nil)
	if d.Schema != SchemaVersion || d.Runs == nil || d.Interrupted {
		t.Errorf("empty document: %+v", d)
	}
	if !fixtureDoc().Interrupted {
		t.Error("a document with an interrupted run is not marked interrupted")
	}
}

func BenchmarkNewRun(b *testing.B) {
	rep := fixtureOpenReport()
	meta := RunMeta{ID: "r1", Target: "builtin/map", Params: map[string]string{"shards": "4"}}
	b.ReportAllocs()
	for b.Loop() {
		NewRun(meta, rep)
	}
}
