package algotest

import (
	"slices"
	"testing"

	"github.com/dsbench/dsbench/harness"
)

// SameRun fails the test unless two reports of virtual-time runs with one
// seed are identical: op, error and denial counts, events, every latency and
// service value (whole histograms, not one percentile), per-shard counts and
// every family metric except the wall-clock ones named in skip.
func SameRun(t testing.TB, label string, a, b *harness.Report, skip ...string) {
	t.Helper()
	if a.Ops != b.Ops || a.Errors != b.Errors || a.Denied != b.Denied || a.Events != b.Events ||
		a.Duration != b.Duration || !slices.Equal(a.ShardOps, b.ShardOps) {
		t.Errorf("%s: two runs with one seed differ: ops %d/%d errors %d/%d denied %d/%d events %d/%d duration %v/%v",
			label, a.Ops, b.Ops, a.Errors, b.Errors, a.Denied, b.Denied, a.Events, b.Events, a.Duration, b.Duration)
		return
	}
	if !a.Latency.Equals(b.Latency) || !a.Service.Equals(b.Service) {
		t.Errorf("%s: two runs with one seed record different latencies", label)
	}
	for k, v := range a.Metrics {
		if w, ok := b.Metrics[k]; !slices.Contains(skip, k) && (!ok || w != v) {
			t.Errorf("%s: metric %s: %v vs %v", label, k, v, w)
		}
	}
}
