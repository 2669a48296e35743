package workloads

import "math/rand/v2"

// scrambledSampler permutes the initial keyspace; keys inserted later keep
// their rank as key, so growth never remaps an existing hot key.
type scrambledSampler struct {
	z    *Zipf
	perm feistel
}

func (s *scrambledSampler) Next(r *rand.Rand) uint64 {
	k := s.z.Next(r)
	if k < s.perm.n {
		return s.perm.permute(k)
	}
	return k
}
func (s *scrambledSampler) grow(n uint64) { s.z.Grow(n) }
