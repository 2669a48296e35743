package ratelimit

import (
	"time"
	"unsafe"
)

// GCRA is the leaky bucket as a meter, in the Generic Cell Rate Algorithm
// form: one timestamp per key, the theoretical arrival time tat of the next
// conforming op. With T = 1/rate and τ = T·burst, an op at now conforms if
// max(tat, now) + T − now <= τ, and then tat advances by T. It admits exactly
// what a token bucket of the same rate and burst admits.
type GCRA struct {
	tat xtime // exact theoretical arrival time
	t   xtime // emission interval 1/rate
	tau xtime // burst · T
	den int64 // rate in milli-ops/s: the denominator of every xtime
}

// NewGCRA returns a GCRA meter admitting rate ops/s with bursts of burst.
func NewGCRA(rate float64, burst int) (*GCRA, error) {
	rm, err := rateMilli(rate)
	if err != nil {
		return nil, err
	}
	if err := checkCount("burst", burst); err != nil {
		return nil, err
	}
	return newGCRA(rm, int64(burst)), nil
}

func newGCRA(rm, burst int64) *GCRA {
	return &GCRA{t: interval(rm, 1), tau: interval(rm, burst), den: rm}
}

// Allow reports whether an op at now conforms, and if so accounts for it.
func (g *GCRA) Allow(now time.Duration) bool {
	n := xtime{ns: int64(now)}
	base := g.tat
	if base.less(n) {
		base = n
	}
	next := base.add(g.t, g.den)
	if g.tau.less(xtime{next.ns - int64(now), next.frac}) {
		return false
	}
	g.tat = next
	return true
}

// Reset forgets all past ops.
func (g *GCRA) Reset(now time.Duration) { g.tat = xtime{} }

// StateBytes is the size of the meter's state.
func (g *GCRA) StateBytes() int { return int(unsafe.Sizeof(*g)) }
