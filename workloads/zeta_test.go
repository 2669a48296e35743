package workloads

import (
	"math"
	"testing"
)

// The published test vectors for θ = 0.99 (YCSB's ZipfianGenerator tests).
func TestZetaPublishedVectors(t *testing.T) {
	for _, c := range []struct {
		n    uint64
		want float64
		tol  float64
	}{
		{1e3, 7.72895321728, 1e-11},
		{1e6, 15.391849746, 1e-9},
		{1e8, 20.80293049, 1e-8},
	} {
		got := Zeta(c.n, 0.99)
		if math.Abs(got-c.want) > c.tol*c.want {
			t.Errorf("Zeta(%g, 0.99) = %.12f, want %.12f", float64(c.n), got, c.want)
		}
	}
}

// The Euler–Maclaurin tail must agree with the exact sum to 1e-9 relative,
// for skews below, at and above 1.
func TestZetaAgainstExactSum(t *testing.T) {
	ns := []uint64{1, 2, 255, 256, 257, 1025, 5000, 123457, 2_000_000}
	for _, theta := range []float64{0.1, 0.5, 0.99, 1, 1.0000001, 1.2, 1.5, 3} {
		for _, n := range ns {
			exact := zetaSum(1, n, theta)
			got := Zeta(n, theta)
			if rel := math.Abs(got-exact) / exact; rel > 1e-9 {
				t.Errorf("Zeta(%d, %v) = %.15g, exact %.15g (rel %.2g)", n, theta, got, exact, rel)
			}
		}
	}
}

// ζ(n, 1) is the harmonic number: ln n + γ + 1/(2n) − … for large n.
func TestZetaHarmonicLarge(t *testing.T) {
	const gamma = 0.57721566490153286
	n := 1e12
	want := math.Log(n) + gamma + 1/(2*n)
	if got := Zeta(uint64(n), 1); math.Abs(got-want) > 1e-12*want {
		t.Errorf("Zeta(1e12, 1) = %.15g, want %.15g", got, want)
	}
}
