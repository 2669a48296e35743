package loadbalance

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// The cost of one decision over 100 backends, in a steady state with about
// 2 requests in flight per backend: each iteration picks a backend and
// completes the request picked 200 iterations earlier.
func BenchmarkDecision(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		for _, pol := range append(Policies, "peak-ewma-all") {
			b.Run(fmt.Sprintf("policy=%s/backends=%d", pol, n), func(b *testing.B) {
				// The registered defaults: peak-ewma compares 2 backends;
				// peak-ewma-all is choices=0, a full scan.
				cfg := Config{Policy: pol, Backends: n, Choices: 2}
				if pol == "peak-ewma-all" {
					cfg.Policy, cfg.Choices = "peak-ewma", 0
				}
				lb, err := New(cfg)
				if err != nil {
					b.Fatal(err)
				}
				r := rand.New(rand.NewPCG(1, 2))
				op := &workloads.Op{}
				var held [256]int
				const depth = 200
				for i := range depth {
					held[i], _ = lb.Pick(0, r, op)
				}
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					now := time.Duration(i) * time.Microsecond
					op.Key = uint64(i) * 0x9E3779B97F4A7C15
					op.Client = uint32(i)
					slot := i % depth
					lb.Done(held[slot], now, time.Millisecond)
					held[slot], _ = lb.Pick(now, r, op)
				}
			})
		}
	}
}
