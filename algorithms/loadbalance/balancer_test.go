package loadbalance

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

func mustLB(t *testing.T, cfg Config) *LB {
	t.Helper()
	lb, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return lb
}

// sequence picks k times, releasing each pick at once, and spells the
// backends as letters.
func sequence(t *testing.T, lb *LB, k int) string {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	var sb strings.Builder
	op := &workloads.Op{}
	for i := 0; i < k; i++ {
		b, err := lb.Pick(0, r, op)
		if err != nil {
			t.Fatal(err)
		}
		lb.Done(b, 0, -1)
		sb.WriteByte(byte('A' + b))
	}
	return sb.String()
}

// nginx's smooth weighted round robin interleaves: {5,1,1} is AABACAA.
// Least connections on an idle pool ties everywhere, so its stride-scheduled
// tie-break shows: AAABCAA, the same 5:1:1 in every window of 7.
func TestSmoothWRRSequence(t *testing.T) {
	if got := sequence(t, mustLB(t, Config{Policy: "weighted-round-robin", Weights: []int{5, 1, 1}}), 14); got != "AABACAAAABACAA" {
		t.Errorf("smooth WRR {5,1,1}: %s, want AABACAA twice", got)
	}
	if got := sequence(t, mustLB(t, Config{Policy: "least-connections", Weights: []int{5, 1, 1}}), 14); got != "AAABCAAAAABCAA" {
		t.Errorf("least-connections on an idle pool, {5,1,1}: %s, want AAABCAA twice", got)
	}
	if got := sequence(t, mustLB(t, Config{Policy: "weighted-round-robin", Weights: []int{2, 0, 1}}), 6); got != "ACAACA" {
		t.Errorf("weights {2,0,1}: %s, want ACAACA (B never)", got)
	}
	if got := sequence(t, mustLB(t, Config{Policy: "round-robin", Backends: 3}), 7); got != "ABCABCA" {
		t.Errorf("round robin: %s", got)
	}
}

func TestLeastConnectionsPicksFewestInFlight(t *testing.T) {
	lb := mustLB(t, Config{Policy: "least-connections", Weights: []int{1, 1, 2}})
	r := rand.New(rand.NewPCG(3, 4))
	op := &workloads.Op{}
	// Hold every request: in-flight per weight must stay level.
	for i := 0; i < 400; i++ {
		if _, err := lb.Pick(0, r, op); err != nil {
			t.Fatal(err)
		}
		a, b, c := lb.InFlight(0), lb.InFlight(1), float64(lb.InFlight(2))/2
		if math.Abs(float64(a)-c) > 1 || math.Abs(float64(b)-c) > 1 {
			t.Fatalf("after %d picks in flight %d %d %d (weights 1 1 2)", i+1, a, b, lb.InFlight(2))
		}
	}
	lb.Done(2, 0, -1)
	lb.Done(2, 0, -1)
	lb.Done(2, 0, -1)
	if b, _ := lb.Pick(0, r, op); b != 2 {
		t.Fatalf("picked %d, want 2 (the one with the fewest in flight per weight)", b)
	}
}

// P2C takes the less loaded of two distinct samples; with d = all it is
// least loaded.
func TestPowerOfChoices(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	op := &workloads.Op{}
	lb := mustLB(t, Config{Policy: "p2c", Backends: 2})
	for i := 0; i < 100; i++ {
		b, _ := lb.Pick(0, r, op)
		if d := lb.InFlight(0) - lb.InFlight(1); d > 1 || d < -1 {
			t.Fatalf("p2c over 2 backends let them drift apart: %d vs %d (last pick %d)", lb.InFlight(0), lb.InFlight(1), b)
		}
	}
	all := mustLB(t, Config{Policy: "p2c", Backends: 8, Choices: 8})
	for i := 0; i < 200; i++ {
		all.Pick(0, r, op)
		lo, hi := 1<<30, 0
		for b := 0; b < 8; b++ {
			lo, hi = min(lo, all.InFlight(b)), max(hi, all.InFlight(b))
		}
		if hi-lo > 1 {
			t.Fatalf("d = n is not least-loaded: spread %d", hi-lo)
		}
	}
	// Max load with 2 choices is far below 1 choice (the classic result).
	maxLoad := func(d int) int {
		lb := mustLB(t, Config{Policy: "p2c", Backends: 1000, Choices: d})
		r := rand.New(rand.NewPCG(7, 8))
		m := 0
		for i := 0; i < 1000; i++ {
			b, _ := lb.Pick(0, r, op)
			m = max(m, lb.InFlight(b))
		}
		return m
	}
	if one, two := maxLoad(1), maxLoad(2); two >= one || two > 4 {
		t.Errorf("1000 balls in 1000 bins: max load %d with d=1, %d with d=2", one, two)
	}
}

