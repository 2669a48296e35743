package consensus

import (
	"context"
	"testing"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// run runs target consensus/name with raw parameters on a workload through
// harness.RunSim and returns the report.
func run(t testing.TB, name, workload string, raw map[string]string, ops uint64, seed uint64) *harness.Report {
	t.Helper()
	info, err := algorithms.Lookup("consensus/" + name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := info.Resolve(raw)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := workloads.ParseSpec(workload)
	if err != nil {
		t.Fatal(err)
	}
	st, err := info.NewSim(algorithms.Env{Params: p, Seed: seed, Clock: algorithms.Virtual, Workload: spec, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := harness.RunSim(context.Background(), st, harness.Config{
		Source: func(part workloads.Part) (workloads.Source, error) { return spec.Generator(seed, part) },
		Ops:    ops, Seed: seed, Shards: p.Int("nodes"), Clients: spec.Clients(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

var targets = []string{"multi-paxos", "flexible-paxos", "raft"}
