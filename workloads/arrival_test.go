package workloads

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// gapStats draws n gaps from the whole stream of spec and returns the mean
// rate (ops/s) and the CV of the gaps.
func gapStats(t *testing.T, spec string, n int) (rate, cv float64) {
	t.Helper()
	s, err := ParseSpec("arrival=" + spec)
	if err != nil {
		t.Fatal(err)
	}
	g, _ := s.Generator(42, Whole)
	st := ComputeStats(g, n)
	return st.MeanRate, st.GapCV
}

// Every process hits its mean rate, and its burstiness (CV of the gaps) is
// the analytic one where there is a closed form.
func TestArrivalRatesAndBurstiness(t *testing.T) {
	for _, c := range []struct {
		spec       string
		rate       float64
		cvLo, cvHi float64
		rateTol    float64
	}{
		{"constant:rate=1000", 1000, 0, 0.001, 0.001},
		{"poisson:rate=1000", 1000, 0.98, 1.02, 0.02},
		{"gamma:rate=1000,shape=0.25", 1000, 1.9, 2.1, 0.03}, // CV = 1/√k = 2
		{"gamma:rate=1000,shape=4", 1000, 0.48, 0.52, 0.02},
		{"onoff:rate=4000,on=100ms,off=300ms", 1000, 1.5, 100, 0.03},
		{"onoff:rate=4000,on=100ms,off=300ms,periods=exp", 1000, 1.5, 100, 0.08},
		{"pareto-onoff:rate=4000,on=100ms,off=300ms,shape=1.9", 1000, 1.5, 100, 0.15},
		// stationary mean (100·2 + 5000·0.2)/2.2
		{"mmpp:rates=100|5000,stay=2s|200ms", 1200 / 2.2, 1.5, 100, 0.1},
		{"spike:rate=1000,every=1s,for=100ms,x=10", 1900, 1.05, 100, 0.02},
	} {
		rate, cv := gapStats(t, c.spec, 200_000)
		if math.Abs(rate-c.rate) > c.rateTol*c.rate {
			t.Errorf("%s: mean rate %.1f, want %.1f ± %.0f%%", c.spec, rate, c.rate, 100*c.rateTol)
		}
		if cv < c.cvLo || cv > c.cvHi {
			t.Errorf("%s: gap CV %.3f, want in [%v, %v]", c.spec, cv, c.cvLo, c.cvHi)
		}
	}
}

// The declared mean (Spec.Rate) matches the stationary formula, and WithRate
// rescales it keeping the shape.
func TestSpecRateAndWithRate(t *testing.T) {
	for spec, want := range map[string]float64{
		"closed":                                  0,
		"poisson:rate=1e3":                        1000,
		"onoff:rate=4000,on=100ms,off=300ms":      1000,
		"mmpp:rates=100|5000,stay=2s|200ms":       1200 / 2.2,
		"spike:rate=1000,every=1s,for=100ms,x=10": 1900,
		"ramp:from=0,to=500,over=1s":              500,
	} {
		s, err := ParseSpec("arrival=" + spec)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(s.Rate()-want) > 1e-9*want {
			t.Errorf("%s: Rate %v, want %v", spec, s.Rate(), want)
		}
		w, err := s.WithRate(2000)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(w.Rate()-2000) > 1e-9 {
			t.Errorf("%s.WithRate(2000): Rate %v (%s)", spec, w.Rate(), w)
		}
	}
	s, _ := ParseSpec("")
	if _, err := s.WithRate(0); err == nil {
		t.Error("WithRate(0) accepted")
	}
}

// A ramp's rate in its first and last tenth is near from and to.
func TestRampShape(t *testing.T) {
	s, _ := ParseSpec("arrival=ramp:from=1000,to=9000,over=10s")
	g, _ := s.Generator(1, Whole)
	st := ComputeStats(g, 60_000)
	if first, last := st.PerSecond[0], st.PerSecond[9]; math.Abs(float64(first)-1400) > 150 || math.Abs(float64(last)-8600) > 400 {
		t.Errorf("ramp: %d ops in second 0 (want ~1400), %d in second 9 (want ~8600)", first, last)
	}
}

// Parts of a constant-rate stream interleave into the whole schedule; parts
// of a bursty stream burst together (shared modulation).
func TestArrivalParts(t *testing.T) {
	s, _ := ParseSpec("arrival=constant:rate=1000")
	whole, _ := s.Generator(1, Whole)
	parts := make([]*Generator, 3)
	for k := range parts {
		parts[k], _ = s.Generator(1, Part{k, 3})
	}
	var w, p Op
	for i := 0; i < 3000; i++ {
		whole.Next(&w)
		parts[i%3].Next(&p)
		if w.At != p.At {
			t.Fatalf("op %d: whole at %v, part %d at %v", i, w.At, i%3, p.At)
		}
	}
	s, _ = ParseSpec("arrival=onoff:rate=3000,on=100ms,off=400ms")
	for k := 0; k < 3; k++ {
		g, _ := s.Generator(9, Part{k, 3})
		for i := 0; i < 2000; i++ {
			g.Next(&p)
			if phase := p.At % (500 * time.Millisecond); phase >= 100*time.Millisecond {
				t.Fatalf("part %d: op at %v falls in an off period", k, p.At)
			}
		}
	}
}

