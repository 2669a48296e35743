package builtin

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
	"github.com/dsbench/dsbench/harness"
)

func TestFreezesDone(t *testing.T) {
	f := freezes{every: time.Second, pause: 200 * time.Millisecond}
	ms := time.Millisecond
	for _, c := range []struct{ at, d, want time.Duration }{
		{0, ms, ms},                         // unfrozen
		{850 * ms, ms, 1001 * ms},           // arrives in the freeze: served after it
		{799*ms + ms/2, ms, 1000*ms + ms/2}, // runs into the freeze: resumes after it
		{0, 2 * time.Second, 2400 * ms},     // spans two freezes
		{1999 * ms, ms, 2001 * ms},          // the last instant of a freeze
		{1200 * ms, 600 * ms, 1800 * ms},    // ends exactly at a freeze's start
	} {
		if got := f.done(c.at, c.d); got != c.want {
			t.Errorf("done(%v, %v) = %v, want %v", c.at, c.d, got, c.want)
		}
	}
	// Long work over short periods, in constant time: the loop this replaced
	// took one step per period, 1.8·10¹² here (about an hour: the test timed out).
	g := freezes{every: 2 * time.Microsecond, pause: time.Microsecond}
	if got, want := g.done(0, 1000*time.Hour), 2000*time.Hour-time.Microsecond; got != want {
		t.Errorf("1000h of work, 1µs on / 1µs off: done = %v, want %v", got, want)
	}
	// Against a step-by-step reference on many small cases.
	ref := func(f freezes, t, d time.Duration) time.Duration {
		for d > 0 {
			if t%f.every >= f.every-f.pause {
				t++
				continue
			}
			t++
			d--
		}
		return t
	}
	for every := time.Duration(2); every <= 9; every++ {
		for pause := time.Duration(1); pause < every; pause++ {
			f := freezes{every: every, pause: pause}
			for at := time.Duration(0); at < 3*every; at++ {
				for d := time.Duration(1); d < 4*every; d++ {
					if got, want := f.done(at, d), ref(f, at, d); got != want {
						t.Fatalf("every=%d pause=%d: done(%d, %d) = %d, want %d", every, pause, at, d, got, want)
					}
				}
			}
		}
	}
	if got := (freezes{every: time.Second}).done(5, 7); got != 12 {
		t.Errorf("no pause: done = %v, want 12", got)
	}
}

func newTarget(t *testing.T, name string, raw map[string]string, clock algorithms.Clock) any {
	t.Helper()
	return algotest.Build(t, name, raw, "", algotest.Options{Clock: clock, Seed: 1})
}

// TestStallRejectsPauseAtLeastEvery: pause ≥ every is bad input, found when
// the parameters are resolved — before anything runs, so the CLI exits 2 —
// and still refused by the constructors.
func TestStallRejectsPauseAtLeastEvery(t *testing.T) {
	info, _ := algorithms.Lookup("builtin/stall")
	for _, raw := range []map[string]string{
		{"pause": "2s", "every": "1s"},
		{"pause": "1s", "every": "1s"},
		{"every": "500ms"}, // the default pause is 1s
	} {
		if _, err := info.Resolve(raw); err == nil || !strings.Contains(err.Error(), "shorter than every") {
			t.Errorf("Resolve(%v) = %v; want an error naming the rule", raw, err)
		}
	}
	if _, err := info.Resolve(map[string]string{"pause": "999ms", "every": "1s"}); err != nil {
		t.Errorf("pause < every refused: %v", err)
	}
	p := algorithms.TestParams(info.Params, map[string]string{"pause": "2s", "every": "1s"})
	if _, err := info.NewWall(algorithms.Env{Params: p}); err == nil {
		t.Error("wall: pause ≥ every accepted")
	}
	if _, err := info.NewSim(algorithms.Env{Params: p}); err == nil {
		t.Error("virtual: pause ≥ every accepted")
	}
}

// countAbove counts recorded values ≥ v.
func countAbove(r *harness.Report, v time.Duration) int64 {
	var n int64
	for _, b := range r.Latency.Distribution() {
		if b.From >= int64(v) {
			n += b.Count
		}
	}
	return n
}

