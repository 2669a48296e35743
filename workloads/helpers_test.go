package workloads

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0xabcdef)) }

// chiSquare compares counts (one per category, plus the rest pooled into the
// last cell) with the probabilities probs (the pooled remainder is 1 −
// Σprobs). It fails when the statistic exceeds df + 6·√(2·df), a bound a
// correct sampler crosses with probability below 1e-6 and a wrong one
// crosses at once with the sample sizes used here.
func chiSquare(t *testing.T, name string, counts []uint64, probs []float64, total uint64) {
	t.Helper()
	stat, df := 0.0, 0
	rest, restP := float64(total), 1.0
	for i, p := range probs {
		e := p * float64(total)
		o := float64(counts[i])
		rest -= o
		restP -= p
		if e < 5 {
			t.Fatalf("%s: cell %d expects %.1f < 5: pool it", name, i, e)
		}
		stat += (o - e) * (o - e) / e
		df++
	}
	if e := restP * float64(total); e >= 5 {
		stat += (rest - e) * (rest - e) / e
		df++
	}
	df--
	if bound := float64(df) + 6*math.Sqrt(2*float64(df)); stat > bound {
		t.Errorf("%s: chi-square %.1f with %d df exceeds %.1f", name, stat, df, bound)
	}
}

// drawCounts draws total samples from next and counts the first cells values.
func drawCounts(total uint64, cells int, next func() uint64) []uint64 {
	c := make([]uint64, cells)
	for i := uint64(0); i < total; i++ {
		if k := next(); k < uint64(cells) {
			c[k]++
		}
	}
	return c
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
