package storage

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"sort"
	"testing"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/workloads"
)

type engine struct {
	name string
	open func(t *testing.T) KV
}

func engines() []engine {
	return []engine{
		{"map", func(t *testing.T) KV { return NewMap() }},
		{"pebble", func(t *testing.T) KV {
			kv, err := OpenPebble(PebbleOptions{Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			return kv
		}},
		{"bbolt", func(t *testing.T) KV {
			kv, err := OpenBolt(BoltOptions{Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			return kv
		}},
	}
}

// TestYCSBOpsMatchModel drives every op kind through the adapter and checks
// the engine's contents, point reads and scans against a Go map.
func TestYCSBOpsMatchModel(t *testing.T) {
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) {
			kv := e.open(t)
			tg := NewTarget(kv, 7)
			defer tg.Close()
			const keys = 300
			if err := tg.Load(keys/2, 40); err != nil {
				t.Fatal(err)
			}
			model := map[uint64]int{} // key → value length
			for k := uint64(0); k < keys/2; k++ {
				model[k] = 40
			}
			w := tg.Fork(0, rand.New(rand.NewPCG(3, 4)))
			r := rand.New(rand.NewPCG(5, 6))
			kinds := []workloads.Kind{workloads.Read, workloads.Update, workloads.Insert, workloads.Scan, workloads.RMW, workloads.Delete}
			for i := 0; i < 3000; i++ {
				op := workloads.Op{Seq: uint64(i), Kind: kinds[r.IntN(len(kinds))], Key: r.Uint64N(keys), Size: uint32(8 + r.IntN(200))}
				if out := w.Do(0, &op); out.Err != nil {
					t.Fatalf("op %d %s: %v", i, op.Kind, out.Err)
				}
				switch op.Kind {
				case workloads.Update, workloads.Insert, workloads.RMW:
					model[op.Key] = int(op.Size)
				case workloads.Delete:
					delete(model, op.Key)
				}
				if i%500 == 0 {
					checkModel(t, kv, model, keys, r)
				}
			}
			checkModel(t, kv, model, keys, r)
			m := tg.Metrics()
			if m["user_puts"] == 0 || m["user_bytes_written"] == 0 {
				t.Fatalf("adapter counters missing: %v", m)
			}
			if _, disk := kv.(DiskUser); disk && m["space_amp"] <= 0 {
				t.Fatalf("space_amp missing for an on-disk engine: %v", m)
			}
		})
	}
}

func checkModel(t *testing.T, kv KV, model map[uint64]int, keys uint64, r *rand.Rand) {
	t.Helper()
	var kb [KeyLen]byte
	for k := uint64(0); k < keys; k++ {
		v, found, err := kv.Get(EncodeKey(kb[:], k), nil)
		if err != nil {
			t.Fatal(err)
		}
		n, want := model[k]
		if found != want || (found && !validValue(v, k, n)) {
			t.Fatalf("key %d: found=%v len=%d, model has=%v len=%d", k, found, len(v), want, n)
		}
	}
	sorted := make([]uint64, 0, len(model))
	for k := range model {
		sorted = append(sorted, k)
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	for i := 0; i < 20; i++ {
		start, limit := r.Uint64N(keys+5), r.IntN(40)
		var got []uint64
		err := kv.Scan(EncodeKey(kb[:], start), limit, func(k, v []byte) bool {
			id, ok := DecodeKey(k)
			if !ok || !validValue(v, id, model[id]) {
				t.Fatalf("scan returned key %x with a bad value", k)
			}
			got = append(got, id)
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		j := sort.Search(len(sorted), func(i int) bool { return sorted[i] >= start })
		want := sorted[j:]
		if limit > 0 && len(want) > limit {
			want = want[:limit]
		}
		if len(got) != len(want) || (len(got) > 0 && (got[0] != want[0] || got[len(got)-1] != want[len(want)-1])) {
			t.Fatalf("scan(%d, %d) = %v, want %v", start, limit, got, want)
		}
	}
}

func validValue(v []byte, k uint64, n int) bool {
	return len(v) == n && binary.BigEndian.Uint64(v) == k
}

func TestUnsupportedKindIsAnError(t *testing.T) {
	tg := NewTarget(NewMap(), 1)
	op := workloads.Op{Kind: workloads.Acquire}
	if out := tg.Do(0, &op); !errors.Is(out.Err, ErrUnsupportedKind) {
		t.Fatalf("acquire: err = %v, want ErrUnsupportedKind", out.Err)
	}
}

// nopKV isolates the adapter so its own allocations can be counted.
type nopKV struct{}

func (nopKV) Get(k, buf []byte) ([]byte, bool, error) { return append(buf, k...), true, nil }
func (nopKV) Put(k, v []byte) error                   { return nil }
func (nopKV) Delete(k []byte) error                   { return nil }
func (nopKV) Scan(s []byte, limit int, fn func(k, v []byte) bool) error {
	fn(s, s)
	return nil
}
func (nopKV) Close() error { return nil }

func TestAdapterAllocatesNothingPerOp(t *testing.T) {
	w := NewTarget(nopKV{}, 1).Fork(0, rand.New(rand.NewPCG(1, 1)))
	for k := workloads.Read; k <= workloads.Delete; k++ {
		op := workloads.Op{Kind: k, Key: 42, Size: 100}
		if a := testing.AllocsPerRun(200, func() { w.Do(0, &op) }); a != 0 {
			t.Errorf("%s: %.1f allocs per op, want 0", k, a)
		}
	}
}

func TestRegisteredTargetsRunAndClean(t *testing.T) {
	for _, name := range []string{"storage/map", "storage/pebble", "storage/bbolt"} {
		info, err := algorithms.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		raw := map[string]string{}
		if len(info.Params) > 0 {
			if _, err := info.Resolve(map[string]string{"sync": "sometimes"}); err == nil {
				t.Fatalf("%s accepted sync=sometimes", name)
			}
			raw["dir"] = t.TempDir() + "/db"
		}
		p, err := info.Resolve(raw)
		if err != nil {
			t.Fatal(err)
		}
		tg, err := info.NewWall(algorithms.Env{Params: p, Seed: 9, Clock: algorithms.Wall, Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		op := workloads.Op{Kind: workloads.Insert, Key: 1, Size: 10}
		if out := tg.Do(0, &op); out.Err != nil {
			t.Fatal(out.Err)
		}
		if err := tg.(*Target).Close(); err != nil {
			t.Fatal(err)
		}
		if dir, ok := raw["dir"]; ok {
			if _, err := os.Stat(dir); err != nil {
				t.Fatalf("%s removed a user-given dir: %v", name, err)
			}
		}
	}
}

func TestTempDirRemovedOnClose(t *testing.T) {
	p, err := OpenPebble(PebbleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := p.dir
	p.Close()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("temporary dir %s survives Close: %v", dir, err)
	}
}

// TestLoadCountedOnce checks that the load phase's puts are counted once in
// user_puts and user_bytes_written (the root worker, which runs the load, is
// also in the worker list).
func TestLoadCountedOnce(t *testing.T) {
	tg := NewTarget(NewMap(), 1)
	defer tg.Close()
	if err := tg.Load(1000, 50); err != nil {
		t.Fatal(err)
	}
	w := tg.Fork(0, rand.New(rand.NewPCG(1, 1)))
	op := workloads.Op{Kind: workloads.Update, Key: 3, Size: 20}
	w.Do(0, &op)
	m := tg.Metrics()
	if m["user_puts"] != 1001 || m["user_bytes_written"] != 1000*(KeyLen+50)+KeyLen+20 {
		t.Fatalf("user_puts=%v user_bytes_written=%v, want 1001 and %d", m["user_puts"], m["user_bytes_written"], 1000*(KeyLen+50)+KeyLen+20)
	}
}
