package workloads

import (
	"math"
	"math/rand/v2"
)

// expKeys is YCSB's exponential request distribution: key = newest −
// ⌊Exp(γ)⌋ with γ = −ln(1 − pct/100)/(frac·n), so pct% of requests fall on
// the newest frac·n keys. Draws past the oldest key are redrawn, as in YCSB.
// γ follows the current n, where YCSB keeps the initial record count.
type expKeys struct {
	pct, frac float64
	n         uint64
}

func (e expKeys) String() string {
	return "exponential:pct=" + fmtF(e.pct) + ",frac=" + fmtF(e.frac) + ",n=" + fmtU(e.n)
}
func (e expKeys) size() uint64 { return e.n }
func (e expKeys) build(Part) keySampler {
	return &expSampler{scale: e.frac / -math.Log(1-e.pct/100), n: e.n}
}

type expSampler struct {
	scale float64 // mean of the offset from the newest key, per key of keyspace
	n     uint64
}

func (e *expSampler) grow(n uint64) { e.n = n }

func (e *expSampler) Next(r *rand.Rand) uint64 {
	mean := e.scale * float64(e.n)
	for {
		off := r.ExpFloat64() * mean
		if off < float64(e.n) {
			return e.n - 1 - uint64(off)
		}
	}
}
