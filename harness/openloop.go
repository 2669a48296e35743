package harness

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// maxPool bounds the open loop's goroutines when Config.Workers is 0: up to
// 10,000 ops in flight at once.
const maxPool = 10000

// The open loop replays one op stream (the Whole part of the workload) at
// its intended times, served by a pool of goroutines in the leader/follower
// pattern (Schmidt et al., POSA2). The goroutine holding the stream's lock is
// the leader: it takes the next op, waits until the op's intended start,
// unlocks — handing leadership to an idle goroutine — and only then sends the
// op itself. If every goroutine of the pool would then be inside the target,
// the leader starts one more first. So there is always a goroutine on its way
// to lead the next intended start, a slow op never delays the schedule, and
// the pool grows to the concurrency the target needs and no further (a
// goroutine that has finished its op rejoins the pool). Only goroutines inside
// the target count as busy: one that has returned from the target but not
// yet reached the lock (runnable, waiting for a CPU) is about to lead, and
// counting it as busy grew the pool to thousands of idle goroutines for a
// target that answers at once, whose scheduling then delayed the schedule. The op is sent by a goroutine already running at its intended
// start: no channel hand-off between the schedule and the send.
//
// Config.Workers caps the pool (0 = maxPool). At the cap the schedule slips:
// the next op is sent when a goroutine frees up, late, and its latency is
// still measured from its intended start — so with Workers = 1 a stalled
// target shows in latency but not in service time, wrk2's demonstration.
//
// A completed op is recorded when its goroutine next takes the lock, so
// recording needs no lock of its own and the stream has one recorder. Handing
// leadership over once per op costs about a microsecond, which bounds one
// stream at roughly 1M ops/s; a faster target is better measured closed-loop.

func (r *wallRun) runOpen(src workloads.Source) {
	var wg sync.WaitGroup
	s := &stream{r: r, src: src, rec: r.recs[0], wg: &wg,
		timer: time.NewTimer(time.Hour), size: 1, limit: maxPool,
		warm: r.cfg.warmPhase(0, 1), quota: r.cfg.Ops}
	if r.cfg.Workers > 0 {
		s.limit = r.cfg.Workers
	}
	s.timer.Stop()
	s.warming = s.warm.active(0)
	wg.Add(1)
	go s.loop()
	wg.Wait()
	s.rec.flushInterval()
}

// stream is one open-loop sub-stream and its goroutine pool.
type stream struct {
	r   *wallRun
	src workloads.Source
	rec *recorder
	wg  *sync.WaitGroup

	busy atomic.Int32 // goroutines inside the target's Do

	mu       sync.Mutex // the leader's token; guards everything below
	timer    *time.Timer
	size     int // goroutines in the pool
	limit    int // at most this many
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
		s.mu.Lock()
		if have && !warm {
			s.rec.record(&op, o, op.At, sent, done)
			p := &s.r.progress[0].n
			p.Store(p.Load() + 1)
		}
		have = false
		if s.finished || s.r.stop.Load() || !s.take(&op, &warm) || !s.r.waitUntil(op.At, s.timer) {
			s.finished = true
			s.mu.Unlock()
			return
		}
		if s.busy.Add(1) >= int32(s.size) && s.size < s.limit { // no one left to lead
			s.size++
			s.wg.Add(1)
			go s.loop()
		}
		s.mu.Unlock()
		sent = s.r.now()
		o = tgt.Do(sent, &op)
		done = s.r.now()
		s.busy.Add(-1)
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
			s.r.warmOps[0] = s.warm.n
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
