package consensus

import (
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
)

// The cost of simulating one op (a client request, proposal, n−1 accepts
// and replies, apply, the reply) on the tour workload, through
// harness.RunSim without the history check; b.N ops.
func BenchmarkSimulatedOp(b *testing.B) {
	for _, name := range targets {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			algotest.Run(b, "consensus/"+name, nil, Workload, algotest.Options{
				Clock: algorithms.Virtual, Ops: uint64(b.N) + 100, Seed: 1, Shards: 5, Timeout: time.Minute})
		})
	}
}
