package all_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
	_ "github.com/dsbench/dsbench/algorithms/all"
	"github.com/dsbench/dsbench/harness"
)

// TestEveryVirtualTargetIsDeterministic runs every registered target that
// supports the virtual clock twice with one seed, its default workload and a
// few hundred ops, and compares whole reports (docs/design.md rule 5); then
// once with another seed, which must change something, or the seed does not
// reach the run. Targets without the virtual clock are left out: their
// figures are wall-clock times of this machine (that includes every real/*
// target, which reaches a server).
func TestEveryVirtualTargetIsDeterministic(t *testing.T) {
	for _, info := range algorithms.All() {
		if !info.Supports(algorithms.Virtual) {
			continue
		}
		t.Run(info.Name, func(t *testing.T) {
			t.Parallel()
			spec := info.Workload
			if spec == "" {
				spec = algorithms.DefaultWorkload
			}
			run := func(seed uint64) *harness.Report {
				return algotest.Run(t, info.Name, nil, spec, algotest.Options{Clock: algorithms.Virtual, Ops: 300, Seed: seed})
			}
			a, b := run(7), run(7)
			algotest.SameRun(t, info.Name, a, b)
			if c := run(8); !seedless[info.Name] && same(a, c) {
				t.Errorf("%s: seeds 7 and 8 give the same report: the seed does not reach the run", info.Name)
			}
		})
	}
}

// seedless are the targets whose default workload draws nothing that
// changes their report: the seed changes which keys are read, and they ignore
// keys.
var seedless = map[string]bool{
	"builtin/noop":  true, // answers at once: every latency is 0
	"builtin/stall": true, // constant arrivals (arrival=constant), constant service, a fixed freeze schedule
}

// same reports whether two reports agree in everything SameRun compares.
func same(a, b *harness.Report) bool {
	return a.Ops == b.Ops && a.Errors == b.Errors && a.Denied == b.Denied && a.Events == b.Events &&
		a.Duration == b.Duration && slices.Equal(a.ShardOps, b.ShardOps) &&
		a.Latency.Equals(b.Latency) && a.Service.Equals(b.Service) && maps.Equal(a.Metrics, b.Metrics)
}
