package results

import (
	"math"
	"math/rand/v2"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestFairnessKnownValues(t *testing.T) {
	tests := []struct {
		name                     string
		x                        []float64
		jain, maxMean, cov, gini float64
	}{
		{"empty", nil, 0, 0, 0, 0},
		{"all zero is equal", []float64{0, 0, 0}, 1, 1, 0, 0},
		{"one", []float64{7}, 1, 1, 0, 0},
		{"equal", []float64{5, 5, 5, 5}, 1, 1, 0, 0},
		{"one of 2 loaded", []float64{0, 10}, 0.5, 2, 1, 0.5},
		{"one of 4 loaded", []float64{0, 0, 9, 0}, 0.25, 4, math.Sqrt(3), 0.75},
		{"one of 10 loaded", []float64{0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 0.1, 10, 3, 0.9},
		// 1,2,3,4: mean 2.5, σ² = 1.25, Σ|xi−xj| over ordered pairs = 20.
		{"1..4", []float64{1, 2, 3, 4}, 100.0 / 120, 1.6, math.Sqrt(1.25) / 2.5, 20 / (2 * 16 * 2.5)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Jain(tc.x); !near(got, tc.jain) {
				t.Errorf("Jain = %v, want %v", got, tc.jain)
			}
			if got := MaxMean(tc.x); !near(got, tc.maxMean) {
				t.Errorf("MaxMean = %v, want %v", got, tc.maxMean)
			}
			if got := CoV(tc.x); !near(got, tc.cov) {
				t.Errorf("CoV = %v, want %v", got, tc.cov)
			}
			if got := Gini(tc.x); !near(got, tc.gini) {
				t.Errorf("Gini = %v, want %v", got, tc.gini)
			}
		})
	}
}

// One of n loaded gives Jain 1/n, Gini (n−1)/n and max/mean n for every n,
// over uint64 counts as the harness gives them.
func TestFairnessOneLoaded(t *testing.T) {
	for n := 1; n <= 64; n++ {
		x := make([]uint64, n)
		x[n/2] = 1000
		fn := float64(n)
		if got := Jain(x); !near(got, 1/fn) {
			t.Errorf("n=%d: Jain = %v, want %v", n, got, 1/fn)
		}
		if got := Gini(x); !near(got, (fn-1)/fn) {
			t.Errorf("n=%d: Gini = %v, want %v", n, got, (fn-1)/fn)
		}
		if got := MaxMean(x); !near(got, fn) {
			t.Errorf("n=%d: MaxMean = %v, want %v", n, got, fn)
		}
	}
}

// giniReference is the definition, O(n²): ΣΣ|xi − xj| / (2n²μ).
func giniReference(x []float64) float64 {
	var sum, diff float64
	for _, a := range x {
		sum += a
		for _, b := range x {
			diff += math.Abs(a - b)
		}
	}
	n := float64(len(x))
	return diff / (2 * n * n * (sum / n))
}

func TestFairnessIdentitiesOnRandomVectors(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 500 {
		n := 1 + r.IntN(50)
		x := make([]float64, n)
		for i := range x {
			x[i] = r.Float64() * 1000
			if r.IntN(4) == 0 {
				x[i] = 0
			}
		}
		x[r.IntN(n)] += 1 // never all zero
		jain, cov := Jain(x), CoV(x)
		if want := 1 / (1 + cov*cov); !near(jain, want) {
			t.Fatalf("trial %d: Jain %v != 1/(1+CoV²) %v for %v", trial, jain, want, x)
		}
		if jain < 1/float64(n)-1e-12 || jain > 1+1e-12 {
			t.Fatalf("trial %d: Jain %v outside [1/n, 1]", trial, jain)
		}
		if g, want := Gini(x), giniReference(x); !near(g, want) {
			t.Fatalf("trial %d: Gini %v, definition gives %v", trial, g, want)
		}
		if mm := MaxMean(x); mm < 1-1e-12 || mm > float64(n)+1e-9 {
			t.Fatalf("trial %d: MaxMean %v outside [1, n]", trial, mm)
		}
	}
}

func TestFairnessDoesNotReorderInput(t *testing.T) {
	x := []uint64{3, 1, 2}
	Gini(x)
	if x[0] != 3 || x[1] != 1 || x[2] != 2 {
		t.Fatalf("Gini sorted its input: %v", x)
	}
}

func TestSpreadOf(t *testing.T) {
	counts := []uint64{400, 300, 200, 100}
	s := SpreadOf(counts)
	if s.N != 4 || !near(s.Jain, Jain(counts)) || !near(s.Gini, 0.25) || !near(s.MaxMean, 1.6) {
		t.Fatalf("SpreadOf = %+v", s)
	}
	counts[0] = 0
	if s.Counts[0] != 400 {
		t.Fatal("SpreadOf kept a reference to the caller's counts")
	}
	if e := SpreadOf(nil); e.N != 0 || e.Counts != nil || e.Jain != 0 {
		t.Fatalf("SpreadOf(nil) = %+v", e)
	}
}

func BenchmarkGini1000(b *testing.B) {
	x := make([]uint64, 1000)
	for i := range x {
		x[i] = uint64(i * i % 977)
	}
	b.ReportAllocs()
	for b.Loop() {
		Gini(x)
	}
}

// SpreadWithZeros gives what SpreadOf gives for the whole vector, zeros
// included, without building it.
func TestSpreadWithZeros(t *testing.T) {
	for _, full := range [][]uint64{
		{0, 0, 5, 0, 1, 9, 0},
		{3, 3, 3},
		{0, 0, 0, 0},
		{7, 0},
	} {
		var seen []uint64
		for _, v := range full {
			if v > 0 {
				seen = append(seen, v)
			}
		}
		want, got := SpreadOf(full), SpreadWithZeros(seen, uint64(len(full)))
		want.Counts = nil
		for _, c := range [][2]float64{{want.Jain, got.Jain}, {want.MaxMean, got.MaxMean}, {want.CoV, got.CoV}, {want.Gini, got.Gini}} {
			if math.Abs(c[0]-c[1]) > 1e-12 {
				t.Errorf("%v: SpreadWithZeros %+v, SpreadOf %+v", full, got, want)
				break
			}
		}
		if got.N != want.N {
			t.Errorf("%v: n %d, want %d", full, got.N, want.N)
		}
	}
	// 2^32 clients, two of which sent: no 32 GiB vector.
	s := SpreadWithZeros([]uint64{1, 1}, 1<<32)
	if s.N != 1<<32 || math.Abs(s.Jain-2.0/(1<<32)) > 1e-18 {
		t.Errorf("2^32 clients: %+v", s)
	}
}
