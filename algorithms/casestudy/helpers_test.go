package casestudy

import (
	"strings"
	"testing"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
	"github.com/dsbench/dsbench/harness"
)

// runSim runs a registered target in virtual time through the harness on
// the workload spec with raw parameters.
func runSim(t *testing.T, name, spec string, raw map[string]string, ops uint64, seed uint64) *harness.Report {
	t.Helper()
	return algotest.Run(t, name, raw, spec, algotest.Options{Clock: algorithms.Virtual, Ops: ops, Seed: seed})
}

// sameRun reports whether two reports of one seed agree on everything a
// deterministic run must repeat.
func sameRun(a, b *harness.Report) bool {
	if a.Ops != b.Ops || a.Errors != b.Errors || a.Duration != b.Duration ||
		a.Latency.ValueAtQuantile(99) != b.Latency.ValueAtQuantile(99) || len(a.Metrics) != len(b.Metrics) {
		return false
	}
	for k, v := range a.Metrics {
		if b.Metrics[k] != v {
			return false
		}
	}
	for i := range a.ShardOps {
		if i >= len(b.ShardOps) || a.ShardOps[i] != b.ShardOps[i] {
			return false
		}
	}
	return true
}

// wantBad checks that Resolve rejects raw and that the error mentions every want.
func wantBad(t *testing.T, name string, raw map[string]string, want ...string) {
	t.Helper()
	info, err := algorithms.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	_, err = info.Resolve(raw)
	if err == nil {
		t.Errorf("%s %v: Resolve accepted it", name, raw)
		return
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s %v: %v; want it to mention %q", name, raw, err, w)
		}
	}
}
