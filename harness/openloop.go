package harness

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// maxPool bounds the goroutines of one open-loop stream: 10,000 ops in
// flight at once. Past it the schedule can slip; late ops are still timed
// from their intended start, so the slip shows up as latency.
const maxPool = 10000

// The open loop: Workers streams (default 1), stream k replaying part k of
// the workload at its intended times. Each stream is served by a pool of
// goroutines in the leader/follower pattern (Schmidt et al., POSA2): the
// goroutine that holds the stream's lock is the leader; it takes the next op,
// waits until the op's intended start, unlocks — handing leadership to an
// idle goroutine — and only then sends the op itself. If no goroutine is
// idle, the leader starts one first. So a slow op never delays the schedule:
// there is always a leader waiting for the next intended start, and the pool
// grows to the concurrency the target needs (no more: a goroutine that has
// finished its op rejoins the pool). Sending needs no channel hand-off, so
// the op is sent by a goroutine that is already running at its intended
// start.
//
// The completed op is recorded when its goroutine next takes the lock, so
// recording needs no lock of its own and each stream has one recorder.
// Latency = done − intended start, never − actual send.
//
// Several streams raise the throughput ceiling (one stream hands leadership
// over once per op, roughly 1M ops/s) and the schedule's parallelism.

func (r *wallRun) runOpen(srcs []workloads.Source) {
	var wg sync.WaitGroup
	for k, src := range srcs {
		s := &stream{r: r, k: k, src: src, rec: r.recs[k], wg: &wg,
			timer: time.NewTimer(time.Hour), size: 1,
			warm: r.cfg.warmPhase(k, len(srcs)), quota: share(r.cfg.Ops, k, len(srcs))}
		s.timer.Stop()
		s.warming = s.warm.active(0) || s.warm.ops > 0
		wg.Add(1)
		go s.loop()
	}
	wg.Wait()
	for k := range srcs {
		r.recs[k].flushInterval()
	}
}

// stream is one open-loop sub-stream and its goroutine pool.
type stream struct {
	r   *wallRun
	k   int
	src workloads.Source
	rec *recorder
	wg  *sync.WaitGroup

	waiting atomic.Int32 // goroutines blocked on mu: the idle part of the pool

	mu       sync.Mutex // the leader's token; guards everything below
	timer    *time.Timer
	size     int
	finished bool
	warm     warmPhase
	warming  bool
	quota, n uint64        // measured ops allowed (0 = no limit) and taken
	end      time.Duration // no measured op starts at or after end
	hasEnd   bool
}

func (s *stream) loop() {
	defer s.wg.Done()
	tgt := s.r.fork()
	var (
		op         workloads.Op
		o          Outcome
		have, warm bool
		sent, done time.Duration
	)
	for {
		s.waiting.Add(1)
		s.mu.Lock()
		s.waiting.Add(-1)
		if have && !warm {
			s.rec.record(&op, o, op.At, sent, done)
			p := &s.r.progress[s.k].n
			p.Store(p.Load() + 1)
		}
		have = false
		if s.finished || s.r.stop.Load() || !s.take(&op, &warm) || !s.r.waitUntil(op.At, s.timer) {
			s.finished = true
			s.mu.Unlock()
			return
		}
		sent = s.r.now()
		if s.waiting.Load() == 0 && s.size < maxPool {
			s.size++
			s.wg.Add(1)
			go s.loop()
		}
		s.mu.Unlock()
		o = tgt.Do(sent, &op)
		done = s.r.now()
		have = true
	}
}

// take pulls the next op and classifies it as warm-up or measured; it reports
// false when the stream is over. The caller holds mu.
func (s *stream) take(op *workloads.Op, warm *bool) bool {
	if s.quota > 0 && s.n >= s.quota && !s.warming {
		return false
	}
	if !s.src.Next(op) {
		return false
	}
	if s.warming {
		if s.warm.active(op.At) {
			s.warm.n++
			s.r.warmOps[s.k] = s.warm.n
			*warm = true
			return true
		}
		s.warming = false
	}
	if !s.hasEnd && s.n == 0 {
		s.begin(op.At)
	}
	if s.hasEnd && op.At >= s.end {
		return false
	}
	if s.quota > 0 && s.n >= s.quota {
		return false
	}
	s.n++
	*warm = false
	return true
}

// begin starts the measured phase at the first measured op: at the warm-up's
// end time if that is what ended it, else at the op's intended start.
func (s *stream) begin(at time.Duration) {
	origin := at
	if s.warm.until > 0 && at >= s.warm.until {
		origin = s.warm.until
	}
	s.rec.start(origin)
	s.r.setOrigin(origin)
	s.hasEnd = true
	s.end = time.Duration(1<<63 - 1)
	if s.r.cfg.Duration > 0 {
		s.end = origin + s.r.cfg.Duration
	}
}
