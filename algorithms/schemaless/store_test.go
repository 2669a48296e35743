package schemaless

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/lsm"
	"github.com/dsbench/dsbench/algorithms/storage"
	"github.com/dsbench/dsbench/workloads"
)

func mapOpener(string) (storage.KV, error) { return storage.NewMap(), nil }

func lsmOpener(dir string) (storage.KV, error) {
	return lsm.Open(lsm.Options{Dir: dir, MemtableBytes: 16 << 10, BloomBitsPerKey: 10})
}

// TestLatestCellAndBufferedWrites checks latest-cell reads against a model
// while shard 1 goes down and comes back, and that Close proves every cell
// was triggered exactly once.
func TestLatestCellAndBufferedWrites(t *testing.T) {
	for name, opener := range map[string]func(string) (storage.KV, error){"map": mapOpener, "lsm": lsmOpener} {
		t.Run(name, func(t *testing.T) {
			st, err := New(Options{Dir: t.TempDir(), Shards: 3, Down: 1, DownAt: 2000, DownFor: 2000, Open: opener})
			if err != nil {
				t.Fatal(err)
			}
			model := map[uint64][]byte{}
			r := rand.New(rand.NewPCG(1, 2))
			var kb [storage.KeyLen]byte
			downReads := 0
			for i := 0; i < 6000; i++ {
				st.Observe(time.Duration(i))
				k := r.Uint64N(500)
				row := storage.EncodeKey(kb[:], k)
				switch x := r.IntN(10); {
				case x < 5:
					v := []byte(fmt.Sprintf("v%d@%d", k, i))
					if err := st.Put(row, v); err != nil {
						t.Fatal(err)
					}
					model[k] = v
				case x < 6:
					if err := st.Delete(row); err != nil {
						t.Fatal(err)
					}
					delete(model, k)
				default:
					v, found, err := st.Get(row, nil)
					if errors.Is(err, ErrShardDown) {
						if !st.down(st.shardOf(row)) {
							t.Fatalf("op %d: ErrShardDown for an up shard", i)
						}
						downReads++
						continue
					}
					want, ok := model[k]
					if err != nil || found != ok || !bytes.Equal(v, want) {
						t.Fatalf("op %d: latest(%d) = %q,%v,%v; model %q,%v", i, k, v, found, err, want, ok)
					}
				}
			}
			checkScan(t, st, model)
			m := st.Metrics()
			if m["cells_buffered"] == 0 || m["cells_drained"] != m["cells_buffered"] || downReads == 0 {
				t.Fatalf("the outage was not exercised: %v, %d reads refused", m, downReads)
			}
			if m["cells_lost"] != 0 || m["cells_triggered"] != m["cells_written"] {
				t.Fatalf("cells lost: %v", m)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func checkScan(t *testing.T, st *Store, model map[uint64][]byte) {
	t.Helper()
	var keys []uint64
	for k := range model {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	var kb [storage.KeyLen]byte
	for _, start := range []uint64{0, 17, 250, 499} {
		var got []uint64
		err := st.Scan(storage.EncodeKey(kb[:], start), 20, func(k, v []byte) bool {
			id, _ := storage.DecodeKey(k)
			if !bytes.Equal(v, model[id]) {
				t.Fatalf("scan: row %d = %q, model %q", id, v, model[id])
			}
			got = append(got, id)
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		j := sort.Search(len(keys), func(i int) bool { return keys[i] >= start })
		want := keys[j:min(len(keys), j+20)]
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("scan from %d: %v, want %v", start, got, want)
		}
	}
}

// TestTriggersSeeEveryCellOnce writes from concurrent workers (run with
// -race) and relies on Close's exactly-once proof.
func TestTriggersSeeEveryCellOnce(t *testing.T) {
	tg, err := Open(t.TempDir(), Options{Shards: 4, Down: 2, DownAt: 100, DownFor: 300, Open: lsmOpener}, 1)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			x := tg.Fork(w, rand.New(rand.NewPCG(uint64(w), 9)))
			for i := 0; i < 500; i++ {
				op := workloads.Op{Kind: workloads.Update, Key: uint64(i % 97), Size: 50}
				if out := x.Do(time.Duration(i), &op); out.Err != nil {
					t.Error(out.Err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	m := tg.Metrics()
	if m["cells_written"] != 2000 || m["cells_triggered"] != 2000 || m["cells_lost"] != 0 {
		t.Fatalf("metrics: %v", m)
	}
	if err := tg.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestCloseDetectsLoss shows the proof at Close can fail: a cell counted as
// written that never reached a log is reported.
func TestCloseDetectsLoss(t *testing.T) {
	st, err := New(Options{Dir: t.TempDir(), Shards: 2, Down: -1, Open: mapOpener})
	if err != nil {
		t.Fatal(err)
	}
	var kb [storage.KeyLen]byte
	st.Put(storage.EncodeKey(kb[:], 1), []byte("x"))
	st.written.Add(1) // a write acknowledged but never logged
	if err := st.Close(); err == nil {
		t.Fatal("Close did not report the lost cell")
	}
}

func TestBadOptions(t *testing.T) {
	for _, o := range []Options{{Shards: 0}, {Shards: 1, Down: 0}, {Shards: 3, Down: 3}} {
		o.Dir, o.Open = t.TempDir(), mapOpener
		if _, err := New(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

// TestWriteAmpReported checks that through the adapter a Schemaless store
// reports write_amp like the other engines: every cell flushed once, plus
// the cell key and flag bytes Schemaless adds (29-byte cell keys for
// 16-byte rows, 1 flag byte), and the WAL on top in write_amp_wal.
func TestWriteAmpReported(t *testing.T) {
	tg, err := Open(t.TempDir(), Options{Shards: 2, Down: -1, Open: func(dir string) (storage.KV, error) {
		return lsm.Open(lsm.Options{Dir: dir, MemtableBytes: 4 << 20, BloomBitsPerKey: 10})
	}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	if err := tg.Load(2000, 100); err != nil {
		t.Fatal(err)
	}
	m := tg.Metrics()
	// cells: 29-byte key + 1 flag + 100 value per 116 user bytes ≈ 1.12
	if wa := m["write_amp"]; wa < 1.05 || wa > 1.6 {
		t.Fatalf("write_amp = %v, want ≈ 1.12 (every cell flushed once): %v", wa, m)
	}
	if d := m["write_amp_wal"] - m["write_amp"]; d < 1 {
		t.Fatalf("write_amp_wal - write_amp = %v, want >= 1.1 (the WAL): %v", d, m)
	}
	if sa := m["space_amp"]; sa < 1 || sa > 4 {
		t.Fatalf("space_amp = %v: %v", sa, m)
	}
}

// TestBadShapeIsAUsageError: down= outside shards= is rejected when the
// parameters are resolved (before any run, exit status 2 in the CLI).
func TestBadShapeIsAUsageError(t *testing.T) {
	info, err := algorithms.Lookup("storage/schemaless")
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range []map[string]string{{"shards": "2", "down": "5"}, {"shards": "1", "down": "0"}} {
		if _, err := info.Resolve(raw); err == nil {
			t.Errorf("Resolve(%v) accepted", raw)
		}
	}
	if _, err := info.Resolve(map[string]string{"shards": "2", "down": "1"}); err != nil {
		t.Errorf("shards=2 down=1 rejected: %v", err)
	}
}
