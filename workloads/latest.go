package workloads

import "math/rand/v2"

// latestSampler is YCSB's SkewedLatestGenerator: the newest key is the
// hottest, and each insert shifts the whole popularity curve by one.
type latestSampler struct{ z *Zipf }

func (s *latestSampler) Next(r *rand.Rand) uint64 { return s.z.n - 1 - s.z.Next(r) }
func (s *latestSampler) grow(n uint64)            { s.z.Grow(n) }
