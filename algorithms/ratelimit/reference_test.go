package ratelimit

import (
	"math/big"
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// The reference models here are written from the definitions, independently
// of the limiters' integer representations: exact rationals or brute force
// over the whole admitted log.

// refBucket is the token bucket's definition, "at most burst + rate·T
// admitted in any window T", applied greedily: an op at t is admitted iff,
// for every earlier admitted t_i, the admits in [t_i, t] including this one
// stay within burst + rate·(t − t_i). Brute force, O(admitted) per decision.
type refBucket struct {
	rm, burst int64
	adm       []time.Duration
}

func (r *refBucket) allow(t time.Duration) bool {
	for i := len(r.adm) - 1; i >= 0; i-- {
		need := int64(len(r.adm)-i) + 1 - r.burst // admits beyond the burst
		if need <= 0 {
			continue
		}
		// need <= rate·(t−t_i)  ⇔  need·1e12 <= rm·(t−t_i) ns, in 128 bits.
		hi, lo := bits.Mul64(uint64(r.rm), uint64(t-r.adm[i]))
		if hi == 0 && lo < uint64(need)*tokenUnits {
			return false
		}
	}
	r.adm = append(r.adm, t)
	return true
}

// refQueue simulates the leaky queue literally: a list of exact departure
// times; an arrival drops those already gone, is refused if queue are still
// waiting, and otherwise leaves T after the last one (or now, if idle).
type refQueue struct {
	t     *big.Rat // 1/rate in ns
	queue int
	deps  []*big.Rat
	last  *big.Rat
}

func newRefQueue(rate float64, queue int) *refQueue {
	rm := int64(rate*1000 + 0.5)
	return &refQueue{t: big.NewRat(tokenUnits, rm), queue: queue}
}

func (q *refQueue) admit(now time.Duration) (time.Duration, bool) {
	n := new(big.Rat).SetInt64(int64(now))
	q.deps = slices.DeleteFunc(q.deps, func(d *big.Rat) bool { return d.Cmp(n) <= 0 })
	if len(q.deps) >= q.queue {
		return 0, false
	}
	d := n
	if q.last != nil {
		if next := new(big.Rat).Add(q.last, q.t); next.Cmp(n) > 0 {
			d = next
		}
	}
	q.last = d
	if d.Cmp(n) > 0 {
		q.deps = append(q.deps, d)
	}
	c := new(big.Int).Add(d.Num(), new(big.Int).Sub(d.Denom(), big.NewInt(1)))
	return time.Duration(c.Div(c, d.Denom()).Int64()), true // ceil
}

// refWindows holds the admitted log for the window limiters' definitions.
type refWindows struct {
	n      int
	window time.Duration
	adm    []time.Duration
}

func (r *refWindows) count(from, to time.Duration) int { // admits in [from, to)
	c := 0
	for _, a := range r.adm {
		if a >= from && a < to {
			c++
		}
	}
	return c
}

func (r *refWindows) fixed(t time.Duration) bool {
	k := t / r.window * r.window
	return r.admitIf(t, r.count(k, k+r.window) < r.n)
}

func (r *refWindows) log(t time.Duration) bool {
	return r.admitIf(t, r.count(t-r.window+1, t+1) < r.n)
}

// counter is Cloudflare's estimate in exact rationals:
// prev·(W−e)/W + curr + 1 <= N.
func (r *refWindows) counter(t time.Duration) bool {
	k := t / r.window * r.window
	prev, curr := r.count(k-r.window, k), r.count(k, k+r.window)
	est := big.NewRat(int64(prev)*int64(r.window-(t-k)), int64(r.window))
	est.Add(est, big.NewRat(int64(curr+1), 1))
	return r.admitIf(t, est.Cmp(big.NewRat(int64(r.n), 1)) <= 0)
}

func (r *refWindows) admitIf(t time.Duration, ok bool) bool {
	if ok {
		r.adm = append(r.adm, t)
	}
	return ok
}

// trace returns n sorted arrival times: bursts of near-simultaneous ops and
// gaps of up to several windows, on a grid of grid nanoseconds.
func trace(r *rand.Rand, n int, mean, grid time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	var t time.Duration
	for i := range out {
		switch r.IntN(10) {
		case 0: // a gap
			t += time.Duration(r.Int64N(int64(20 * mean)))
		case 1, 2, 3: // same instant
		default:
			t += time.Duration(r.Int64N(int64(2 * mean)))
		}
		out[i] = t / grid * grid
	}
	return out
}

type traceCase struct {
	rate   float64
	burst  int
	window time.Duration
}

var traceCases = []traceCase{
	{rate: 1000, burst: 1, window: 10 * time.Millisecond},
	{rate: 1000, burst: 10, window: 20 * time.Millisecond},
	{rate: 3.7, burst: 3, window: 3 * time.Second},
	{rate: 0.5, burst: 2, window: 10 * time.Second},
	{rate: 33_333.333, burst: 7, window: time.Millisecond},
}

func forTraces(t *testing.T, f func(t *testing.T, c traceCase, times []time.Duration)) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range traceCases {
		for rep := 0; rep < 4; rep++ {
			mean := time.Duration(1e9 / c.rate * []float64{0.3, 1, 2, 0.7}[rep])
			f(t, c, trace(r, 1500, mean, 1))
		}
	}
}

