package workloads

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The exact sampler against the analytic pmf, rank by rank, for skews below,
// at and above 1 and keyspaces small and large.
func TestZipfExactPMF(t *testing.T) {
	for _, theta := range []float64{0.5, 0.99, 1.0, 1.5} {
		for _, n := range []uint64{10, 1000, 1_000_000} {
			z, err := NewZipf(theta, n, false)
			if err != nil {
				t.Fatal(err)
			}
			const total = 400_000
			cells := 0
			var probs []float64
			for k := uint64(0); k < n && z.Prob(k)*total >= 20 && cells < 200; k++ {
				probs = append(probs, z.Prob(k))
				cells++
			}
			r := newRand(uint64(n) + uint64(theta*100))
			counts := drawCounts(total, cells, func() uint64 { return z.Next(r) })
			chiSquare(t, "zipf exact", counts, probs, total)
		}
	}
}

// Gray's method is exact for ranks 0 and 1 and an approximation beyond;
// check the two exact ranks, that every rank stays in range, and that its
// top-100 share is within 2.5 points of the truth (measured: 42.6% against
// 41.4% at θ = 0.99, n = 1e5 — the approximation overweights ranks 2…100).
func TestZipfGray(t *testing.T) {
	for _, theta := range []float64{0.5, 0.99, 1.0, 1.5} {
		const n, total = 100_000, 400_000
		z, _ := NewZipf(theta, n, true)
		r := newRand(7)
		counts := make([]uint64, n)
		for i := 0; i < total; i++ {
			k := z.Next(r)
			if k >= n {
				t.Fatalf("theta %v: rank %d out of [0,%d)", theta, k, n)
			}
			counts[k]++
		}
		chiSquare(t, "zipf gray top-2", counts[:2], []float64{z.Prob(0), z.Prob(1)}, total)
		var got, want float64
		for k := uint64(0); k < 100; k++ {
			got += float64(counts[k]) / total
			want += z.Prob(k)
		}
		if math.Abs(got-want) > 0.025 {
			t.Errorf("theta %v: gray top-100 share %.4f, exact %.4f", theta, got, want)
		}
	}
}

// Growth keeps ζ exact (incremental terms or a recomputation), and Gray's η
// is that of a fresh generator over the new n — YCSB keeps the old count.
func TestZipfGrow(t *testing.T) {
	for _, gray := range []bool{false, true} {
		z, _ := NewZipf(0.99, 1000, gray)
		for i := uint64(1001); i <= 3000; i++ {
			z.Grow(i)
		}
		z.Grow(1_000_000)
		fresh, _ := NewZipf(0.99, 1_000_000, gray)
		if rel := math.Abs(z.Zeta()-fresh.Zeta()) / fresh.Zeta(); rel > 1e-12 {
			t.Errorf("grown zeta %.15g, fresh %.15g", z.Zeta(), fresh.Zeta())
		}
		if math.Abs(z.eta-fresh.eta) > 1e-12 || math.Abs(z.hN-fresh.hN) > 1e-9 {
			t.Errorf("gray=%v: grown eta %v hN %v, fresh %v %v", gray, z.eta, z.hN, fresh.eta, fresh.hN)
		}
		// Drawn after growth, ranks follow the pmf over the new n.
		r := newRand(3)
		const total = 200_000
		counts := drawCounts(total, 2, func() uint64 { return z.Next(r) })
		chiSquare(t, "zipf grown", counts, []float64{fresh.Prob(0), fresh.Prob(1)}, total)
	}
}

func TestZipfRejectsBadParameters(t *testing.T) {
	for _, c := range []struct {
		theta float64
		n     uint64
	}{{0, 10}, {-1, 10}, {math.NaN(), 10}, {math.Inf(1), 10}, {1, 0}} {
		if _, err := NewZipf(c.theta, c.n, false); err == nil {
			t.Errorf("NewZipf(%v, %d) accepted", c.theta, c.n)
		}
	}
}

// A one-key space always yields rank 0, for both methods.
func TestZipfSingleKey(t *testing.T) {
	for _, gray := range []bool{false, true} {
		z, _ := NewZipf(0.99, 1, gray)
		r := newRand(1)
		for i := 0; i < 1000; i++ {
			if k := z.Next(r); k != 0 {
				t.Fatalf("gray=%v: rank %d from a one-key space", gray, k)
			}
		}
	}
}

// Around the seam between the alias-table head and the rejection-inversion
// tail (rank zipfHead), each of the eight cells on either side follows the
// pmf: a rank counted twice or skipped would be off by ten sigmas. A cell is
// one rank, or 64 at θ = 1.5, where ranks this deep are rare.
func TestZipfHeadTailSeam(t *testing.T) {
	for theta, win := range map[float64]uint64{0.5: 1, 0.99: 1, 1.5: 64} {
		z, _ := NewZipf(theta, 100_000, false)
		const total = 2_000_000
		const wins = 16
		lo := zipfHead - wins/2*win
		counts := make([]uint64, wins)
		probs := make([]float64, wins)
		r := newRand(13)
		for i := 0; i < total; i++ {
			if k := z.Next(r); k >= lo && k < lo+win*wins {
				counts[(k-lo)/win]++
			}
		}
		for w := range probs {
			for k := lo + uint64(w)*win; k < lo+uint64(w+1)*win; k++ {
				probs[w] += z.Prob(k)
			}
		}
		chiSquare(t, "zipf seam", counts, probs, total)
	}
}

// fixedSource replays given words, then zeros.
type fixedSource struct{ w []uint64 }

func (f *fixedSource) Uint64() uint64 {
	if len(f.w) == 0 {
		return 0
	}
	x := f.w[0]
	f.w = f.w[1:]
	return x
}

// The largest uniform below the head's share maps into the alias table, not
// one column past it: at θ = 0.30006, n = 1025, v·head/headP rounds up to
// 1024 and indexed past the table.
func TestZipfHeadEdge(t *testing.T) {
	z, _ := NewZipf(0.30006, 1025, false)
	v := math.Nextafter(z.headP, 0)
	r := rand.New(&fixedSource{w: []uint64{uint64(v * (1 << 53))}})
	if k := z.Next(r); k >= z.head {
		t.Errorf("u just below the head share gave rank %d, want < %d", k, z.head)
	}
}