func TestArrivalErrors(t *testing.T) {
	for spec, want := range map[string]string{
		"poisson":                                  "missing rate=",
		"poisson:rate=0":                           "rate",
		"poisson:rate=-5":                          "rate",
		"constant:rate=abc":                        "rate",
		"bursty:rate=1":                            "valid: closed, constant, poisson",
		"onoff:rate=1,on=1s":                       "missing off=",
		"onoff:rate=1,on=1s,off=1s,periods=x":      "const, exp",
		"pareto-onoff:rate=1,on=1s,off=1s,shape=1": "shape",
		"mmpp:rates=1|2,stay=1s":                   "as many stay=",
		"mmpp:rates=0|0,stay=1s|1s":                "every rate is 0",
		"spike:rate=1,every=1s,for=2s":             "shorter than",
		"ramp:from=1,to=0,over=1s":                 "to=",
		"ramp:from=1e13,to=1,over=1s":              "from=",
	} {
		_, err := ParseArrival(spec)
		if err == nil || !contains(err.Error(), want) {
			t.Errorf("ParseArrival(%q) = %v, want an error containing %q", spec, err, want)
		}
	}
}

// ParseArrival's gaps are the schedule's differences and use only the
// caller's source.
func TestParseArrivalGaps(t *testing.T) {
	a, err := ParseArrival("constant:rate=250")
	if err != nil {
		t.Fatal(err)
	}
	r := newRand(1)
	a.Next(r) // the first op starts at 0
	if g := a.Next(r); g != 4*time.Millisecond {
		t.Errorf("constant:rate=250 gap %v, want 4ms", g)
	}
	for _, spec := range []string{"mmpp:rates=10|1000,stay=1s|1s", "gamma:rate=10,shape=0.5"} {
		b1, _ := ParseArrival(spec)
		b2, _ := ParseArrival(spec)
		b3, _ := ParseArrival(spec)
		r1, r2, r3 := newRand(3), newRand(3), newRand(4)
		differ := false
		for i := 0; i < 100; i++ {
			x, y, z := b1.Next(r1), b2.Next(r2), b3.Next(r3)
			if x != y {
				t.Fatalf("%s: gap %d: %v vs %v from equal sources", spec, i, x, y)
			}
			differ = differ || x != z
		}
		if !differ {
			t.Errorf("%s: the same gaps from different sources: not the caller's source", spec)
		}
	}
}

// countingSource counts the draws a schedule makes.
type countingSource struct {
	rand.PCG
	n int
}

func (c *countingSource) Uint64() uint64 { c.n++; return c.PCG.Uint64() }

// A ramp down draws one exponential per op (thinning against the larger rate
// needed from/to candidates per op once the ramp had ended:
// ramp:from=1e6,to=1e-3,over=1s never produced its next op), its seconds
// follow the integrated rate, and past the ramp it runs at `to`.
func TestRampDownIsExactAndCheap(t *testing.T) {
	d, err := parseArrivalDef("ramp:from=1e4,to=10,over=10s")
	if err != nil {
		t.Fatal(err)
	}
	src := &countingSource{}
	src.Seed(1, 2)
	r := rand.New(src)
	s := d.build(0, Whole)
	const ramp, post = 50_050, 2000 // ∫ rate over the ramp = (1e4+10)/2·10
	perSecond := map[int]int{}
	var last time.Duration
	for i := 0; i < ramp+post; i++ {
		at := s.next(r)
		if at < last {
			t.Fatalf("op %d at %v before %v", i, at, last)
		}
		last = at
		perSecond[int(at/time.Second)]++
	}
	if src.n > 2*(ramp+post) {
		t.Errorf("%d draws for %d ops: want about one per op", src.n, ramp+post)
	}
	for _, i := range []int{0, 5, 9} {
		want := 1e4 + (10-1e4)*(float64(i)+0.5)/10
		if got := float64(perSecond[i]); math.Abs(got-want) > 5*math.Sqrt(want) {
			t.Errorf("ramp second %d: %v ops, want %.0f", i, got, want)
		}
	}
	// After the ramp: 10 ops/s (≈2000 ops, σ ≈ 2.2%; bound 5σ).
	inRamp := 0
	for i := 0; i < 10; i++ {
		inRamp += perSecond[i]
	}
	if rate := float64(ramp+post-inRamp) / (last.Seconds() - 10); math.Abs(rate-10) > 1.2 {
		t.Errorf("%d ops after the ramp at %.2f ops/s, want 10", ramp+post-inRamp, rate)
	}
}

// Parts of a gamma stream are the whole schedule dealt out (op i of the
// whole is op i/n of part i mod n), so n workers together keep the gamma
// burstiness: independent gamma parts at rate/n merged to CV ≈ 1.7 at n = 4
// for a CV-2 process.
func TestGammaPartsInterleaveIntoTheWhole(t *testing.T) {
	const n, total = 4, 200_000
	s, _ := ParseSpec("arrival=gamma:rate=1000,shape=0.25")
	whole, _ := s.Generator(5, Whole)
	parts := make([]*Generator, n)
	for k := range parts {
		parts[k], _ = s.Generator(5, Part{k, n})
	}
	merged := make([]Op, total)
	var w Op
	for i := range merged {
		whole.Next(&w)
		parts[i%n].Next(&merged[i])
		if w.At != merged[i].At {
			t.Fatalf("op %d: whole at %v, part %d at %v", i, w.At, i%n, merged[i].At)
		}
	}
	for i := range merged {
		merged[i].Seq = uint64(i)
	}
	st := ComputeStats(NewTraceSource(merged, Whole), total)
	if st.GapCV < 1.9 || st.GapCV > 2.1 || math.Abs(st.MeanRate-1000) > 30 {
		t.Errorf("%d gamma parts merged: rate %.1f, gap CV %.3f; want 1000 and 2", n, st.MeanRate, st.GapCV)
	}
}
