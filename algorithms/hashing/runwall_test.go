package hashing

import (
	"context"
	"math"
	"testing"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// Every target through the harness's wall-clock runner on a Zipfian
// workload with two workers: per-node load lands in the shard counts, the
// family figures in the report, and bounded loads keep every node within
// ⌈c·m/n⌉ where plain hashing lets the hot keys' nodes run far above the mean.
func TestThroughRunWall(t *testing.T) {
	spec, err := workloads.ParseSpec("ycsb-c keys=zipf:theta=0.99,n=1e6")
	if err != nil {
		t.Fatal(err)
	}
	const ops = 20000
	maxShare := map[string]float64{}
	for _, name := range targetNames {
		info, _ := algorithms.Lookup("hashing/" + name)
		p, _ := info.Resolve(nil)
		tg, err := info.NewWall(algorithms.Env{Params: p, Seed: 5, Clock: algorithms.Wall, Workload: spec, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := harness.RunWall(context.Background(), tg, harness.Config{
			Source: func(part workloads.Part) (workloads.Source, error) { return spec.Generator(5, part) },
			Ops:    ops, Workers: 2, Seed: 5, Shards: 10, Clients: spec.Clients(),
		})
		if err != nil {
			t.Fatal(err)
		}
		var served, mx uint64
		for _, n := range rep.ShardOps {
			served += n
			mx = max(mx, n)
		}
		if served != rep.Ops || rep.Errors != 0 {
			t.Errorf("%s: ops %d served %d errors %d", name, rep.Ops, served, rep.Errors)
		}
		if _, ok := rep.Metrics["keys_moved_add"]; !ok {
			t.Errorf("%s: metrics %v", name, rep.Metrics)
		}
		maxShare[name] = float64(mx) / float64(served) * 10
	}
	t.Logf("peak/mean node load under zipf 0.99: %v", maxShare)
	if maxShare["bounded"] > math.Ceil(1.25*ops/10)/(ops/10)+1e-9 {
		t.Errorf("bounded: peak/mean %v above c", maxShare["bounded"])
	}
	if maxShare["ring"] < 1.3 {
		t.Errorf("ring under zipf 0.99: peak/mean %v; the hot keys should show", maxShare["ring"])
	}
}
