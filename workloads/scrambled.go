package workloads

import "math/rand/v2"

// scrambledSampler permutes the initial keyspace; keys inserted later keep
// their rank as key, so growth never remaps an existing hot key. The Zipf's
// head (the 16,384 hottest ranks, two thirds of the draws at θ = 0.99 over
// 1e6 keys) holds the permuted keys already, so only a tail draw pays for
// the Feistel network.
type scrambledSampler struct {
	z    *Zipf
	perm feistel
}

func newScrambled(z *Zipf, perm feistel) *scrambledSampler {
	s := &scrambledSampler{z: z, perm: perm}
	z.mapHead(perm.permute) // head ranks are below the initial n
	return s
}

func (s *scrambledSampler) Next(r *rand.Rand) uint64 {
	k, head := s.z.nextMapped(r)
	if !head && k < s.perm.n {
		return s.perm.permute(k)
	}
	return k
}
func (s *scrambledSampler) grow(n uint64) { s.z.Grow(n) }
