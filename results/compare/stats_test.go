package compare

import (
	"math"
	"math/rand/v2"
	"testing"
)

// bruteP enumerates every split of the pooled sample into sides of n and m
// and counts those at least as extreme as the observed U: the definition of
// the exact two-sided p-value, against which uCounts is checked.
func bruteP(xs, ys []float64) float64 {
	pool := append(append([]float64(nil), xs...), ys...)
	n := len(xs)
	uOf := func(a, b []float64) float64 {
		var u float64
		for _, x := range a {
			for _, y := range b {
				if y > x {
					u++
				} else if y == x {
					u += 0.5
				}
			}
		}
		return u
	}
	u0 := uOf(xs, ys)
	var lo, hi, total float64
	for mask := 0; mask < 1<<len(pool); mask++ {
		var a, b []float64
		for i, v := range pool {
			if mask&(1<<i) != 0 {
				a = append(a, v)
			} else {
				b = append(b, v)
			}
		}
		if len(a) != n {
			continue
		}
		u := uOf(a, b)
		total++
		if u <= u0 {
			lo++
		}
		if u >= u0 {
			hi++
		}
	}
	return math.Min(1, 2*math.Min(lo, hi)/total)
}

func TestExactPMatchesEnumeration(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 40; trial++ {
		n, m := 1+r.IntN(5), 1+r.IntN(6)
		xs, ys := make([]float64, n), make([]float64, m)
		for i := range xs {
			xs[i] = r.Float64()
		}
		for i := range ys {
			ys[i] = r.Float64() + 0.3*r.Float64()
		}
		_, p := MannWhitney(xs, ys)
		if want := bruteP(xs, ys); math.Abs(p-want) > 1e-12 {
			t.Fatalf("n=%d m=%d: exact p=%v, enumeration %v", n, m, p, want)
		}
	}
}

func TestPublishedValues(t *testing.T) {
	// R: wilcox.test(1:5, 6:10)$p.value = 0.007937 (= 2/252).
	_, p := MannWhitney([]float64{1, 2, 3, 4, 5}, []float64{6, 7, 8, 9, 10})
	if math.Abs(p-2.0/252) > 1e-12 {
		t.Errorf("p = %v, want 2/252", p)
	}
	// n = m = 3 fully separated: 2/C(6,3) = 0.1, never significant at 0.05.
	if _, p := MannWhitney([]float64{1, 2, 3}, []float64{4, 5, 6}); math.Abs(p-0.1) > 1e-12 {
		t.Errorf("3 vs 3 separated: p = %v, want 0.1", p)
	}
	for _, c := range []struct {
		alpha float64
		need  int
	}{{0.05, 4}, {0.01, 5}, {0.1, 3}, {0.001, 7}} {
		if got := NeedSamples(c.alpha); got != c.need {
			t.Errorf("NeedSamples(%v) = %d, want %d", c.alpha, got, c.need)
		}
	}
}

func TestNormalApproximationWithTies(t *testing.T) {
	// Large samples with ties: compare with the permutation p-value
	// estimated by resampling.
	r := rand.New(rand.NewPCG(3, 4))
	xs, ys := make([]float64, 40), make([]float64, 40)
	for i := range xs {
		xs[i] = float64(r.IntN(10))
		ys[i] = float64(r.IntN(10) + r.IntN(3))
	}
	_, p := MannWhitney(xs, ys)
	pool := append(append([]float64(nil), xs...), ys...)
	u0, _ := MannWhitney(xs, ys)
	mean := float64(len(xs)*len(ys)) / 2
	extreme := 0
	const perms = 4000
	for i := 0; i < perms; i++ {
		r.Shuffle(len(pool), func(a, b int) { pool[a], pool[b] = pool[b], pool[a] })
		u, _ := MannWhitney(pool[:40], pool[40:])
		if math.Abs(u-mean) >= math.Abs(u0-mean) {
			extreme++
		}
	}
	perm := float64(extreme) / perms
	if math.Abs(p-perm) > 0.02 {
		t.Errorf("normal approximation p=%v, permutation p=%v", p, perm)
	}
}

func TestHodgesLehmannCoverage(t *testing.T) {
	// The 95% interval must cover the true shift in about 95% of trials.
	r := rand.New(rand.NewPCG(5, 6))
	const trials, shift = 1000, 0.7
	covered := 0
	for i := 0; i < trials; i++ {
		xs, ys := make([]float64, 8), make([]float64, 9)
		for j := range xs {
			xs[j] = r.NormFloat64()
		}
		for j := range ys {
			ys[j] = r.NormFloat64() + shift
		}
		_, lo, hi := HodgesLehmann(xs, ys, 0.05)
		if lo <= shift && shift <= hi {
			covered++
		}
	}
	if rate := float64(covered) / trials; rate < 0.93 || rate > 0.985 {
		t.Errorf("coverage %.3f, want ≈ 0.95", rate)
	}
}

func TestHodgesLehmannEstimate(t *testing.T) {
	est, lo, hi := HodgesLehmann([]float64{1, 2, 3}, []float64{11, 12, 13}, 0.05)
	if est != 10 || lo != 8 || hi != 12 { // too few samples: the whole range
		t.Errorf("got %v [%v, %v], want 10 [8, 12]", est, lo, hi)
	}
}