// Peak-EWMA: a sample above the estimate replaces it; below, it is blended
// with weight e^(−Δt/τ).
func TestPeakEWMAEstimate(t *testing.T) {
	pe := newPeakEWMA(1, 100*time.Millisecond, time.Millisecond, 0)
	p, _ := NewPool([]int{1})
	pe.done(p, 0, 10*time.Millisecond, 5*time.Millisecond)
	if pe.est[0] != float64(5*time.Millisecond) {
		t.Fatalf("peak not taken: %v", pe.est[0])
	}
	pe.done(p, 0, 110*time.Millisecond, time.Millisecond)
	d := math.Exp(-1)
	want := float64(5*time.Millisecond)*d + float64(time.Millisecond)*(1-d)
	if math.Abs(pe.est[0]-want) > 1 {
		t.Fatalf("blend: %v, want %v", pe.est[0], want)
	}
}

func TestIPHashStickyAndFailover(t *testing.T) {
	lb := mustLB(t, Config{Policy: "ip-hash", Backends: 5})
	r := rand.New(rand.NewPCG(1, 1))
	home := map[uint32]int{}
	for c := uint32(0); c < 200; c++ {
		b, _ := lb.Pick(0, r, &workloads.Op{Client: c})
		home[c] = b
	}
	lb.SetHealthy(2, false)
	for c, h := range home {
		b, _ := lb.Pick(0, r, &workloads.Op{Client: c})
		if b == 2 || h != 2 && b != h {
			t.Fatalf("client %d: home %d, now %d with backend 2 down", c, h, b)
		}
	}
	lb.SetHealthy(2, true)
	for c, h := range home {
		if b, _ := lb.Pick(0, r, &workloads.Op{Client: c}); b != h {
			t.Fatalf("client %d did not return home to %d after recovery (got %d)", c, h, b)
		}
	}
}

// Bounded-hash never lets a backend's in-flight count pass ⌈c·m/n⌉ when it
// places a request, whatever the key skew.
func TestBoundedHashBound(t *testing.T) {
	lb := mustLB(t, Config{Policy: "bounded-hash", Backends: 6, C: 1.25})
	r := rand.New(rand.NewPCG(9, 9))
	var held []int
	for i := 0; i < 3000; i++ {
		key := uint64(7) // one hot key: the worst case
		if i%3 == 0 {
			key = r.Uint64()
		}
		b, _ := lb.Pick(0, r, &workloads.Op{Key: key})
		held = append(held, b)
		m := len(held)
		bound := int(math.Ceil(1.25 * float64(m) / 6))
		if lb.InFlight(b) > bound {
			t.Fatalf("m=%d: backend %d has %d in flight > %d", m, b, lb.InFlight(b), bound)
		}
		if i%4 == 3 { // release an old one now and then
			j := r.IntN(len(held))
			lb.Done(held[j], 0, time.Millisecond)
			held = append(held[:j], held[j+1:]...)
		}
	}
}

// Every balancer: one backend always gets the request; no healthy backend
// is a clear error; a weight-0 backend is never picked; all-zero weights are
// rejected at construction.
func TestEdgeCases(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	for _, pol := range Policies {
		one := mustLB(t, Config{Policy: pol, Backends: 1})
		for i := 0; i < 20; i++ {
			b, err := one.Pick(time.Duration(i), r, &workloads.Op{Key: uint64(i), Client: uint32(i)})
			if err != nil || b != 0 {
				t.Fatalf("%s with 1 backend: %d, %v", pol, b, err)
			}
			one.Done(b, time.Duration(i), time.Millisecond)
		}
		lb := mustLB(t, Config{Policy: pol, Weights: []int{1, 0, 1}})
		for i := 0; i < 200; i++ {
			b, err := lb.Pick(0, r, &workloads.Op{Key: uint64(i), Client: uint32(i)})
			if err != nil || b == 1 {
				t.Fatalf("%s picked weight-0 backend: %d, %v", pol, b, err)
			}
			if i%2 == 0 {
				lb.Done(b, 0, time.Millisecond)
			}
		}
		lb.SetHealthy(0, false)
		lb.SetHealthy(2, false)
		_, err := lb.Pick(0, r, &workloads.Op{})
		if !errors.Is(err, ErrNoBackend) || !strings.Contains(err.Error(), "0 of 3") {
			t.Fatalf("%s with no healthy backend: %v", pol, err)
		}
		lb.SetHealthy(2, true)
		if b, err := lb.Pick(0, r, &workloads.Op{Key: 1}); err != nil || b != 2 {
			t.Fatalf("%s after recovery: %d, %v", pol, b, err)
		}
		if _, err := New(Config{Policy: pol, Weights: []int{0, 0}}); err == nil {
			t.Fatalf("%s accepted all-zero weights", pol)
		}
	}
	if _, err := New(Config{Policy: "nope", Backends: 2}); err == nil || !strings.Contains(err.Error(), "round-robin") {
		t.Fatalf("unknown policy: %v", err)
	}
	if _, err := ParseWeights("1|2", 2); err == nil {
		t.Fatal("weights 1|2 accepted")
	}
}

