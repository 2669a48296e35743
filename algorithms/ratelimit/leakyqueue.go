package ratelimit

import (
	"math"
	"time"
	"unsafe"
)

// LeakyQueue is the leaky bucket as a queue: admitted ops wait and leave one
// every T = 1/rate, so the output never exceeds one op per T; an op that
// finds queue ops already waiting is dropped. An op arriving at an idle
// queue leaves at once (it does not wait), so queue+1 ops are admitted at an
// instant: the queue admits exactly what a token bucket of burst queue+1
// admits, and delays them instead of passing them in a burst.
//
// The state is the exact departure time of the last admitted op; the ops
// waiting at now are the departures in (now, last], spaced T apart, so
// there are ceil((last−now)/T) of them. A queue kept as a counter that is
// decremented only when called (the well-known bug) never drains when
// calls come faster than 1/rate; this one drains by construction.
type LeakyQueue struct {
	last xtime // departure of the last admitted op
	t    xtime // 1/rate
	qT   xtime // (queue−1) · T: the most last−now may be for one more to fit
	den  int64
}

// NewLeakyQueue returns a queue draining at rate ops/s that holds up to queue
// waiting ops.
func NewLeakyQueue(rate float64, queue int) (*LeakyQueue, error) {
	rm, err := rateMilli(rate)
	if err != nil {
		return nil, err
	}
	if err := checkCount("queue", queue); err != nil {
		return nil, err
	}
	return newLeakyQueue(rm, int64(queue)), nil
}

func newLeakyQueue(rm, queue int64) *LeakyQueue {
	q := &LeakyQueue{t: interval(rm, 1), qT: interval(rm, queue-1), den: rm}
	q.Reset(0)
	return q
}

// Admit reports whether an op arriving at now is queued and, if so, when it
// leaves the queue (rounded up to a whole nanosecond).
func (q *LeakyQueue) Admit(now time.Duration) (depart time.Duration, ok bool) {
	n := int64(now)
	if q.last.ns >= n && q.qT.less(xtime{q.last.ns - n, q.last.frac}) {
		return 0, false
	}
	d := q.last.add(q.t, q.den)
	if d.less(xtime{ns: n}) {
		d = xtime{ns: n}
	}
	q.last = d
	return d.ceil(), true
}

// Allow is Admit without the departure time.
func (q *LeakyQueue) Allow(now time.Duration) bool {
	_, ok := q.Admit(now)
	return ok
}

// Reset empties the queue.
func (q *LeakyQueue) Reset(now time.Duration) { q.last = xtime{ns: math.MinInt64 / 4} }

// StateBytes is the size of the queue's state.
func (q *LeakyQueue) StateBytes() int { return int(unsafe.Sizeof(*q)) }
