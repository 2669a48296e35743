package ratelimit

import (
	"math/rand/v2"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// Around a window boundary a fixed window admits N at the end of one window
// and N at the start of the next: 2N within a few microseconds. The sliding
// log keeps it to N; so does the sliding counter here, where the previous
// window's weight is still whole (TestSlidingCounterOvershoot shows where
// its estimate lets more through).
func TestBoundaryBurst(t *testing.T) {
	const n, w = 100, time.Second
	var times []time.Duration
	for i := 0; i < n; i++ {
		times = append(times, w-time.Duration(n-i)*time.Microsecond) // just before
	}
	for i := 0; i < n; i++ {
		times = append(times, w+time.Duration(i)*time.Microsecond) // just after
	}
	run := func(l Limiter) int {
		var adm []time.Duration
		for _, at := range times {
			if l.Allow(at) {
				adm = append(adm, at)
			}
		}
		return maxInWindow(adm, w)
	}
	fw, _ := NewFixedWindow(n, w)
	sl, _ := NewSlidingLog(n, w)
	sc, _ := NewSlidingCounter(n, w)
	if got := run(fw); got != 2*n {
		t.Errorf("fixed window: %d admitted in one window around the boundary, want the 2N = %d burst", got, 2*n)
	}
	if got := run(sl); got != n {
		t.Errorf("sliding log: %d admitted in one window, want N = %d", got, n)
	}
	if got := run(sc); got > n {
		t.Errorf("sliding counter: %d admitted in one window, want at most N = %d", got, n)
	}
}

// The sliding counter assumes the previous window's ops were spread evenly.
// When they bunch at its end, the estimate prev·(1−e) + curr forgets them
// faster than the true window does. N = 100 ops in the second half of window
// 0, then one op every 5 ms from the boundary: the op at e = i/200 is
// admitted iff 100·(1−e) + curr + 1 <= 100, i.e. curr + 1 <= i/2, so after
// i = 99 curr = 49 and the true window (0.5 s, 1.5 s) holds 100 + 49 = 149:
// 1.49N, between the sliding log's N and the fixed window's 2N (which it
// approaches as the previous window's ops bunch tighter).
func TestSlidingCounterOvershoot(t *testing.T) {
	const n, w = 100, time.Second
	var times []time.Duration
	for i := 0; i < n; i++ {
		times = append(times, w/2+time.Duration(i)*5*time.Millisecond)
	}
	for i := 0; i < n; i++ {
		times = append(times, w+time.Duration(i)*5*time.Millisecond)
	}
	for _, c := range []struct {
		name string
		l    Limiter
		want int
	}{
		{"sliding-counter", must(NewSlidingCounter(n, w)), 149},
		{"sliding-log", must(NewSlidingLog(n, w)), n},
		{"fixed-window", must(NewFixedWindow(n, w)), 2 * n},
	} {
		var adm []time.Duration
		for _, at := range times {
			if c.l.Allow(at) {
				adm = append(adm, at)
			}
		}
		if got := maxInWindow(adm, w); got != c.want {
			t.Errorf("%s: %d admitted in one window, want %d", c.name, got, c.want)
		}
	}
}

func must[L Limiter](l L, err error) Limiter {
	if err != nil {
		panic(err)
	}
	return l
}

// After a gap of two or more windows the previous window's count is zero: a
// full burst is admitted at the very start of the next window. A limiter that
// carried the stale count forward would deny all of it.
func TestSlidingCounterGapResets(t *testing.T) {
	for _, gap := range []int{2, 3, 7} {
		const n, w = 50, time.Second
		sc, _ := NewSlidingCounter(n, w)
		for i := 0; i < n; i++ {
			if !sc.Allow(w - time.Millisecond) { // fill window 0 at its end
				t.Fatalf("gap %d: op %d of the first window denied", gap, i)
			}
		}
		start := time.Duration(gap) * w // e = 0: a stale prev would weigh fully
		got := 0
		for i := 0; i < 2*n; i++ {
			if sc.Allow(start) {
				got++
			}
		}
		if got != n {
			t.Errorf("gap of %d windows: %d admitted at the next window's start, want %d", gap, got, n)
		}
	}
	// One window later the previous count does weigh in.
	sc, _ := NewSlidingCounter(50, time.Second)
	for i := 0; i < 50; i++ {
		sc.Allow(time.Second - time.Millisecond)
	}
	if sc.Allow(time.Second) {
		t.Error("adjacent window: admitted at e = 0 although the previous window was full")
	}
}

// x/time/rate keeps float64 tokens and truncates the wait it computes to
// whole nanoseconds, so it admits an op that is short of a token by less
// than one nanosecond of refill. On a microsecond grid no exact decision is
// that close as long as rate·1µs is a multiple of 1e-6 tokens, as for the
// rates below, and the exact limiters must agree with it op for
// op. (At rate=33333.333 an op short by 1e-8 tokens, a third of a picosecond
// of refill, is admitted by x/time/rate and not by the exact bucket.)
func TestAgreesWithXTimeRate(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	cases := []traceCase{{rate: 1000, burst: 1}, {rate: 1000, burst: 10}, {rate: 3.7, burst: 3},
		{rate: 0.5, burst: 2}, {rate: 7, burst: 4}, {rate: 250_000, burst: 20}}
	for _, c := range cases {
		for rep := 0; rep < 4; rep++ {
			mean := time.Duration(1e9 / c.rate * []float64{0.3, 1, 2, 0.7}[rep])
			times := trace(r, 5000, mean, time.Microsecond)
			tb, _ := NewTokenBucket(c.rate, c.burst)
			g, _ := NewGCRA(c.rate, c.burst)
			x, _ := NewXTimeRate(c.rate, c.burst)
			lim := rate.NewLimiter(rate.Limit(c.rate), c.burst)
			for i, at := range times {
				want := lim.AllowN(xBase.Add(at), 1)
				if got := tb.Allow(at); got != want {
					t.Fatalf("%+v op %d at %v: token bucket %v, x/time/rate %v", c, i, at, got, want)
				}
				if got := g.Allow(at); got != want {
					t.Fatalf("%+v op %d at %v: GCRA %v, x/time/rate %v", c, i, at, got, want)
				}
				if got := x.Allow(at); got != want {
					t.Fatalf("%+v op %d at %v: wrapper %v, x/time/rate %v", c, i, at, got, want)
				}
			}
		}
	}
}

// At 3e6 ops/s the emission interval is 333.33… ns: a limiter that rounded
// it to whole nanoseconds would admit 0.1% too many, 3000 in one second.
// Exact fixed point admits burst + rate·T, off by at most one, also far from
// time zero, where a float64 of nanoseconds has lost its last digits.
func TestNoDrift(t *testing.T) {
	const r, burst = 3_000_000, 5
	for _, t0 := range []time.Duration{0, 10_000 * time.Hour} {
		limiters := map[string]Limiter{}
		limiters["token-bucket"], _ = NewTokenBucket(r, burst)
		limiters["gcra"], _ = NewGCRA(r, burst)
		limiters["leaky-queue"], _ = NewLeakyQueue(r, burst-1)
		for name, l := range limiters {
			l.Reset(t0)
			got := 0
			for at := t0; at <= t0+time.Second; at += 100 {
				if l.Allow(at) {
					got++
				}
			}
			if want := burst + r; got < want-1 || got > want {
				t.Errorf("%s from %v: %d admitted in 1 s at %d/s, want %d (±1)", name, t0, got, r, want)
			}
		}
	}
}

// Calls faster than 1/rate must not keep a leaky queue from draining.
func TestLeakyQueueDrainsUnderFastCalls(t *testing.T) {
	q, _ := NewLeakyQueue(1000, 10) // one leaves per ms
	got := 0
	for at := time.Duration(0); at < time.Second; at += 10 * time.Microsecond {
		if _, ok := q.Admit(at); ok {
			got++
		}
	}
	if got < 1000 || got > 1011 {
		t.Fatalf("%d admitted in 1 s at 1000/s with a queue of 10 under calls every 10µs, want 1000…1011", got)
	}
}

// Times that go backwards (racing wall-clock workers) never refill a bucket.
func TestBackwardsTimeDoesNotRefill(t *testing.T) {
	for name, mk := range map[string]func() Limiter{
		"token-bucket": func() Limiter { l, _ := NewTokenBucket(10, 1); return l },
		"gcra":         func() Limiter { l, _ := NewGCRA(10, 1); return l },
		"x-time-rate":  func() Limiter { l, _ := NewXTimeRate(10, 1); return l },
	} {
		l := mk()
		if !l.Allow(time.Second) || l.Allow(time.Second-50*time.Millisecond) || l.Allow(time.Second) {
			t.Errorf("%s: admitted a second op within 1/rate by going back in time", name)
		}
	} // With a token to spare, x/time/rate admits the late op and moves its
	// clock back to it, so 50 ms are refilled twice (doc.go); the exact
	// bucket refills them once.
	x, _ := NewXTimeRate(10, 2)
	tb, _ := NewTokenBucket(10, 2)
	for name, l := range map[string]Limiter{"x-time-rate": x, "token-bucket": tb} {
		l.Allow(time.Second)
		l.Allow(950 * time.Millisecond)
		got := l.Allow(1050 * time.Millisecond)
		if want := name == "x-time-rate"; got != want {
			t.Errorf("%s: op at 1.05 s after a late op at 0.95 s admitted = %v, want %v", name, got, want)
		}
	}
}

func TestBadParametersRejected(t *testing.T) {
	bad := []struct {
		name string
		err  func() error
	}{
		{"rate=0", func() error { _, e := NewTokenBucket(0, 1); return e }},
		{"rate=-1", func() error { _, e := NewGCRA(-1, 1); return e }},
		{"rate=NaN", func() error { _, e := NewTokenBucket(nan(), 1); return e }},
		{"burst=0", func() error { _, e := NewTokenBucket(10, 0); return e }},
		{"burst=-3", func() error { _, e := NewXTimeRate(10, -3); return e }},
		{"queue=0", func() error { _, e := NewLeakyQueue(10, 0); return e }},
		{"limit=0", func() error { _, e := NewConcurrency(0); return e }},
		{"window=0", func() error { _, e := NewFixedWindow(10, 0); return e }},
		{"rate·window<1", func() error { _, e := NewSlidingLog(10, 10*time.Millisecond); return e }},
		{"rate=-5 window", func() error { _, e := NewSlidingCounter(-5, time.Second); return e }},
	}
	for _, b := range bad {
		if err := b.err(); err == nil {
			t.Errorf("%s accepted", b.name)
		} else if msg := err.Error(); len(msg) < 20 {
			t.Errorf("%s: unhelpful error %q", b.name, msg)
		}
	}
}

func nan() float64 { z := 0.0; return z / z }
