package dynamo

import (
	"testing"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
	"github.com/dsbench/dsbench/harness"
)

// run builds the named target with params over the workload spec and runs
// ops ops through harness.RunSim.
func run(t testing.TB, name, spec string, params map[string]string, ops uint64, seed uint64) (*harness.Report, *Sim) {
	t.Helper()
	o := algotest.Options{Clock: algorithms.Virtual, Ops: ops, Seed: seed, Shards: algotest.Params(t, name, params).Int("nodes")}
	st := algotest.Build(t, name, params, spec, o).(*Sim)
	return algotest.RunTarget(t, st, algotest.Spec(t, spec), o), st
}

// Both targets through the harness on the tour workload: every op served,
// the coordinators land in the shard counts, the figures in the report, and
// one seed gives one run.
func TestThroughRunSim(t *testing.T) {
	for _, name := range []string{"dynamo/quorum", "dynamo/strict"} {
		a, s := run(t, name, Workload, nil, 3000, 7)
		b, _ := run(t, name, Workload, nil, 3000, 7)
		var served uint64
		for _, n := range a.ShardOps {
			served += n
		}
		if a.Ops != 3000 || a.Errors != 0 || served != a.Ops {
			t.Errorf("%s: ops %d errors %d served %d", name, a.Ops, a.Errors, served)
		}
		for _, k := range []string{"stale_read_rate", "siblings_returned", "hints_stored", "hints_delivered", "read_repairs",
			"messages_per_op", "write_availability", "durability_violations", "merkle_ranges_synced"} {
			if _, ok := a.Metrics[k]; !ok {
				t.Errorf("%s: no metric %s in %v", name, k, a.Metrics)
			}
		}
		algotest.SameRun(t, name, a, b)
		if a.Metrics["durability_violations"] != 0 {
			t.Errorf("%s: %v acknowledged writes lost", name, a.Metrics["durability_violations"])
		}
		t.Logf("%s: p50 %v p99 %v metrics %v", name, a.Latency.ValueAtQuantile(50), a.Latency.ValueAtQuantile(99), a.Metrics)
		_ = s
	}
}
