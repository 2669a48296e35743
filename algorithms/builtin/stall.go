package builtin

import (
	"math/rand/v2"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// freezes is a server's freeze schedule: it stops for pause at the end of
// every period of length every, i.e. during [(k+1)·every − pause, (k+1)·every)
// from the run's start, so a run starts unfrozen.
type freezes struct{ every, pause time.Duration }

// done is when work of length d that arrives at t completes: work does not
// progress during a freeze, so an op arriving in a freeze starts at its end,
// and one running into a freeze resumes after it.
func (f freezes) done(t, d time.Duration) time.Duration {
	if f.pause <= 0 {
		return t + d
	}
	run := f.every - f.pause // the unfrozen part of each period
	ph := t % f.every
	if ph >= run { // frozen: wait for the end of the freeze
		t += f.every - ph
		ph = 0
	}
	if left := run - ph; d > left { // runs into this period's freeze
		d -= left
		t += left + f.pause // now at the start of the next period
		// Whole unfrozen parts the rest needs before its last one, in O(1):
		// a 1 h op with every=2µs is 2·10⁹ periods.
		k := (d - 1) / run
		d -= k * run
		t += k * f.every
	}
	return t + d
}

// stallWall serves in a drawn service time and freezes on schedule.
type stallWall struct {
	draw drawer
	f    freezes
}

func (s *stallWall) Fork(_ int, r *rand.Rand) harness.Target {
	return &stallWall{draw: s.draw.fork(r), f: s.f}
}

func (s *stallWall) Do(now time.Duration, _ *workloads.Op) harness.Outcome {
	time.Sleep(s.f.done(now, s.draw.next()) - now)
	return harness.Outcome{Shard: harness.NoShard}
}

// stallSim is the same server in virtual time.
type stallSim struct {
	service workloads.DurationDist
	f       freezes
	doneFn  harness.EventFunc
}

func newStallSim(service workloads.DurationDist, f freezes) *stallSim {
	s := &stallSim{service: service, f: f}
	s.doneFn = s.done
	return s
}

func (s *stallSim) Start(w *harness.World, req *harness.Request) {
	w.At(s.f.done(w.Now(), s.service.Next(w.Rand())), s.doneFn, req, 0)
}

func (s *stallSim) done(w *harness.World, req *harness.Request, _ int64) {
	w.Complete(req, harness.Outcome{Shard: harness.NoShard})
}