func TestTokenBucketMatchesDefinition(t *testing.T) {
	forTraces(t, func(t *testing.T, c traceCase, times []time.Duration) {
		tb, err := NewTokenBucket(c.rate, c.burst)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := NewGCRA(c.rate, c.burst)
		ref := &refBucket{rm: tb.rm, burst: int64(c.burst)}
		denied := 0
		for i, at := range times {
			want := ref.allow(at)
			if got := tb.Allow(at); got != want {
				t.Fatalf("%+v op %d at %v: token bucket %v, definition %v", c, i, at, got, want)
			}
			if got := g.Allow(at); got != want {
				t.Fatalf("%+v op %d at %v: GCRA %v, definition %v", c, i, at, got, want)
			}
			if !want {
				denied++
			}
		}
		if denied == 0 && times[len(times)-1] < time.Duration(float64(len(times)-c.burst)/c.rate*1e9) {
			t.Fatalf("%+v: nothing denied over an overloaded trace", c)
		}
	})
}

func TestLeakyQueueMatchesModel(t *testing.T) {
	forTraces(t, func(t *testing.T, c traceCase, times []time.Duration) {
		q, err := NewLeakyQueue(c.rate, c.burst)
		if err != nil {
			t.Fatal(err)
		}
		ref := newRefQueue(c.rate, c.burst)
		tb, _ := NewTokenBucket(c.rate, c.burst+1)
		for i, at := range times {
			wd, wok := ref.admit(at)
			d, ok := q.Admit(at)
			if ok != wok || d != wd {
				t.Fatalf("%+v op %d at %v: queue (%v, %v), model (%v, %v)", c, i, at, d, ok, wd, wok)
			}
			if b := tb.Allow(at); b != ok {
				t.Fatalf("%+v op %d: queue %v but a bucket of queue+1 %v", c, i, ok, b)
			}
		}
	})
}

func TestWindowLimitersMatchDefinitions(t *testing.T) {
	forTraces(t, func(t *testing.T, c traceCase, times []time.Duration) {
		fw, err := NewFixedWindow(c.rate, c.window)
		if err != nil {
			t.Fatal(err)
		}
		sl, _ := NewSlidingLog(c.rate, c.window)
		sc, _ := NewSlidingCounter(c.rate, c.window)
		n := int(fw.n)
		rf := &refWindows{n: n, window: c.window}
		rl := &refWindows{n: n, window: c.window}
		rc := &refWindows{n: n, window: c.window}
		for i, at := range times {
			if got, want := fw.Allow(at), rf.fixed(at); got != want {
				t.Fatalf("%+v op %d at %v: fixed window %v, definition %v", c, i, at, got, want)
			}
			if got, want := sl.Allow(at), rl.log(at); got != want {
				t.Fatalf("%+v op %d at %v: sliding log %v, definition %v", c, i, at, got, want)
			}
			if got, want := sc.Allow(at), rc.counter(at); got != want {
				t.Fatalf("%+v op %d at %v: sliding counter %v, definition %v", c, i, at, got, want)
			}
		}
		if m := maxInWindow(rl.adm, c.window); m > n {
			t.Fatalf("%+v: sliding log admitted %d in a window, limit %d", c, m, n)
		}
	})
}

func TestConcurrencyNeverExceedsLimit(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	c, _ := NewConcurrency(5)
	held := 0
	for i := 0; i < 10000; i++ {
		if held > 0 && r.IntN(2) == 0 {
			c.Release()
			held--
			continue
		}
		ok := c.Allow(0)
		if ok != (held < 5) {
			t.Fatalf("op %d: %d held, Allow = %v", i, held, ok)
		}
		if ok {
			held++
		}
	}
	if c.Peak() != 5 || c.InFlight() != held {
		t.Fatalf("peak %d in flight %d, want 5 and %d", c.Peak(), c.InFlight(), held)
	}
}
