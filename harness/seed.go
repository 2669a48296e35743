package harness

import "math/rand/v2"

// splitmix64 is Steele, Lea and Flood's SplitMix64 finaliser: consecutive
// inputs give statistically independent outputs, so per-worker seeds derived
// from one root seed do not correlate (docs/design.md rule 5).
func splitmix64(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

// DeriveSeed returns the seed of component i of a run with root seed root.
func DeriveSeed(root uint64, i uint64) uint64 {
	return splitmix64(root ^ splitmix64(i+1))
}

// workerRand is the random source handed to Forker.Fork for worker i.
func workerRand(root uint64, i int) *rand.Rand {
	s := DeriveSeed(root, uint64(i))
	return rand.New(rand.NewPCG(s, splitmix64(s)))
}
