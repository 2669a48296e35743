package bigtable

import (
	"testing"

	"github.com/dsbench/dsbench/algorithms/lsm"
	"github.com/dsbench/dsbench/algorithms/storage"
)

// BenchmarkClientOps measures a warm client's reads and writes of one
// cell (allocations per op: the hot path should allocate nothing but the
// LSM's own).
func BenchmarkClientOps(b *testing.B) {
	clk := &testClock{}
	tb, err := New(Options{Dir: b.TempDir(), Servers: 2, SplitBytes: 1 << 30, Open: LSMOpener(lsmTestOptions()),
		Families: []Family{{MaxVersions: 2}}, Clock: clk.now, Lease: 1 << 62})
	if err != nil {
		b.Fatal(err)
	}
	defer tb.Close()
	c := tb.NewClient(true)
	var rb [RowLen]byte
	val := make([]byte, 100)
	for i := uint64(0); i < 1000; i++ {
		c.Write(storage.EncodeKey(rb[:], i), 0, 0, val)
	}
	visit := func(Cell) bool { return true }
	b.Run("read", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, _, err := c.Read(storage.EncodeKey(rb[:], uint64(i%1000)), NewestOf(0), visit); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("write", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, _, err := c.Write(storage.EncodeKey(rb[:], uint64(i%1000)), 0, 0, val); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func lsmTestOptions() lsm.Options { return lsm.Options{MemtableBytes: 1 << 20, BloomBitsPerKey: 10} }
