package workloads

// SplitMix64 is the mixing function that derives every sub-seed (Steele,
// Lea and Flood, "Fast splittable pseudorandom number generators",
// OOPSLA'14): a bijection on uint64 whose outputs for consecutive inputs are
// statistically independent, so seeds 1, 2, 3 give unrelated streams.
func SplitMix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// PartSeed is the seed of part index of a workload run with root seed:
// SplitMix64(seed ^ SplitMix64(index)). Part k of every n shares it, so a
// shard k/n run on one machine draws what worker k of n draws on another.
func PartSeed(seed uint64, index int) uint64 {
	return SplitMix64(seed ^ SplitMix64(uint64(index)))
}

// modulationSeed seeds the random source of an arrival process's modulating
// chain (on/off periods, MMPP states). It depends on the root seed only, so
// every part sees the same bursts and the union of the parts stays bursty.
func modulationSeed(seed uint64) uint64 { return SplitMix64(seed ^ 0x6d6f64756c617465) }

// gammaSeed seeds the source of a gamma arrival schedule, which every part
// draws in full (see gammaArrival); like modulationSeed it depends on the
// root seed only.
func gammaSeed(seed uint64) uint64 { return SplitMix64(seed ^ 0x67616d6d61676170) }
