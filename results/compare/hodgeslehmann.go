package compare

import (
	"math"
	"sort"
)

// HodgesLehmann returns the Hodges–Lehmann estimate of the shift from xs to
// ys (the median of all pairwise differences y − x) and its distribution-free
// confidence interval at level 1 − alpha: the k-th smallest and k-th largest
// differences, k taken from the Mann–Whitney null distribution so that
// P(U < k) ≤ alpha/2. When the samples are too small for any k, the interval
// is the whole range of differences (it cannot exclude anything).
func HodgesLehmann(xs, ys []float64, alpha float64) (est, lo, hi float64) {
	n, m := len(xs), len(ys)
	if n == 0 || m == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	d := make([]float64, 0, n*m)
	for _, x := range xs {
		for _, y := range ys {
			d = append(d, y-x)
		}
	}
	sort.Float64s(d)
	est = median(d)
	k := criticalK(n, m, alpha)
	if k < 1 {
		return est, d[0], d[len(d)-1]
	}
	return est, d[k-1], d[len(d)-k]
}

// criticalK is the largest k with P(U ≤ k−1) ≤ alpha/2 under the null.
func criticalK(n, m int, alpha float64) int {
	if n*m <= exactLimit {
		f := uCounts(n, m)
		var total float64
		for _, c := range f {
			total += c
		}
		var cum float64
		k := 0
		for u, c := range f {
			cum += c
			if cum/total > alpha/2 {
				break
			}
			k = u + 1
		}
		return k
	}
	nf, mf := float64(n), float64(m)
	z := normalQuantile(1 - alpha/2)
	k := math.Floor(nf*mf/2 - z*math.Sqrt(nf*mf*(nf+mf+1)/12))
	return int(k)
}

// normalQuantile inverts the standard normal CDF by bisection on Erfc; it is
// called once per comparison, so clarity beats speed.
func normalQuantile(p float64) float64 {
	lo, hi := -40.0, 40.0
	for i := 0; i < 200; i++ {
		mid := (lo + hi) / 2
		if 0.5*math.Erfc(-mid/math.Sqrt2) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// Median returns the median of xs without modifying it.
func Median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return median(s)
}
