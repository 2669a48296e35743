package compare

import (
	"math"
	"sort"
)

// exactLimit bounds n·m for the exact U distribution; beyond it the normal
// approximation is within a few thousandths of the exact p-value.
const exactLimit = 2500

// MannWhitney returns the U statistic of ys against xs (the number of pairs
// with y > x, ties counting one half) and the two-sided p-value of the
// hypothesis that both samples come from one distribution.
func MannWhitney(xs, ys []float64) (u, p float64) {
	n, m := len(xs), len(ys)
	if n == 0 || m == 0 {
		return 0, 1
	}
	ranks, tieTerm := rankAll(xs, ys)
	var ry float64
	for j := range ys {
		ry += ranks[n+j]
	}
	u = ry - float64(m*(m+1))/2
	if tieTerm == 0 && n*m <= exactLimit {
		return u, exactP(n, m, u)
	}
	return u, normalP(n, m, u, tieTerm)
}

// rankAll gives midranks (1-based) to xs followed by ys and returns Σ(t³−t)
// over tie groups, the term the variance correction needs.
func rankAll(xs, ys []float64) ([]float64, float64) {
	all := append(append([]float64(nil), xs...), ys...)
	idx := make([]int, len(all))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return all[idx[a]] < all[idx[b]] })
	ranks := make([]float64, len(all))
	var tie float64
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && all[idx[j+1]] == all[idx[i]] {
			j++
		}
		mid := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			ranks[idx[k]] = mid
		}
		if t := float64(j - i + 1); t > 1 {
			tie += t*t*t - t
		}
		i = j + 1
	}
	return ranks, tie
}

// uCounts returns how many of the C(n+m, n) equally likely arrangements give
// each U = 0 … n·m (the null distribution without ties), by the recurrence
// f(n,m,u) = f(n−1,m,u−m) + f(n,m−1,u). Counts fit a float64 exactly up to
// 2^53, far beyond exactLimit's reach for the tails that matter.
func uCounts(n, m int) []float64 {
	// prev[mm] holds f(i−1, mm, ·); cur is built for i.
	prev := make([][]float64, m+1)
	for mm := 0; mm <= m; mm++ {
		prev[mm] = []float64{1} // f(0, mm, 0) = 1
	}
	for i := 1; i <= n; i++ {
		cur := make([][]float64, m+1)
		cur[0] = []float64{1} // f(i, 0, 0) = 1
		for mm := 1; mm <= m; mm++ {
			f := make([]float64, i*mm+1)
			for u := range f {
				if u-mm >= 0 && u-mm < len(prev[mm]) {
					f[u] += prev[mm][u-mm]
				}
				if u < len(cur[mm-1]) {
					f[u] += cur[mm-1][u]
				}
			}
			cur[mm] = f
		}
		prev = cur
	}
	return prev[m]
}

func exactP(n, m int, u float64) float64 {
	f := uCounts(n, m)
	var total, lo, hi float64
	for k, c := range f {
		total += c
		if float64(k) <= u {
			lo += c
		}
		if float64(k) >= u {
			hi += c
		}
	}
	return math.Min(1, 2*math.Min(lo, hi)/total)
}

func normalP(n, m int, u, tieTerm float64) float64 {
	nf, mf := float64(n), float64(m)
	N := nf + mf
	mean := nf * mf / 2
	v := nf * mf / 12 * ((N + 1) - tieTerm/(N*(N-1)))
	if v <= 0 {
		return 1 // every value tied: no evidence of a difference
	}
	// Continuity correction of one half towards the mean.
	z := (math.Abs(u-mean) - 0.5) / math.Sqrt(v)
	if z < 0 {
		z = 0
	}
	return math.Min(1, math.Erfc(z/math.Sqrt2))
}

// MinPValue is the smallest two-sided p-value the exact test can reach with
// n and m samples: both extreme arrangements, 2 / C(n+m, n).
func MinPValue(n, m int) float64 {
	if n == 0 || m == 0 {
		return 1
	}
	// log C(n+m, n) via lgamma keeps large n finite.
	lc, _ := math.Lgamma(float64(n + m + 1))
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(m + 1))
	return math.Min(1, 2*math.Exp(-(lc-a-b)))
}

// NeedSamples is the smallest k such that k samples on each side can reach
// significance at level alpha (MinPValue(k, k) ≤ alpha): 4 at α = 0.05,
// 5 at α = 0.01.
func NeedSamples(alpha float64) int {
	for k := 1; k < 1000; k++ {
		if MinPValue(k, k) <= alpha {
			return k
		}
	}
	return 1000
}
