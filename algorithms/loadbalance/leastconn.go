package loadbalance

import (
	"math/rand/v2"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// leastConn is nginx's least_conn: the backend with the fewest requests in
// flight per unit of weight (conns_a·w_b < conns_b·w_a, no division); ties
// are broken by smooth weighted round robin among the tied backends, so
// an idle pool is still spread in weight proportion rather than piled on
// the first backend.
type leastConn struct {
	noState
	current []int
}

func newLeastConn(n int) *leastConn { return &leastConn{current: make([]int, n)} }

func (lc *leastConn) pick(p *Pool, _ time.Duration, _ *rand.Rand, _ *workloads.Op) int {
	best, bestAt, tied := -1, 0, false
	for k, i := range p.eligible {
		if best < 0 {
			best, bestAt = i, k
			continue
		}
		a, b := p.inflight[i]*p.weights[best], p.inflight[best]*p.weights[i]
		if a < b {
			best, bestAt, tied = i, k, false
		} else if a == b {
			tied = true
		}
	}
	if !tied {
		return best
	}
	pick, total := -1, 0
	for _, i := range p.eligible[bestAt:] {
		if p.inflight[i]*p.weights[best] != p.inflight[best]*p.weights[i] {
			continue
		}
		lc.current[i] += p.weights[i]
		total += p.weights[i]
		if pick < 0 || lc.current[i] > lc.current[pick] {
			pick = i
		}
	}
	lc.current[pick] -= total
	return pick
}
