package builtin

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/dsbench/dsbench/workloads"
)

// TestMapModel runs random ops against the store and a plain map.
func TestMapModel(t *testing.T) {
	k := newKVMap(7)
	ref := map[uint64]uint32{}
	var misses uint64
	r := rand.New(rand.NewPCG(1, 2))
	miss := func(key uint64) {
		if _, ok := ref[key]; !ok {
			misses++
		}
	}
	for i := range 50000 {
		op := workloads.Op{Kind: workloads.Kind(r.IntN(6)), Key: r.Uint64N(500), Size: uint32(i)}
		if op.Kind == workloads.Scan {
			op.Size = uint32(r.IntN(20))
		}
		switch op.Kind {
		case workloads.Read:
			miss(op.Key)
		case workloads.Update, workloads.Insert:
			ref[op.Key] = op.Size
		case workloads.RMW:
			miss(op.Key)
			ref[op.Key] = op.Size
		case workloads.Delete:
			delete(ref, op.Key)
		case workloads.Scan:
			for j := range max(uint64(op.Size), 1) {
				miss(op.Key + j)
			}
		}
		o := k.Do(0, &op)
		if o.Err != nil || o.Shard != int32(k.shardOf(op.Key)) || o.Shard < 0 || o.Shard >= 7 {
			t.Fatalf("op %+v: outcome %+v", op, o)
		}
	}
	for key, size := range ref {
		s := &k.shards[k.shardOf(key)]
		if got, ok := s.m[key]; !ok || got != size {
			t.Fatalf("key %d: store has %d (present %v), model %d", key, got, ok, size)
		}
	}
	m := k.Metrics()
	if m["keys"] != float64(len(ref)) || m["read_misses"] != float64(misses) {
		t.Errorf("metrics %v, model keys=%d misses=%d", m, len(ref), misses)
	}
	if o := k.Do(0, &workloads.Op{Kind: workloads.Acquire}); o.Err == nil {
		t.Error("an unsupported kind was accepted")
	}
}

// TestMapShardBalance: distinct keys spread evenly over the shards.
func TestMapShardBalance(t *testing.T) {
	k := newKVMap(16)
	if err := k.Load(160000, 100); err != nil {
		t.Fatal(err)
	}
	for i := range k.shards {
		if n := len(k.shards[i].m); n < 9500 || n > 10500 {
			t.Errorf("shard %d holds %d of 160000 sequential keys, want ≈ 10000", i, n)
		}
	}
}

func TestMapConcurrent(t *testing.T) {
	k := newKVMap(4)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 0))
			for range 20000 {
				op := workloads.Op{Kind: workloads.Kind(r.IntN(6)), Key: r.Uint64N(100), Size: 8}
				k.Do(0, &op)
			}
		}()
	}
	wg.Wait()
	if n := k.Metrics()["keys"]; n > 100 {
		t.Errorf("%v keys from a key space of 100", n)
	}
}

func TestMapNoAlloc(t *testing.T) {
	k := newKVMap(16)
	_ = k.Load(1000, 8)
	ops := []workloads.Op{{Kind: workloads.Read, Key: 5}, {Kind: workloads.Update, Key: 6, Size: 9},
		{Kind: workloads.RMW, Key: 7}, {Kind: workloads.Scan, Key: 10, Size: 50}}
	for _, op := range ops {
		if a := testing.AllocsPerRun(1000, func() { k.Do(0, &op) }); a != 0 {
			t.Errorf("%v allocates %.1f per op", op.Kind, a)
		}
	}
}
