package bigtable

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"

	"github.com/dsbench/dsbench/algorithms/lsm"
	"github.com/dsbench/dsbench/algorithms/storage"
	"github.com/dsbench/dsbench/workloads"
)

func openTest(t *testing.T, servers int, split, major int64) *Table {
	t.Helper()
	tb, err := New(Options{Dir: t.TempDir(), Servers: servers, SplitBytes: split, MajorBytes: major,
		Open: LSMOpener(lsm.Options{MemtableBytes: 8 << 10, BloomBitsPerKey: 10})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tb.Close() })
	return tb
}

// TestSplitsKeepEveryRowReachable runs random puts, deletes, reads and scans
// against a Go map while tablets split, move and major-compact constantly.
func TestSplitsKeepEveryRowReachable(t *testing.T) {
	tb := openTest(t, 3, 16<<10, 48<<10)
	model := map[uint64][]byte{}
	r := rand.New(rand.NewPCG(1, 2))
	var kb [storage.KeyLen]byte
	for i := 0; i < 12000; i++ {
		k := r.Uint64N(2000)
		key := storage.EncodeKey(kb[:], k)
		switch x := r.IntN(10); {
		case x < 6:
			v := []byte(fmt.Sprintf("v%d-%d-%s", k, i, bytes.Repeat([]byte("x"), r.IntN(60))))
			if err := tb.Put(key, v); err != nil {
				t.Fatal(err)
			}
			model[k] = v
		case x < 8:
			if err := tb.Delete(key); err != nil {
				t.Fatal(err)
			}
			delete(model, k)
		default:
			v, found, err := tb.Get(key, nil)
			want, ok := model[k]
			if err != nil || found != ok || !bytes.Equal(v, want) {
				t.Fatalf("op %d: get %d = %q,%v,%v; model %q,%v", i, k, v, found, err, want, ok)
			}
		}
		if i%3000 == 2999 {
			checkAll(t, tb, model, r)
		}
	}
	checkAll(t, tb, model, r)
	m := tb.Metrics()
	if m["splits"] < 3 || m["major_compactions"] < 1 || m["minor_compactions"] < 1 {
		t.Fatalf("the test did not exercise splits and compactions: %v", m)
	}
}