// Decisions allocate nothing.
func TestPickDoesNotAllocate(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	op := &workloads.Op{}
	for _, pol := range Policies {
		lb := mustLB(t, Config{Policy: pol, Backends: 100, Choices: 3})
		if a := testing.AllocsPerRun(500, func() {
			op.Key++
			op.Client++
			b, _ := lb.Pick(0, r, op)
			lb.Done(b, 0, time.Millisecond)
		}); a != 0 {
			t.Errorf("%s: %v allocs per decision", pol, a)
		}
	}
}

// Model check of the heap: under random picks, completions and health
// changes, every pick has the fewest in flight per weight of all eligible
// backends (checked by a full scan).
func TestLeastConnectionsHeapAgainstScan(t *testing.T) {
	weights := []int{3, 1, 0, 2, 1, 5, 1, 1}
	lb := mustLB(t, Config{Policy: "least-connections", Weights: weights})
	r := rand.New(rand.NewPCG(4, 4))
	var held []int
	picks := make([]int, len(weights))
	for step := 0; step < 20000; step++ {
		switch x := r.IntN(10); {
		case x < 5:
			best := -1.0
			for b, w := range weights {
				if w > 0 && lb.healthy[b] {
					if v := float64(lb.InFlight(b)) / float64(w); best < 0 || v < best {
						best = v
					}
				}
			}
			b, err := lb.Pick(0, r, &workloads.Op{})
			if err != nil {
				if lb.Eligible() != 0 {
					t.Fatal(err)
				}
				continue
			}
			if got := float64(lb.InFlight(b)-1) / float64(weights[b]); got != best {
				t.Fatalf("step %d: picked %d at %v in flight per weight, minimum is %v", step, b, got, best)
			}
			held = append(held, b)
			picks[b]++
		case x < 9 && len(held) > 0:
			i := r.IntN(len(held))
			lb.Done(held[i], 0, time.Millisecond)
			held = append(held[:i], held[i+1:]...)
		default:
			lb.SetHealthy(r.IntN(len(weights)), r.IntN(3) > 0)
		}
	}
	if picks[2] != 0 || picks[5] <= picks[0] {
		t.Fatalf("picks per backend %v (weights %v)", picks, weights)
	}
}

// The tie-breaking passes grow by 2^40/weight per pick, so a weight-1
// backend's pass wraps around uint64 after 2^24 picks (seconds of a
// wall-clock run). Passes compare modulo 2^64, so the round robin carries on
// across the wrap instead of handing one backend millions of picks in a row.
func TestLeastConnectionsPassWraps(t *testing.T) {
	lb := mustLB(t, Config{Policy: "least-connections", Weights: []int{1, 1, 2}})
	lc := lb.alg.(*leastConn)
	for b := range lc.pass {
		lc.pass[b] = math.MaxUint64 - 3*strideK + lc.stride[b]/2 // a few picks before the wrap
	}
	lc.rebuild(&lb.Pool)
	got := sequence(t, lb, 40)
	if a, b, c := strings.Count(got, "A"), strings.Count(got, "B"), strings.Count(got, "C"); a < 9 || a > 11 || b < 9 || b > 11 || c < 19 || c > 21 {
		t.Fatalf("picks %s: %d A, %d B, %d C, want about 10:10:20 (weights 1:1:2)", got, a, b, c)
	}
	for _, run := range []string{"AA", "BB", "CCC"} {
		if strings.Contains(got, run) {
			t.Fatalf("picks %s: a burst %s across the wrap", got, run)
		}
	}
	// A backend returning from a health-check failure rejoins at the
	// current round, across the wrap too.
	lb.SetHealthy(0, false)
	sequence(t, lb, 8)
	lb.SetHealthy(0, true)
	got = sequence(t, lb, 40)
	if n := strings.Count(got, "A"); n < 8 || n > 12 {
		t.Fatalf("after A returned: %s (%d A in 40, want about 10)", got, n)
	}
}
