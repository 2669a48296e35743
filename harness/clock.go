package harness

import (
	"runtime"
	"time"
	_ "unsafe" // for go:linkname
)

// nanotime is the runtime's monotonic clock: one vDSO read, without the wall
// clock that time.Now also fetches. The harness reads it once per op.
//
//go:linkname nanotime runtime.nanotime
func nanotime() int64

// The open loop waits for an op's intended start in three stages, so that a
// slow schedule costs little CPU and a fast one stays precise:
//
//   - further than timerWait: a Go timer, which can be cancelled but wakes
//     up to ~1 ms late (the runtime's poller sleeps in whole milliseconds);
//   - further than spinWindow: nap (nanosleep with the thread's timer slack
//     at 1 ns on Linux, measured 40–130 µs late on a 2-core VM; elsewhere
//     the Go timer's millisecond);
//   - the last spinWindow: spin on the clock, yielding while more than
//     yieldAbove remains so other goroutines keep their CPU.
//
// So a rate below about 1/spinWindow (20,000/s) sleeps most of each gap
// instead of spinning a core, while ops are still sent within a few hundred
// nanoseconds of their time when the machine has a CPU to give.
const (
	timerWait  = 2 * time.Millisecond
	timerEarly = 1500 * time.Microsecond // a timer is set this far before the goal
	spinWindow = 50 * time.Microsecond
	yieldAbove = 2 * time.Microsecond
)

// sleepUntil blocks until about t on the run's clock (early or late by a nap's
// precision; the caller spins the rest if it needs more). It returns false
// if the run was stopped meanwhile.
func (r *wallRun) sleepUntil(t time.Duration, tm *time.Timer) bool {
	for {
		if r.stop.Load() {
			return false
		}
		rem := t - r.now()
		switch {
		case rem <= 0:
			return true
		case rem > timerWait:
			tm.Reset(rem - timerEarly)
			select {
			case <-tm.C:
			case <-r.ctx.Done():
				r.stop.Store(true)
				return false
			}
		default:
			nap(rem)
			return true
		}
	}
}

// spinUntil waits on the clock until t and returns the reading at or after
// it: the op's send time.
func (r *wallRun) spinUntil(t time.Duration) time.Duration {
	for {
		now := r.now()
		if now >= t {
			return now
		}
		if t-now > yieldAbove {
			runtime.Gosched()
		}
	}
}
