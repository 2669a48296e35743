package gfs

import (
	"testing"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
)

// The cost of one simulated op on the default workload: its messages, its
// data's packets on every link, the master's and the chunkservers' work.
// Setup (placing the 320 GB file set's chunks) is outside the timer only
// in part: b.N ≥ 2000 ops amortises it.
func BenchmarkSimOp(b *testing.B) {
	b.ReportAllocs()
	n := uint64(max(b.N, 2000))
	s := algotest.Build(b, "gfs/cluster", nil, Workload, algotest.Options{Clock: algorithms.Virtual})
	b.ResetTimer()
	algotest.RunTarget(b, s, algotest.Spec(b, Workload), algotest.Options{Clock: algorithms.Virtual, Ops: n, Seed: 1})
}
