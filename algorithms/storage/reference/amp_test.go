package reference_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dsbench/dsbench/algorithms"
	_ "github.com/dsbench/dsbench/algorithms/lsm" // registers storage/lsm
	"github.com/dsbench/dsbench/algorithms/storage"
	_ "github.com/dsbench/dsbench/algorithms/storage/reference" // registers storage/pebble, storage/bbolt
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// TestAmplificationOneDefinition runs the same small load (it fits in every
// memtable) plus inserts (fresh keys: no overwrite for a memtable to
// absorb) against each engine through its registered target
// and checks the package doc's definitions: the data reaches the files
// before write_amp is computed, write_amp excludes the WAL and
// write_amp_wal adds it, for the LSM through the adapter as for Pebble.
func TestAmplificationOneDefinition(t *testing.T) {
	const n, size, updates = 3000, 100, 500 // updates: inserts after the load
	user := float64((n + updates) * (storage.KeyLen + size))
	for _, name := range []string{"storage/lsm", "storage/pebble", "storage/bbolt", "storage/map"} {
		t.Run(name, func(t *testing.T) {
			info, err := algorithms.Lookup(name)
			if err != nil {
				t.Fatal(err)
			}
			p, err := info.Resolve(map[string]string{})
			if err != nil {
				t.Fatal(err)
			}
			tg, err := info.NewWall(algorithms.Env{Params: p, Seed: 1, Clock: algorithms.Wall, Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			st := tg.(*storage.Target)
			defer st.Close()
			if err := st.Load(n, size); err != nil {
				t.Fatal(err)
			}
			w := st.Fork(0, rand.New(rand.NewPCG(1, 2)))
			for i := 0; i < updates; i++ {
				op := workloads.Op{Kind: workloads.Insert, Key: n + uint64(i), Size: size}
				if out := w.Do(0, &op); out.Err != nil {
					t.Fatal(out.Err)
				}
			}
			m := tg.(harness.Metricser).Metrics()
			if m["user_bytes_written"] != user {
				t.Fatalf("user_bytes_written = %v, want %v", m["user_bytes_written"], user)
			}
			wa, wal := m["write_amp"], m["write_amp_wal"]
			switch name {
			case "storage/map":
				if wa != 0 || wal != 0 {
					t.Fatalf("map: write_amp=%v write_amp_wal=%v, want 0 (nothing written to storage)", wa, wal)
				}
				return
			case "storage/bbolt":
				if wa < 1 || wal != wa {
					t.Fatalf("bbolt: write_amp=%v write_amp_wal=%v, want >= 1 and equal (no log)", wa, wal)
				}
			default:
				// Every byte loaded is in an sstable after the final flush
				// (random values: compression cannot shrink them much), and
				// the WAL held every put once more.
				if wa < 0.8 || wa > 1.5 {
					t.Fatalf("write_amp = %v, want ≈ 1 (flushed, WAL excluded): %v", wa, m)
				}
				if d := wal - wa; d < 0.9 || d > 1.5 {
					t.Fatalf("write_amp_wal - write_amp = %v, want ≈ 1 (the WAL): %v", d, m)
				}
			}
			if sa := m["space_amp"]; sa < 0.8 || sa > 4 {
				t.Fatalf("space_amp = %v, want the data in files after the flush: %v", sa, m)
			}
			if name == "storage/lsm" && math.Abs(wa-m["write_amp_no_wal"]) > 1e-9 {
				t.Fatalf("lsm write_amp %v differs from its write_amp_no_wal %v", wa, m["write_amp_no_wal"])
			}
		})
	}
}
