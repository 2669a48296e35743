package loadbalance

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// peakEWMA is least response time as Finagle's PeakEwma (also linkerd2-proxy
// and tower-balance): each backend keeps an estimate of its response time; a
// sample above the estimate replaces it (the peak), otherwise
// est = est·d + sample·(1−d) with d = e^(−Δt/τ). A backend's cost is
// est·(pending+1), so both slowness and queueing push traffic away, and the
// estimate decays toward 0 while a backend is idle, so a backend that was
// slow is probed again after a few τ. Read-time decay is computed without
// being stored, so picking does not mutate the estimates.
//
// As in Finagle and linkerd, the costs of d sampled backends are compared
// (d = 2 by default); d = 0 compares every eligible backend.
type peakEWMA struct {
	tau   float64 // ns
	est   []float64
	stamp []time.Duration
	d     int
	s     sampler
}

func newPeakEWMA(n int, tau, initial time.Duration, d int) *peakEWMA {
	pe := &peakEWMA{tau: float64(tau), est: make([]float64, n), stamp: make([]time.Duration, n), d: d}
	for i := range pe.est {
		pe.est[i] = float64(initial)
	}
	return pe
}

func (pe *peakEWMA) decay(b int, now time.Duration) float64 {
	dt := float64(now - pe.stamp[b])
	if dt <= 0 {
		return 1
	}
	return math.Exp(-dt / pe.tau)
}

func (pe *peakEWMA) cost(p *Pool, b int, now time.Duration) float64 {
	return pe.est[b] * pe.decay(b, now) * float64(p.inflight[b]+1)
}

func (pe *peakEWMA) pick(p *Pool, now time.Duration, r *rand.Rand, _ *workloads.Op) int {
	if pe.d == 2 {
		a, b := two(p, r)
		if pe.cost(p, b, now) < pe.cost(p, a, now) {
			return b
		}
		return a
	}
	best, bestCost := -1, 0.0
	for _, i := range pe.s.draw(r, pe.d) {
		if c := pe.cost(p, i, now); best < 0 || c < bestCost {
			best, bestCost = i, c
		}
	}
	return best
}

func (pe *peakEWMA) done(_ *Pool, b int, now, rtt time.Duration) {
	if rtt < 0 {
		return
	}
	s := float64(rtt)
	if s > pe.est[b] {
		pe.est[b] = s
	} else {
		d := pe.decay(b, now)
		pe.est[b] = pe.est[b]*d + s*(1-d)
	}
	pe.stamp[b] = now
}

func (pe *peakEWMA) health(p *Pool, _ int, _ bool) { pe.s.sync(p) }
