package loadbalance

import (
	"math/rand/v2"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// sampler draws distinct eligible backends without allocating: a partial
// Fisher–Yates shuffle of a persistent copy of the eligible list (which
// stays a permutation, so the next draw is as uniform as the first).
type sampler struct{ perm []int }

func (s *sampler) sync(p *Pool) { s.perm = append(s.perm[:0], p.eligible...) }

// draw returns k distinct eligible backends (all of them if k is 0 or more
// than there are).
func (s *sampler) draw(r *rand.Rand, k int) []int {
	m := len(s.perm)
	if k <= 0 || k >= m {
		return s.perm
	}
	for j := 0; j < k; j++ {
		x := j + r.IntN(m-j)
		s.perm[j], s.perm[x] = s.perm[x], s.perm[j]
	}
	return s.perm[:k]
}

// two draws two distinct eligible backends (the same one if only one is).
func two(p *Pool, r *rand.Rand) (int, int) {
	m := len(p.eligible)
	if m == 1 {
		return p.eligible[0], p.eligible[0]
	}
	i := r.IntN(m)
	j := r.IntN(m - 1)
	if j >= i {
		j++
	}
	return p.eligible[i], p.eligible[j]
}

// powerOfChoices is the power of d choices (Mitzenmacher; Azar et al.):
// sample d distinct backends and take the one with the fewest requests in
// flight per unit of weight; the first sampled wins a tie. With d = 2 the
// maximum load drops from about ln n/ln ln n to ln ln n/ln 2 + O(1).
type powerOfChoices struct {
	d int
	s sampler
}

func (pc *powerOfChoices) pick(p *Pool, _ time.Duration, r *rand.Rand, _ *workloads.Op) int {
	if pc.d == 2 {
		a, b := two(p, r)
		if p.inflight[b]*p.weights[a] < p.inflight[a]*p.weights[b] {
			return b
		}
		return a
	}
	best := -1
	for _, i := range pc.s.draw(r, pc.d) {
		if best < 0 || p.inflight[i]*p.weights[best] < p.inflight[best]*p.weights[i] {
			best = i
		}
	}
	return best
}

func (pc *powerOfChoices) done(*Pool, int, time.Duration, time.Duration) {}
func (pc *powerOfChoices) health(p *Pool, _ int, _ bool)                 { pc.s.sync(p) }
