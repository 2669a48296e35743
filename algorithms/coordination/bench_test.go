package coordination

import (
	"context"
	"testing"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// The cost of simulating one op (its messages, CPU queues and tree updates),
// harness and generator included.
func benchSim(b *testing.B, name, spec string) {
	info, _ := algorithms.Lookup(name)
	p, _ := info.Resolve(nil)
	ws, err := workloads.ParseSpec(spec)
	if err != nil {
		b.Fatal(err)
	}
	st, err := info.NewSim(algorithms.Env{Params: p, Seed: 1, Clock: algorithms.Virtual, Workload: ws, Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	rep, err := harness.RunSim(context.Background(), st, harness.Config{
		Source: func(part workloads.Part) (workloads.Source, error) { return ws.Generator(1, part) },
		Ops:    uint64(b.N), Seed: 1, Shards: 8, Clients: ws.Clients(),
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(rep.Events)/float64(b.N), "events/op")
}

func BenchmarkZooKeeperTour(b *testing.B) { benchSim(b, "coordination/zookeeper", ZKWorkload) }
func BenchmarkChubbyDefault(b *testing.B) { benchSim(b, "coordination/chubby", ChubbyWorkload) }
