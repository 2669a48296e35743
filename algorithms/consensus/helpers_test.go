package consensus

import (
	"context"
	"strings"
	"testing"
	"time"

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
	return runTarget(t, st, spec, p.Int("nodes"), ops, seed)
}

// runTarget runs st through harness.RunSim; a run that does not finish in
// 30 s of wall time (a liveness bug: the cluster's ticks never stop) fails.
func runTarget(t testing.TB, st harness.SimTarget, spec workloads.Spec, nodes int, ops, seed uint64) *harness.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := harness.RunSim(ctx, st, harness.Config{
		Source: func(part workloads.Part) (workloads.Source, error) { return spec.Generator(seed, part) },
		Ops:    ops, Seed: seed, Shards: nodes, Clients: spec.Clients(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Interrupted {
		t.Fatalf("seed %d: the run did not finish (%d of %d ops): no liveness; metrics %v", seed, rep.Ops, ops, st.(harness.Metricser).Metrics())
	}
	return rep
}

var targets = []string{"multi-paxos", "flexible-paxos", "raft"}

func resolve(name string, raw map[string]string) (algorithms.Params, error) {
	info, err := algorithms.Lookup("consensus/" + name)
	if err != nil {
		return algorithms.Params{}, err
	}
	return info.Resolve(raw)
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
