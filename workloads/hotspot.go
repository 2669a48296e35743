package workloads

import (
	"math"
	"math/rand/v2"
)

// hotspotKeys is YCSB's HotspotIntegerGenerator: a fraction ops of requests
// go uniformly to the first hot·n keys, the rest uniformly to the others.
type hotspotKeys struct {
	hot, ops float64
	n        uint64
}

func (h hotspotKeys) String() string {
	return "hotspot:hot=" + fmtF(h.hot) + ",ops=" + fmtF(h.ops) + ",n=" + fmtU(h.n)
}
func (h hotspotKeys) size() uint64 { return h.n }
func (h hotspotKeys) build(Part) keySampler {
	s := &hotspotSampler{hot: h.hot, ops: h.ops}
	s.grow(h.n)
	return s
}

type hotspotSampler struct {
	hot, ops float64
	n, hotN  uint64
}

func (h *hotspotSampler) grow(n uint64) {
	h.n = n
	h.hotN = uint64(math.Max(1, math.Floor(h.hot*float64(n))))
	if h.hotN > n {
		h.hotN = n
	}
}

func (h *hotspotSampler) Next(r *rand.Rand) uint64 {
	if r.Float64() < h.ops || h.hotN == h.n {
		return r.Uint64N(h.hotN)
	}
	return h.hotN + r.Uint64N(h.n-h.hotN)
}
