package workloads

import "math/rand/v2"

// uniformKeys draws every key with the same probability.
type uniformKeys struct{ n uint64 }

func (u uniformKeys) String() string { return "uniform:n=" + fmtU(u.n) }
func (u uniformKeys) size() uint64   { return u.n }
func (u uniformKeys) build(Part) keySampler {
	return &uniformSampler{n: u.n}
}

type uniformSampler struct{ n uint64 }

func (u *uniformSampler) Next(r *rand.Rand) uint64 { return r.Uint64N(u.n) }
func (u *uniformSampler) grow(n uint64)            { u.n = n }

// sequentialKeys walks the keyspace in order; part k of n starts at k and
// steps by n, so the parts together visit every key once per lap.
type sequentialKeys struct{ n uint64 }

func (s sequentialKeys) String() string { return "sequential:n=" + fmtU(s.n) }
func (s sequentialKeys) size() uint64   { return s.n }
func (s sequentialKeys) build(p Part) keySampler {
	return &sequentialSampler{n: s.n, next: uint64(p.Index), step: uint64(p.Of)}
}

type sequentialSampler struct{ n, next, step uint64 }

func (s *sequentialSampler) Next(*rand.Rand) uint64 {
	k := s.next % s.n
	s.next += s.step
	return k
}
func (s *sequentialSampler) grow(n uint64) { s.n = n }
