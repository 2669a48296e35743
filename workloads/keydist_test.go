package workloads

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func mustKeys(t *testing.T, spec string) KeyDist {
	t.Helper()
	d, err := ParseKeyDist(spec)
	if err != nil {
		t.Fatalf("ParseKeyDist(%q): %v", spec, err)
	}
	return d
}

// Each distribution against its analytic pmf over every key of a small
// space.
func TestKeyDistPMF(t *testing.T) {
	const n, total = 50, 200_000
	uniform := make([]float64, n)
	hot := make([]float64, n)
	expo := make([]float64, n)
	latest := make([]float64, n)
	z, _ := NewZipf(0.99, n, false)
	gamma := -math.Log(1-0.95) / (0.8571428571 * n)
	norm := 1 - math.Exp(-gamma*n) // draws past the oldest key are redrawn
	for k := 0; k < n; k++ {
		uniform[k] = 1.0 / n
		if k < 10 {
			hot[k] = 0.8 / 10
		} else {
			hot[k] = 0.2 / 40
		}
		off := float64(n - 1 - k)
		expo[k] = (math.Exp(-gamma*off) - math.Exp(-gamma*(off+1))) / norm
		latest[k] = z.Prob(uint64(n - 1 - k))
	}
	for _, c := range []struct {
		spec string
		pmf  []float64
	}{
		{"uniform:n=50", uniform},
		{"hotspot:hot=0.2,ops=0.8,n=50", hot},
		{"exponential:n=50", expo},
		{"latest:theta=0.99,n=50", latest},
		{"weighted:p=0.5|0.25|0.125|0.125", []float64{0.5, 0.25, 0.125, 0.125}},
	} {
		d := mustKeys(t, c.spec)
		r := newRand(11)
		cells := len(c.pmf)
		var probs []float64
		for _, p := range c.pmf {
			if p*total >= 5 {
				probs = append(probs, p)
			} else {
				break
			}
		}
		counts := drawCounts(total, cells, func() uint64 { return d.Next(r) })
		chiSquare(t, c.spec, counts[:len(probs)], probs, total)
	}
}

func TestSequentialKeys(t *testing.T) {
	d := mustKeys(t, "sequential:n=3")
	var got []uint64
	for i := 0; i < 7; i++ {
		got = append(got, d.Next(nil))
	}
	if want := []uint64{0, 1, 2, 0, 1, 2, 0}; !slices.Equal(got, want) {
		t.Errorf("sequential: %v, want %v", got, want)
	}
}

// The Feistel permutation is a bijection on [0, n) for every n, odd widths
// and n = 1 included.
func TestFeistelBijection(t *testing.T) {
	for _, n := range []uint64{1, 2, 3, 5, 17, 64, 100, 1000, 65537, 100_000} {
		f := newFeistel(n, n*31)
		seen := make([]bool, n)
		for x := uint64(0); x < n; x++ {
			y := f.permute(x)
			if y >= n || seen[y] {
				t.Fatalf("n=%d: permute(%d)=%d repeats or leaves the domain", n, x, y)
			}
			seen[y] = true
		}
	}
}

// Scrambled Zipf has exactly Zipf's sorted frequency vector (the same draws
// through a bijection), and it really scrambles: the hottest key is not 0
// and the top ten keys are not adjacent.
func TestScrambledZipfSameFrequencies(t *testing.T) {
	const n, total = 10_000, 300_000
	freq := func(spec string) ([]uint64, []uint64) {
		d := mustKeys(t, spec)
		r := newRand(5)
		c := make([]uint64, n)
		for i := 0; i < total; i++ {
			c[d.Next(r)]++
		}
		s := slices.Clone(c)
		slices.Sort(s)
		return s, c
	}
	zs, zc := freq("zipf:theta=0.99,n=10000")
	ss, sc := freq("scrambled-zipf:theta=0.99,n=10000")
	if !slices.Equal(zs, ss) {
		t.Fatal("scrambled-zipf's sorted frequencies differ from zipf's")
	}
	hottest := slices.Index(sc, slices.Max(sc))
	if hottest == 0 || sc[0] == zc[0] {
		t.Errorf("scrambled-zipf left rank 0 on key 0 (hottest key %d)", hottest)
	}
	// Zipf's ten hottest keys are 0..9; scrambled, at most one of them may be.
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return int(sc[b]) - int(sc[a]) })
	low := 0
	for _, k := range order[:10] {
		if k < 10 {
			low++
		}
	}
	if low > 1 {
		t.Errorf("scrambled-zipf keeps %d of its ten hottest keys in 0..9", low)
	}
}

func TestTraceKeysFile(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "keys.txt")
	os.WriteFile(plain, []byte("# keys\n5\n7\n\n1e3\n"), 0o644)
	d := mustKeys(t, "trace:file="+plain)
	var got []uint64
	for i := 0; i < 4; i++ {
		got = append(got, d.Next(nil))
	}
	if want := []uint64{5, 7, 1000, 5}; !slices.Equal(got, want) {
		t.Errorf("trace keys %v, want %v", got, want)
	}
	csv := filepath.Join(dir, "t.csv")
	os.WriteFile(csv, []byte(TraceHeader+"\n0,0,read,42,0,100\n1,0,update,9,0,100\n"), 0o644)
	d = mustKeys(t, "trace:file="+csv)
	if a, b := d.Next(nil), d.Next(nil); a != 42 || b != 9 {
		t.Errorf("trace keys from a CSV trace: %d %d, want 42 9", a, b)
	}
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("1\nx\n"), 0o644)
	if _, err := ParseKeyDist("trace:file=" + bad); err == nil || !contains(err.Error(), "line 2") {
		t.Errorf("bad key file: %v, want an error naming line 2", err)
	}
}

func TestKeyDistErrors(t *testing.T) {
	for spec, want := range map[string]string{
		"zipfy":                     "valid: uniform, sequential, zipf",
		"zipf:theta=0":              "theta",
		"zipf:theta=-1":             "theta",
		"zipf:n=0":                  "n=",
		"uniform:n=0":               "n=",
		"zipf:theta=0.9,foo=1":      `unknown parameter "foo"`,
		"zipf:method=fast":          "exact, gray",
		"hotspot:hot=1.5":           "hot",
		"weighted:p=0.5|0.4":        "sum to 0.9",
		"weighted:p=0.5|x":          "not a number",
		"weighted":                  "missing p=",
		"trace:file=/nonexistent/x": "no such file",
		"zipf:theta":                "not key=value",
	} {
		_, err := ParseKeyDist(spec)
		if err == nil || !contains(err.Error(), want) {
			t.Errorf("ParseKeyDist(%q) = %v, want an error containing %q", spec, err, want)
		}
	}
}
