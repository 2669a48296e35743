package loadbalance

import (
	"math/rand/v2"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// roundRobin cycles over the eligible backends, ignoring weights.
type roundRobin struct {
	noState
	next int
}

func (rr *roundRobin) pick(p *Pool, _ time.Duration, _ *rand.Rand, _ *workloads.Op) int {
	if rr.next >= len(p.eligible) {
		rr.next = 0
	}
	b := p.eligible[rr.next]
	rr.next++
	return b
}

// random picks an eligible backend uniformly.
type random struct{ noState }

func (random) pick(p *Pool, _ time.Duration, r *rand.Rand, _ *workloads.Op) int {
	return p.eligible[r.IntN(len(p.eligible))]
}

// smoothWRR is nginx's smooth weighted round robin: every pick adds each
// backend's weight to its current value, takes the largest (the first on a
// tie) and subtracts the total weight from the winner, which interleaves:
// weights {5,1,1} give A A B A C A A, not A A A A A B C.
type smoothWRR struct {
	noState
	current []int
}

func newSmoothWRR(n int) *smoothWRR { return &smoothWRR{current: make([]int, n)} }

func (s *smoothWRR) pick(p *Pool, _ time.Duration, _ *rand.Rand, _ *workloads.Op) int {
	best, total := -1, 0
	for _, i := range p.eligible {
		s.current[i] += p.weights[i]
		total += p.weights[i]
		if best < 0 || s.current[i] > s.current[best] {
			best = i
		}
	}
	s.current[best] -= total
	return best
}