// TestStallCoordinatedOmission is the demonstration the harness exists for
// (Gil Tene; wrk2's README): a server that freezes for 200 ms every second.
//
// Open loop, one worker: the ops scheduled during a freeze are sent late, when
// the worker is free again, so their service time (done − sent) is short, but
// their latency (done − intended start) counts the wait: p99 latency shows the
// freezes, p99 service time does not. A closed loop on the same server hides
// them: it simply sends nothing during a freeze, so only one op per freeze
// sees it and p99 stays small. With the default pool the open loop sends on
// schedule into the frozen server, so both show it.
func TestStallCoordinatedOmission(t *testing.T) {
	if testing.Short() {
		t.Skip("9 s of wall-clock runs")
	}
	params := map[string]string{"service": "const:d=100us", "pause": "200ms", "every": "1s"}
	run := func(closed bool, workers int, r float64) *harness.Report {
		tg := newTarget(t, "builtin/stall", params, algorithms.Wall).(harness.Target)
		rep, err := harness.RunWall(context.Background(), tg, harness.Config{
			Source: rate(r), Closed: closed, Workers: workers, Duration: 3 * time.Second, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	ms := func(v int64) time.Duration { return time.Duration(v).Round(10 * time.Microsecond) }

	// 200 ops/s: the worker (≈1 ms per op: the timer rounds 100 µs up)
	// keeps up between freezes.
	open := run(false, 1, 200)
	lat, svc := open.Latency.ValueAtQuantile(99), open.Service.ValueAtQuantile(99)
	t.Logf("open loop, 1 worker: %d ops, latency p99 %v, service p99 %v", open.Ops, ms(lat), ms(svc))
	if lat < int64(100*time.Millisecond) {
		t.Errorf("open loop: latency p99 %v does not show the 200ms freezes", ms(lat))
	}
	// Bounds leave room for a loaded CI machine's scheduling delays; the
	// contrast under test is 200 ms freezes against ~1 ms service.
	if svc > int64(60*time.Millisecond) {
		t.Errorf("open loop: service p99 %v; one worker sends late, so service should stay near 100µs-1ms", ms(svc))
	}
	if n := countAbove(open, 50*time.Millisecond); n < 60 {
		t.Errorf("open loop: only %d of %d ops saw a freeze; ~20%% were scheduled in one", n, open.Ops)
	}

	closed := run(true, 1, 0)
	lat = closed.Latency.ValueAtQuantile(99)
	t.Logf("closed loop: %d ops, latency p99 %v, max %v", closed.Ops, ms(lat), ms(closed.Latency.Max()))
	if lat > int64(60*time.Millisecond) {
		t.Errorf("closed loop: p99 %v; a closed loop should hide the freezes", ms(lat))
	}
	if n := countAbove(closed, 50*time.Millisecond); n < 1 || n > 15 {
		t.Errorf("closed loop: %d ops saw a freeze; want about one per freeze (3)", n)
	}
	if closed.Latency.Max() < int64(100*time.Millisecond) {
		t.Errorf("closed loop: max %v; the op in each freeze waits up to 200ms", ms(closed.Latency.Max()))
	}

	pool := run(false, 0, 2000)
	lat, svc = pool.Latency.ValueAtQuantile(99), pool.Service.ValueAtQuantile(99)
	t.Logf("open loop, pool: %d ops, latency p99 %v, service p99 %v", pool.Ops, ms(lat), ms(svc))
	if lat < int64(100*time.Millisecond) || svc < int64(100*time.Millisecond) {
		t.Errorf("open loop with a pool: latency p99 %v and service p99 %v should both show the freezes", ms(lat), ms(svc))
	}
}

// TestStallSim: in virtual time the freezes are exact.
func TestStallSim(t *testing.T) {
	tg := newTarget(t, "builtin/stall", map[string]string{"service": "const:d=100us", "pause": "200ms", "every": "1s"},
		algorithms.Virtual).(harness.SimTarget)
	rep, err := harness.RunSim(context.Background(), tg, harness.Config{Source: rate(2000), Duration: 3 * time.Second, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// 20% of ops arrive in a freeze and wait for its end: latency uniform on
	// (0.1ms, 200.1ms] for those; p99 ≈ 195 ms; p50 = 100 µs.
	if p := rep.Latency.ValueAtQuantile(99); p < int64(190*time.Millisecond) || p > int64(201*time.Millisecond) {
		t.Errorf("p99 %v, want ≈ 195ms", time.Duration(p))
	}
	if p := rep.Latency.ValueAtQuantile(50); time.Duration(p) > 101*time.Microsecond {
		t.Errorf("p50 %v, want 100µs", time.Duration(p))
	}
	if rep.Ops != 6000 {
		t.Errorf("%d ops in 3 s at 2000/s", rep.Ops)
	}
}
