package reference_test

import (
	"bytes"
	"testing"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/lsm"
	"github.com/dsbench/dsbench/algorithms/storage"
	"github.com/dsbench/dsbench/algorithms/storage/reference"
)

// openTarget builds a registered storage target with params.
func openTarget(t *testing.T, name string, params map[string]string) *storage.Target {
	t.Helper()
	info, err := algorithms.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := info.Resolve(params)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := info.NewWall(algorithms.Env{Params: p, Seed: 1, Clock: algorithms.Wall, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tg.(*storage.Target).Close() })
	return tg.(*storage.Target)
}

// The two LSMs take one set of settings with one meaning: after a load and
// settle=compact neither has any compaction debt (every key in one level),
// compression shrinks both engines' tables of compressible values and none
// does not, and both count block cache hits.
func TestLSMsLikeForLike(t *testing.T) {
	ratio := map[string]float64{}
	for _, comp := range []string{storage.CompressNone, storage.CompressSnappy, storage.CompressZstd} {
		for _, name := range []string{"storage/lsm", "storage/pebble"} {
			st := openTarget(t, name, map[string]string{"compression": comp, "cache": "1048576"})
			kv := st.KV()
			var key [storage.KeyLen]byte
			val := bytes.Repeat([]byte("compressible "), 8)
			for i := uint64(0); i < 30000; i++ {
				if err := kv.Put(storage.EncodeKey(key[:], i), val); err != nil {
					t.Fatal(err)
				}
			}
			if err := st.Load(0, 0); err != nil { // nothing to insert: settle only
				t.Fatal(err)
			}
			switch e := kv.(type) {
			case *lsm.Engine:
				s := e.Stats()
				levels := 0
				for _, n := range s.LevelFiles {
					if n > 0 {
						levels++
					}
				}
				if s.L0Files != 0 || levels != 1 || s.PendingCompactionBytes != 0 {
					t.Errorf("%s %s: after settle=compact L0 %d, levels %v, debt %d", name, comp, s.L0Files, s.LevelFiles, s.PendingCompactionBytes)
				}
			case *reference.Pebble:
				g := e.IntervalMetrics()
				// (memtable_bytes is the allocated memtable, not what it holds.)
				if g["l0_files"] != 0 || g["compaction_debt_bytes"] != 0 {
					t.Errorf("%s %s: after settle=compact %v", name, comp, g)
				}
			}
			for i := uint64(0); i < 30000; i += 3 {
				if v, ok, err := kv.Get(storage.EncodeKey(key[:], i), nil); err != nil || !ok || !bytes.Equal(v, val) {
					t.Fatalf("%s %s: key %d: %q %v %v", name, comp, i, v, ok, err)
				}
			}
			m := st.Metrics()
			ratio[name+" "+comp] = m["compression_ratio"]
			if m["block_cache_hit_rate"] <= 0 || m["block_cache_hit_rate"] >= 1 {
				t.Errorf("%s %s: block_cache_hit_rate %v", name, comp, m["block_cache_hit_rate"])
			}
		}
	}
	t.Logf("compression_ratio: %v", ratio)
	for _, name := range []string{"storage/lsm", "storage/pebble"} {
		if r := ratio[name+" none"]; r <= 0 || r > 1.1 {
			t.Errorf("%s compression=none: compression_ratio %v, want about 1 or below (format overhead)", name, r)
		}
		for _, c := range []string{"snappy", "zstd"} {
			if r := ratio[name+" "+c]; r < 3 {
				t.Errorf("%s compression=%s: compression_ratio %v; values of one repeated word compress far more", name, c, r)
			}
		}
	}
}

// write_amp_logical and space_amp_logical are write_amp and space_amp times
// the engine's compression ratio.
func TestLogicalAmplification(t *testing.T) {
	st := openTarget(t, "storage/lsm", map[string]string{"compression": "snappy"})
	if err := st.Load(20000, 100); err != nil {
		t.Fatal(err)
	}
	m := st.Metrics()
	r := m["compression_ratio"]
	if r <= 0 || m["write_amp_logical"] != m["write_amp"]*r || m["space_amp_logical"] != m["space_amp"]*r {
		t.Errorf("ratio %v: write_amp %v → %v, space_amp %v → %v", r, m["write_amp"], m["write_amp_logical"], m["space_amp"], m["space_amp_logical"])
	}
	// Logical bytes are what the tables hold: internal keys (16 + 8) and
	// values (100) of at least every loaded record once.
	if lb := m["logical_bytes_written"]; lb < 20000*(16+8+100) {
		t.Errorf("logical_bytes_written %v below the %d the records hold", lb, 20000*(16+8+100))
	}
}
