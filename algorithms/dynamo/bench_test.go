package dynamo

import (
	"testing"

	"github.com/dsbench/dsbench/algorithms/hashing"
)

// The cost of one simulated op (all its messages, the quorum, the stores,
// read repair and the share of anti-entropy) on the tour workload.
func BenchmarkSimOp(b *testing.B) {
	b.ReportAllocs()
	n := uint64(b.N)
	if n < 1000 {
		n = 1000
	}
	b.ResetTimer()
	run(b, "dynamo/quorum", Workload, nil, n, 1)
}

func BenchmarkCompareVC(b *testing.B) {
	x, y := VC{3, 1, 4, 1, 5}, VC{3, 1, 4, 2, 5}
	for i := 0; i < b.N; i++ {
		if Compare(x, y) != Before {
			b.Fatal("wrong order")
		}
	}
}

func BenchmarkPrefLookup(b *testing.B) {
	r, _ := NewRing(10, 100, hashing.XXHash)
	var s int
	for i := 0; i < b.N; i++ {
		s += int(r.Pref(r.Range(uint64(i)))[0])
	}
	_ = s
}

func BenchmarkMerkleToggle(b *testing.B) {
	m := NewMerkle(256)
	for i := 0; i < b.N; i++ {
		m.Toggle(i&255, uint64(i))
	}
}
