package coordination

import (
	"context"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

func runTarget(t *testing.T, name string, raw map[string]string, spec string, dur time.Duration, ops uint64, workers int, seed uint64) (*harness.Report, harness.SimTarget) {
	t.Helper()
	info, err := algorithms.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := info.Resolve(raw)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := workloads.ParseSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	st, err := info.NewSim(algorithms.Env{Params: p, Seed: seed, Clock: algorithms.Virtual, Workload: ws, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := harness.RunSim(context.Background(), st, harness.Config{
		Source:   func(part workloads.Part) (workloads.Source, error) { return ws.Generator(seed, part) },
		Duration: dur, Ops: ops, Seed: seed, Shards: 8, Clients: ws.Clients(),
		Closed: ws.Closed(), Workers: workers,
	})
	if err != nil {
		t.Fatal(err)
	}
	return rep, st
}

func TestZKTourSmoke(t *testing.T) {
	rep, _ := runTarget(t, "coordination/zookeeper", nil, ZKWorkload, time.Second, 0, 0, 1)
	t.Logf("ops %d err %d p50 %v p99 %v metrics %v shards %v", rep.Ops, rep.Errors,
		time.Duration(rep.Latency.ValueAtQuantile(50)), time.Duration(rep.Latency.ValueAtQuantile(99)), rep.Metrics, rep.ShardOps)
}

func TestChubbySmoke(t *testing.T) {
	rep, _ := runTarget(t, "coordination/chubby", map[string]string{"stall": "0.2", "failover_at": "20s"}, ChubbyWorkload+" arrival=poisson:rate=200", 60*time.Second, 0, 0, 1)
	t.Logf("ops %d err %d p50 %v p99 %v metrics %v shards %v", rep.Ops, rep.Errors,
		time.Duration(rep.Latency.ValueAtQuantile(50)), time.Duration(rep.Latency.ValueAtQuantile(99)), rep.Metrics, rep.ShardOps)
	rep, _ = runTarget(t, "coordination/chubby", map[string]string{"stall": "0.2", "sequencer": "false"}, ChubbyWorkload+" arrival=poisson:rate=200", 60*time.Second, 0, 0, 1)
	t.Logf("ops %d err %d metrics %v", rep.Ops, rep.Errors, rep.Metrics)
}
