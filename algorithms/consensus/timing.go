package consensus

import (
	"fmt"
	"strings"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
)

// TimeoutRange is an election timeout range: each timeout is drawn uniform
// in [Min, Max] (Min = Max: no randomness), as the Raft paper's Fig. 16
// writes "150–300ms".
type TimeoutRange struct{ Min, Max time.Duration }

func (t TimeoutRange) String() string { return t.Min.String() + ".." + t.Max.String() }

// ParseTimeoutRange parses MIN..MAX (e.g. 150ms..300ms) or a single
// duration (no randomness).
func ParseTimeoutRange(s string) (TimeoutRange, error) {
	lo, hi, ok := strings.Cut(s, "..")
	if !ok {
		hi = lo
	}
	a, err1 := time.ParseDuration(lo)
	b, err2 := time.ParseDuration(hi)
	switch {
	case err1 != nil || err2 != nil:
		return TimeoutRange{}, fmt.Errorf("election_timeout=%q is not MIN..MAX such as 150ms..300ms", s)
	case a <= 0 || b < a:
		return TimeoutRange{}, fmt.Errorf("election_timeout=%q: want 0 < MIN ≤ MAX", s)
	}
	return TimeoutRange{a, b}, nil
}

// draw returns one timeout from the world's source.
func (t TimeoutRange) draw(w *harness.World) time.Duration {
	if t.Max == t.Min {
		return t.Min
	}
	return t.Min + time.Duration(w.Rand().Int64N(int64(t.Max-t.Min)+1))
}

// deadlineTimer is one node's election timer, kept lazily: resetting it
// only moves the deadline, and one check event per node (at most one per
// reset that moves it earlier) fires, looks, and re-arms — so a follower
// that hears a heartbeat every millisecond does not schedule an event per
// heartbeat.
type deadlineTimer struct {
	deadline time.Duration
	pending  time.Duration // time of the earliest check scheduled; -1: none
	on       bool
}

// timers is every node's election timer on one cluster; expire is called
// when a node's deadline passes while its timer is on.
type timers[P any] struct {
	nt     *simnet.Net[P]
	t      []deadlineTimer
	expire func(node int)
	fn     harness.EventFunc
}

func newTimers[P any](nt *simnet.Net[P], expire func(node int)) *timers[P] {
	ts := &timers[P]{nt: nt, t: make([]deadlineTimer, nt.Nodes()), expire: expire}
	for i := range ts.t {
		ts.t[i].pending = -1
	}
	ts.fn = ts.check
	return ts
}

// reset sets node's deadline d from now and turns its timer on.
func (ts *timers[P]) reset(node int, d time.Duration) {
	t := &ts.t[node]
	t.on = true
	t.deadline = ts.nt.World().Now() + d
	if t.pending < 0 || t.pending > t.deadline {
		t.pending = t.deadline
		ts.nt.After(node, d, ts.fn, nil, int64(node))
	}
}

// stop turns node's timer off (a leader has none).
func (ts *timers[P]) stop(node int) { ts.t[node].on = false }

// lost forgets node's scheduled checks (a crash drops its timers).
func (ts *timers[P]) lost(node int) { ts.t[node].pending, ts.t[node].on = -1, false }

func (ts *timers[P]) check(w *harness.World, _ *harness.Request, arg int64) {
	node := int(arg)
	t := &ts.t[node]
	if t.pending == w.Now() {
		t.pending = -1
	}
	if !t.on {
		return
	}
	if now := w.Now(); now < t.deadline {
		if t.pending < 0 {
			t.pending = t.deadline
			ts.nt.After(node, t.deadline-now, ts.fn, nil, arg)
		}
		return
	}
	t.on = false
	ts.expire(node)
}
