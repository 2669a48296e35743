package harness

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// burnTarget keeps the CPU busy for d per op, on the clock.
type burnTarget struct{ d time.Duration }

func (t burnTarget) Do(time.Duration, *workloads.Op) Outcome {
	end := nanotime() + int64(t.d)
	for nanotime() < end {
	}
	return Outcome{Shard: NoShard}
}

// TestWallOpenStarvedGeneratorSaysSo starves the generator on purpose: one
// worker, 20 µs per op, asked for 1M ops/s. The run must stop at its
// duration on the wall clock (sending everything late would take 6 s), count
// what it did not send, and explain that it fell behind.
func TestWallOpenStarvedGeneratorSaysSo(t *testing.T) {
	start := time.Now()
	rep, err := RunWall(context.Background(), burnTarget{20 * time.Microsecond}, Config{
		Source: seqRate(1e6), Workers: 1, Duration: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	wall := time.Since(start)
	why := rep.FellBehind()
	t.Logf("wall %v; sent %d, dropped %d, requested %.0f/s, achieved %.0f/s: %q",
		wall, rep.Ops, rep.Dropped, rep.RequestedRate(), rep.AchievedRate(), why)
	if wall > 3*time.Second { // 300 ms plus a loaded machine's slack; 6 s if it sent everything
		t.Errorf("a 300ms run took %v: --duration must bound wall time", wall)
	}
	if rep.Dropped == 0 || rep.Intended != rep.Ops+rep.Dropped {
		t.Errorf("sent %d, dropped %d, intended %d: the unsent ops must be counted", rep.Ops, rep.Dropped, rep.Intended)
	}
	if rep.Intended < 250000 || rep.Intended > 300000 {
		t.Errorf("the schedule asked for %d ops in 300ms at 1M/s", rep.Intended)
	}
	if !strings.Contains(why, "requested") || !strings.Contains(why, "not sent") {
		t.Errorf("FellBehind() = %q, want the achieved and requested rates and the unsent ops", why)
	}
	if p := rep.SendLag.ValueAtQuantile(99); p < int64(10*time.Millisecond) {
		t.Errorf("send lag p99 %v; a generator this far behind sends late", time.Duration(p))
	}
}

// TestFellBehindRule checks the verdict on its own: the achieved rate under
// 0.95× the requested one, or a send lag p99 over 1 ms; never a closed loop.
func TestFellBehindRule(t *testing.T) {
	lag := func(v time.Duration) *Report {
		r := &Report{Loop: "open", SendLag: NewHistogram(), Ops: 1001, Intended: 1001,
			IntendedSpan: time.Second, SentSpan: time.Second}
		_ = r.SendLag.RecordValue(int64(v))
		return r
	}
	slow := lag(time.Microsecond)
	slow.SentSpan = 1100 * time.Millisecond // 1000/1.1 = 909/s of 1000/s
	short := lag(time.Microsecond)
	short.Ops, short.Dropped = 901, 100
	closed := lag(time.Second)
	closed.Loop, closed.SendLag = "closed", nil
	for name, c := range map[string]struct {
		r    *Report
		want string
	}{
		"on time":        {lag(time.Microsecond), ""},
		"late sends":     {lag(5 * time.Millisecond), "send lag p99 5.001ms (over 1ms)"}, // HDR's 3 digits
		"slow":           {slow, "achieved 909 ops/s of 1k requested (0.91×)"},
		"dropped":        {short, "achieved 900 ops/s of 1k requested (0.90×), 100 not sent"},
		"closed is fine": {closed, ""},
	} {
		if got := c.r.FellBehind(); got != c.want {
			t.Errorf("%s: FellBehind() = %q, want %q", name, got, c.want)
		}
	}
}
