package kafka

import (
	"context"
	"sync"
	"testing"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// Through the wall-clock runner with several workers (run with -race):
// every produce is appended once, to its key's partition.
func TestThroughRunWall(t *testing.T) {
	tp, err := NewWallTopic(simCfg(t, map[string]string{"segment_bytes": "10000"}), 1)
	if err != nil {
		t.Fatal(err)
	}
	sp, _ := workloads.ParseSpec("mix=produce:0.9,read:0.1 keys=zipf:theta=0.99,n=1000")
	rep, err := harness.RunWall(context.Background(), tp, harness.Config{
		Source: func(part workloads.Part) (workloads.Source, error) { return sp.Generator(4, part) },
		Closed: true, Workers: 4, Ops: 20000, Seed: 4, Shards: 8,
	})
	if err != nil {
		t.Fatal(err)
	}
	m := tp.Metrics()
	prod := rep.Kinds[workloads.Produce].Ops
	if rep.Errors != 0 || m["produced"] != float64(prod) || m["segments"] < 8 || m["partition_max_mean"] <= 1 {
		t.Errorf("errors %d produced %d metrics %v", rep.Errors, prod, m)
	}
	for p := range tp.parts {
		l := tp.parts[p].log
		for off := l.StartOffset(); off < l.EndOffset(); off++ {
			r, _ := l.Read(off)
			if PartitionForKey(KeyBytes(nil, r.Key), 8) != p {
				t.Fatalf("key %d in partition %d", r.Key, p)
			}
		}
	}
}

// Unforked, the shared partitioner is guarded: sticky null keys from many
// goroutines at once.
func TestWallSharedConcurrent(t *testing.T) {
	tp, _ := NewWallTopic(simCfg(t, map[string]string{"key": "null"}), 1)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			op := workloads.Op{Kind: workloads.Produce, Size: 100}
			for i := 0; i < 2000; i++ {
				tp.Do(0, &op)
			}
		}()
	}
	wg.Wait()
	if m := tp.Metrics(); m["produced"] != 8000 {
		t.Errorf("%v", m)
	}
}

func BenchmarkWallProduce(b *testing.B) {
	cfg := Config{Partitions: 16, SegmentBytes: 1 << 20, RetentionBytes: 64 << 20, KeyMode: KeyDecimal, NullMode: NullSticky, BatchBytes: 16384,
		Consumers: 1, Assignor: AssignRange, Poll: 1, ConsumeRate: 1, MaxPollRecords: 1,
		Groups: 1, Replicas: 1, Acks: Acks1, MinISR: 1, Heartbeat: 1, SessionTimeout: 2}
	tp, err := NewWallTopic(cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		pr := tp.Fork(0, newRand(1))
		op := workloads.Op{Kind: workloads.Produce, Size: 100}
		for pb.Next() {
			op.Key++
			op.Key *= 2654435761
			op.Key %= 1000000
			pr.Do(0, &op)
		}
	})
}
