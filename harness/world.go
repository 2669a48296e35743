package harness

import (
	"math/rand/v2"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// Request is one op in flight in virtual time. The World owns and recycles
// requests; a target must not keep one after completing it.
type Request struct {
	Op   workloads.Op
	Sent time.Duration // virtual time the client sent it (>= Op.At)
	// Tag is free for the target's use while the request is in flight
	// (a backend index, a retry count).
	Tag int64

	done   bool
	warm   bool     // a warm-up op: counted, not recorded
	client int32    // the closed-loop client or open-loop part that sent it
	next   *Request // free list
}

// EventFunc is the body of a scheduled event. Top-level functions and method
// values made once at setup keep scheduling allocation-free.
type EventFunc func(w *World, req *Request, arg int64)

// World is the deterministic discrete-event engine: one event heap, one
// virtual clock, one seeded random source. It is single-threaded by design:
// the same seed gives the same run, byte for byte.
type World struct {
	now  time.Duration
	seq  uint64
	heap []event
	rng  *rand.Rand
	ran  uint64 // events run
	// ended: the target ended the run (EndRun); no further op is sent.
	ended bool

	onComplete func(req *Request, o Outcome)
}

type event struct {
	at  time.Duration
	seq uint64 // ties break by scheduling order, so runs are deterministic
	fn  EventFunc
	req *Request
	arg int64
}

// NewWorld returns an empty world at virtual time 0 whose random source is
// seeded from seed. onComplete receives every completed request.
func NewWorld(seed uint64, onComplete func(req *Request, o Outcome)) *World {
	return &World{rng: rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15)), onComplete: onComplete}
}

// Now is the current virtual time.
func (w *World) Now() time.Duration { return w.now }

// Rand is the world's seeded random source; targets draw all randomness here.
func (w *World) Rand() *rand.Rand { return w.rng }

// At schedules fn(w, req, arg) at virtual time t (clamped to now if earlier).
func (w *World) At(t time.Duration, fn EventFunc, req *Request, arg int64) {
	if t < w.now {
		t = w.now
	}
	w.seq++
	w.heap = append(w.heap, event{at: t, seq: w.seq, fn: fn, req: req, arg: arg})
	w.up(len(w.heap) - 1)
}

// After schedules fn after a delay d from now.
func (w *World) After(d time.Duration, fn EventFunc, req *Request, arg int64) {
	w.At(w.now+d, fn, req, arg)
}

// Complete reports that req is done with outcome o, at the current virtual time.
func (w *World) Complete(req *Request, o Outcome) {
	if req.done {
		panic("harness: request completed twice")
	}
	req.done = true
	if w.onComplete != nil {
		w.onComplete(req, o)
	}
}

// EndRun tells the runner that the target has measured what it came for
// (e.g. N elections): no further op is sent, and the run ends when the ops
// in flight complete. Only targets that implement RunEnder should call it.
func (w *World) EndRun() { w.ended = true }

// Ended reports whether EndRun was called.
func (w *World) Ended() bool { return w.ended }

// Events reports how many events have run.
func (w *World) Events() uint64 { return w.ran }

// Pending reports how many events are scheduled.
func (w *World) Pending() int { return len(w.heap) }

// Step runs the earliest event; it reports false when none is left.
func (w *World) Step() bool {
	if len(w.heap) == 0 {
		return false
	}
	ev := w.heap[0]
	last := len(w.heap) - 1
	w.heap[0] = w.heap[last]
	w.heap[last] = event{}
	w.heap = w.heap[:last]
	if last > 0 {
		w.down(0)
	}
	w.now = ev.at
	w.ran++
	ev.fn(w, ev.req, ev.arg)
	return true
}

// RunUntil runs events until none is left or the next is later than t.
func (w *World) RunUntil(t time.Duration) {
	for len(w.heap) > 0 && w.heap[0].at <= t {
		w.Step()
	}
}

func less(a, b *event) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

// The heap is 4-ary: half the depth of a binary heap, and a node's four
// children share a cache line or two, so a pop touches fewer lines. Ties
// still break by seq, so the order is total and the run deterministic.
const arity = 4

func (w *World) up(i int) {
	h := w.heap
	ev := h[i]
	for i > 0 {
		p := (i - 1) / arity
		if !less(&ev, &h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = ev
}

func (w *World) down(i int) {
	h := w.heap
	n := len(h)
	ev := h[i]
	for {
		c := arity*i + 1
		if c >= n {
			break
		}
		m := c
		end := c + arity
		if end > n {
			end = n
		}
		for j := c + 1; j < end; j++ {
			if less(&h[j], &h[m]) {
				m = j
			}
		}
		if !less(&h[m], &ev) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = ev
}
