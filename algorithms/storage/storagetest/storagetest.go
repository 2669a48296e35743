// Package storagetest holds the checks every storage.KV engine and every
// registered storage target must pass, shared by the tests of package storage
// (storage/map) and of the engines outside it (storage/reference).
package storagetest

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"sort"
	"testing"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/storage"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// YCSBOpsMatchModel drives every op kind through the adapter over kv and
// checks the engine's contents, point reads and scans against a Go map. It
// closes kv.
func YCSBOpsMatchModel(t *testing.T, kv storage.KV) {
	t.Helper()
	tg := storage.NewTarget(kv, 7)
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
	if _, disk := kv.(storage.DiskUser); disk && m["space_amp"] <= 0 {
		t.Fatalf("space_amp missing for an on-disk engine: %v", m)
	}
}

func checkModel(t *testing.T, kv storage.KV, model map[uint64]int, keys uint64, r *rand.Rand) {
	t.Helper()
	var kb [storage.KeyLen]byte
	for k := uint64(0); k < keys; k++ {
		v, found, err := kv.Get(storage.EncodeKey(kb[:], k), nil)
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
		err := kv.Scan(storage.EncodeKey(kb[:], start), limit, func(k, v []byte) bool {
			id, ok := storage.DecodeKey(k)
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

// RegisteredTargetRunsAndCleans builds the registered target name, checks
// that it rejects a bad sync parameter (when it has parameters), runs an
// insert on it and closes it, and checks that closing left a user-given
// dir in place.
func RegisteredTargetRunsAndCleans(t *testing.T, name string) {
	t.Helper()
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
	if err := tg.(*storage.Target).Close(); err != nil {
		t.Fatal(err)
	}
	if dir, ok := raw["dir"]; ok {
		if _, err := os.Stat(dir); err != nil {
			t.Fatalf("%s removed a user-given dir: %v", name, err)
		}
	}
}

// LoadsMatchesLoader checks that the registered target name declares Loads
// exactly when it has a load phase (implements harness.Loader): the CLI
// takes --load only for those.
func LoadsMatchesLoader(t *testing.T, name string) {
	t.Helper()
	info, err := algorithms.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := info.Resolve(nil)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := info.NewWall(algorithms.Env{Params: p, Seed: 1, Clock: algorithms.Wall, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, isLoader := tg.(harness.Loader)
	if c, ok := tg.(interface{ Close() error }); ok {
		c.Close()
	}
	if isLoader != info.Loads {
		t.Errorf("%s: Loads=%v but implements harness.Loader=%v", name, info.Loads, isLoader)
	}
}