func checkAll(t *testing.T, tb *Table, model map[uint64][]byte, r *rand.Rand) {
	t.Helper()
	checkTablets(t, tb)
	var kb [storage.KeyLen]byte
	for k, want := range model {
		v, found, err := tb.Get(storage.EncodeKey(kb[:], k), nil)
		if err != nil || !found || !bytes.Equal(v, want) {
			t.Fatalf("row %d unreachable: %q,%v,%v", k, v, found, err)
		}
	}
	sorted := make([]uint64, 0, len(model))
	for k := range model {
		sorted = append(sorted, k)
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	for trial := 0; trial < 30; trial++ {
		start, limit := r.Uint64N(2100), r.IntN(300)
		if trial == 0 {
			start, limit = 0, 0
		}
		var got []uint64
		err := tb.Scan(storage.EncodeKey(kb[:], start), limit, func(k, v []byte) bool {
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
		j := sort.Search(len(sorted), func(i int) bool { return sorted[i] >= start })
		want := sorted[j:]
		if limit > 0 && len(want) > limit {
			want = want[:limit]
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("scan(%d, %d): got %d rows, want %d", start, limit, len(got), len(want))
		}
	}
}

// checkTablets asserts the tablet map covers the row space without gaps or
// overlaps and that the balancer kept servers within one tablet.
func checkTablets(t *testing.T, tb *Table) {
	t.Helper()
	tb.mu.RLock()
	defer tb.mu.RUnlock()
	if len(tb.tablets[0].start) != 0 || tb.tablets[len(tb.tablets)-1].end != nil {
		t.Fatal("tablets do not cover the row space")
	}
	for i := 1; i < len(tb.tablets); i++ {
		if !bytes.Equal(tb.tablets[i-1].end, tb.tablets[i].start) || bytes.Compare(tb.tablets[i].start, tb.tablets[i-1].start) <= 0 {
			t.Fatalf("tablets %d and %d are not contiguous", i-1, i)
		}
	}
	counts := tb.tabletCounts()
	lo, hi := counts[0], counts[0]
	for _, c := range counts {
		lo, hi = min(lo, c), max(hi, c)
	}
	if hi-lo > 1 {
		t.Fatalf("servers unbalanced: %v tablets", counts)
	}
}

// TestConcurrentWritersDuringSplits checks under -race that rows written by
// concurrent workers through the YCSB adapter all survive splits.
func TestConcurrentWritersDuringSplits(t *testing.T) {
	tb := openTest(t, 4, 24<<10, 0)
	tg := storage.NewTarget(tb, 1)
	var wg sync.WaitGroup
	const workers, per = 4, 600
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			x := tg.Fork(w, rand.New(rand.NewPCG(uint64(w), 1)))
			for i := 0; i < per; i++ {
				op := workloads.Op{Kind: workloads.Insert, Key: uint64(i*workers + w), Size: 64}
				out := x.Do(0, &op)
				if out.Err != nil || out.Shard < 0 || out.Shard >= 4 {
					t.Errorf("insert: %+v", out)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	n := 0
	if err := tb.Scan(nil, 0, func(k, v []byte) bool { n++; return true }); err != nil {
		t.Fatal(err)
	}
	if n != workers*per {
		t.Fatalf("%d rows reachable, want %d", n, workers*per)
	}
	if tb.Metrics()["splits"] == 0 {
		t.Fatal("no split happened")
	}
	checkTablets(t, tb)
}

func TestBadOptionsRejected(t *testing.T) {
	if _, err := New(Options{Dir: t.TempDir(), Servers: 0, SplitBytes: 1, Open: LSMOpener(lsm.Options{})}); err == nil {
		t.Fatal("servers=0 accepted")
	}
}

// TestWriteAmpCountsEveryRow checks that through the storage adapter the
// rows still in tablets' memtables at the end are flushed before write_amp
// is computed: every loaded row reaches an SSTable, so write_amp >= ~1.
func TestWriteAmpCountsEveryRow(t *testing.T) {
	tb, err := New(Options{Dir: t.TempDir(), Servers: 2, SplitBytes: 1 << 30,
		Open: LSMOpener(lsm.Options{MemtableBytes: 4 << 20, BloomBitsPerKey: 10})})
	if err != nil {
		t.Fatal(err)
	}
	tg := storage.NewTarget(tb, 1)
	defer tg.Close()
	if err := tg.Load(2000, 100); err != nil {
		t.Fatal(err)
	}
	m := tg.Metrics()
	if wa := m["write_amp"]; wa < 0.9 || wa > 1.5 {
		t.Fatalf("write_amp = %v, want ≈ 1 (every row flushed once): %v", wa, m)
	}
	if m["minor_compactions"] < 1 {
		t.Fatalf("no minor compaction: %v", m)
	}
}

// TestHotTabletShowsAsUnfairness drives reads through the adapter, whose
// Outcome.Shard is the server: under Zipf(0.99) over 4000 rows the tablet
// holding the first rows takes most of the traffic (the rows below the first
// split point, ~1/16 of them, carry ≈ H(250)/H(4000) ≈ 0.69 of it), so its
// server's share is far above the mean; under uniform keys the balancer's
// equal tablet counts give near-equal load.
func TestHotTabletShowsAsUnfairness(t *testing.T) {
	tb := openTest(t, 4, 32<<10, 0)
	tg := storage.NewTarget(tb, 1)
	if err := tg.Load(4000, 100); err != nil {
		t.Fatal(err)
	}
	if n := tb.Metrics()["tablets"]; n < 8 {
		t.Fatalf("only %v tablets", n)
	}
	z, err := workloads.NewZipf(0.99, 4000, false)
	if err != nil {
		t.Fatal(err)
	}
	maxMean := func(next func(r *rand.Rand) uint64) float64 {
		w := tg.Fork(0, rand.New(rand.NewPCG(1, 1)))
		r := rand.New(rand.NewPCG(2, 3))
		var counts [4]float64
		const ops = 20000
		for i := 0; i < ops; i++ {
			op := workloads.Op{Kind: workloads.Read, Key: next(r)}
			out := w.Do(0, &op)
			if out.Err != nil || out.Shard < 0 || out.Shard > 3 {
				t.Fatalf("read: %+v", out)
			}
			counts[out.Shard]++
		}
		return max(counts[0], counts[1], counts[2], counts[3]) / (ops / 4)
	}
	if mm := maxMean(z.Next); mm < 2 {
		t.Fatalf("zipf: busiest server max/mean = %.2f, want >= 2 (a hot tablet)", mm)
	}
	if mm := maxMean(func(r *rand.Rand) uint64 { return r.Uint64N(4000) }); mm > 1.35 {
		t.Fatalf("uniform: busiest server max/mean = %.2f, want near 1", mm)
	}
}
