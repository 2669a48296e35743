package results

import (
	"math"
	"slices"
)

// Load is a per-shard or per-client quantity: an op count or a rate.
type Load interface{ ~float64 | ~uint64 }

// The fairness figures follow Jain, Chiu and Hawe, "A Quantitative Measure of
// Fairness and Discrimination for Resource Allocation in Shared Computer
// Systems" (DEC-TR-301, 1984) for the index, and the usual population
// definitions for the others. Loads are assumed non-negative.
//
// Degenerate vectors never divide by zero: an empty vector gives 0 for every
// figure (Spread.N = 0 says there was nothing to measure); an all-zero vector
// is a vector of equal loads, so Jain 1, MaxMean 1, CoV 0 and Gini 0.

// Jain returns Jain's fairness index (Σx)² / (n·Σx²), in [1/n, 1]:
// 1 when every load is equal, 1/n when one of n takes everything.
func Jain[T Load](x []T) float64 {
	if len(x) == 0 {
		return 0
	}
	var sum, sq float64
	for _, v := range x {
		f := float64(v)
		sum += f
		sq += f * f
	}
	if sq == 0 {
		return 1
	}
	return finite(sum * sum / (float64(len(x)) * sq))
}

// MaxMean returns the peak-to-average ratio max(x)/mean(x): 1 when even, n
// when one of n takes everything.
func MaxMean[T Load](x []T) float64 {
	if len(x) == 0 {
		return 0
	}
	mean := meanOf(x)
	if mean == 0 {
		return 1
	}
	return finite(float64(slices.Max(x)) / mean)
}

// CoV returns the coefficient of variation σ/μ with the population standard
// deviation, so that Jain = 1/(1+CoV²) holds exactly.
func CoV[T Load](x []T) float64 {
	if len(x) == 0 {
		return 0
	}
	mean := meanOf(x)
	if mean == 0 {
		return 0
	}
	var ss float64
	for _, v := range x {
		d := float64(v) - mean
		ss += d * d
	}
	return finite(math.Sqrt(ss/float64(len(x))) / mean)
}

// Gini returns the Gini coefficient ΣᵢΣⱼ|xᵢ − xⱼ| / (2n²μ): 0 when even,
// (n−1)/n when one of n takes everything. It sorts a copy, O(n log n), using
// G = 2·Σ i·x₍ᵢ₎ / (n·Σx) − (n+1)/n over the ascending order (i from 1).
func Gini[T Load](x []T) float64 {
	n := len(x)
	if n == 0 {
		return 0
	}
	s := make([]float64, n)
	for i, v := range x {
		s[i] = float64(v)
	}
	slices.Sort(s)
	var sum, weighted float64
	for i, v := range s {
		sum += v
		weighted += float64(i+1) * v
	}
	if sum == 0 {
		return 0
	}
	g := 2*weighted/(float64(n)*sum) - float64(n+1)/float64(n)
	return finite(max(g, 0)) // rounding can leave −1e-17 for equal loads
}

// SpreadOf summarises per-shard or per-client op counts. Counts is a copy.
func SpreadOf(counts []uint64) Spread {
	s := Spread{
		N:       len(counts),
		Jain:    Jain(counts),
		MaxMean: MaxMean(counts),
		CoV:     CoV(counts),
		Gini:    Gini(counts),
	}
	if len(counts) > 0 {
		s.Counts = slices.Clone(counts)
	}
	return s
}

func meanOf[T Load](x []T) float64 {
	var sum float64
	for _, v := range x {
		sum += float64(v)
	}
	return sum / float64(len(x))
}

// finite maps NaN and ±Inf to 0: JSON cannot hold them.
func finite(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

// SpreadWithZeros summarises the counts of the clients seen among n, the
// n − len(seen) others counting 0, without making an n-long vector (n can
// be 2^32): the same figures SpreadOf gives for the full vector, and no
// Counts.
func SpreadWithZeros(seen []uint64, n uint64) Spread {
	n = max(n, uint64(len(seen)))
	if n == 0 {
		return Spread{}
	}
	nf := float64(n)
	var sum, sq, peak float64
	s := make([]float64, len(seen))
	for i, v := range seen {
		f := float64(v)
		s[i] = f
		sum += f
		sq += f * f
		peak = max(peak, f)
	}
	sp := Spread{N: int(min(n, uint64(math.MaxInt))), Jain: 1, MaxMean: 1}
	if sum == 0 {
		return sp
	}
	mean := sum / nf
	sp.Jain = finite(sum * sum / (nf * sq))
	sp.MaxMean = finite(peak / mean)
	sp.CoV = finite(math.Sqrt(max(sq/nf-mean*mean, 0)) / mean)
	// Gini over the ascending order: the zeros come first, so the seen
	// loads sit at ranks zeros+1 … n.
	slices.Sort(s)
	zeros := nf - float64(len(s))
	var weighted float64
	for i, v := range s {
		weighted += (zeros + float64(i+1)) * v
	}
	sp.Gini = finite(max(2*weighted/(nf*sum)-(nf+1)/nf, 0))
	return sp
}
