package loadbalance

import (
	"context"
	"testing"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// Every balancer through the harness's own simulator on the tour workload:
// the run completes, per-backend load lands in the shard counts, the family
// figures land in the report, and the run is deterministic.
func TestThroughRunSim(t *testing.T) {
	spec, err := workloads.ParseSpec(Workload)
	if err != nil {
		t.Fatal(err)
	}
	run := func(name string) *harness.Report {
		info, _ := algorithms.Lookup("loadbalance/" + name)
		p, err := info.Resolve(map[string]string{"slow": "1"})
		if err != nil {
			t.Fatal(err)
		}
		st, err := info.NewSim(algorithms.Env{Params: p, Seed: 5, Clock: algorithms.Virtual, Workload: spec, Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := harness.RunSim(context.Background(), st, harness.Config{
			Source: func(part workloads.Part) (workloads.Source, error) { return spec.Generator(5, part) },
			Ops:    5000, Seed: 5, Shards: 10, Clients: spec.Clients(),
		})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	for _, name := range Policies {
		a, b := run(name), run(name)
		var served uint64
		for _, n := range a.ShardOps {
			served += n
		}
		if a.Ops != 5000 || a.Errors != 0 || served != a.Ops {
			t.Errorf("%s: ops %d errors %d served %d", name, a.Ops, a.Errors, served)
		}
		if _, ok := a.Metrics["util_b9"]; !ok {
			t.Errorf("%s: metrics %v", name, a.Metrics)
		}
		algotest.SameRun(t, name, a, b)
	}
}
