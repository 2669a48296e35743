package consensus

import "testing"

// The cost of simulating one op (a command: proposal, n−1 accepts and
// replies, apply) on the tour workload, through harness.RunSim; b.N ops.
func BenchmarkSimulatedOp(b *testing.B) {
	for _, name := range targets {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			run(b, name, Workload, nil, uint64(b.N)+100, 1)
		})
	}
}
