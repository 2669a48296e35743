package harness

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// RunSim runs target in virtual time on one World seeded from cfg.Seed. It is
// deterministic: the same cfg (seed and sources included) gives the same
// Report, histograms included.
//
// Open loop: Workers parts (default 1) of the workload; each op is released
// at its intended time. Each part keeps exactly one future arrival in the
// event heap (its next op is pulled when the previous arrives), so a long run
// holds as many events as it has parts and ops in flight, not its length.
// Closed loop: Workers clients, each sending its next op Think after the
// previous one completes. Requests come from a free list: no allocation per op
// once the run reaches its peak concurrency.
//
// Warm-up is the first WarmupOps ops sent or the ops sent before virtual time
// Warmup, whichever ends first. The run stops sending at Ops or at virtual
// Duration after the measured phase starts, and ends when the ops in flight
// have completed. Report.Duration is virtual.
func RunSim(ctx context.Context, target SimTarget, cfg Config) (*Report, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	n := cfg.workers()
	srcs, err := cfg.sources(n)
	if err != nil {
		return nil, err
	}
	s := &sim{cfg: &cfg, target: target, srcs: srcs, sink: newIntervalSink(cfg.Interval)}
	s.rec = newRecorder(cfg.Closed, cfg.Shards, max(cfg.Clients, 1), s.sink)
	s.w = NewWorld(cfg.Seed, s.complete)
	s.warm = warmPhase{ops: cfg.WarmupOps, until: cfg.Warmup}
	s.warming = s.warm.active(0)
	s.im, _ = target.(IntervalMetricser)
	if re, ok := target.(RunEnder); ok && re.EndsRun() {
		s.selfEnding = true
	}
	s.arriveFn, s.issueFn, s.sampleFn = s.arrive, s.issue, s.sample

	hist := startHistory(target, &cfg)
	stopProgress := s.progressLoop()
	if su, ok := target.(SimSetup); ok {
		su.Setup(s.w)
	}
	s.active = n
	for k := range srcs {
		if cfg.Closed {
			s.w.At(0, s.issueFn, nil, int64(k))
		} else {
			s.schedule(k)
		}
	}
	s.loop(ctx)
	s.rec.flushInterval()
	stopProgress()
	if s.lost > 0 {
		return nil, fmt.Errorf("%w: %d ops were still in flight after %v of virtual time with none completing and none sent (the target lost them)", ErrTargetBug, s.lost, lostAfter)
	}
	if s.stalled {
		return nil, fmt.Errorf("virtual time stopped at %v after %d events at that instant: the target completes ops in zero virtual time and the loop is closed, so a --duration never ends; give --ops, an arrival rate (e.g. --rate 10000), or a target with a service time", s.w.Now(), stalledSteps)
	}

	rep := merge([]*recorder{s.rec}, cfg.Closed, cfg.Shards, max(cfg.Clients, 1))
	rep.WarmupOps = s.warm.n
	if s.started && s.rec.measured() && s.rec.lastDone > s.origin {
		rep.Duration = s.rec.lastDone - s.origin
	}
	if s.started && s.im != nil && rep.Duration > 0 {
		s.sink.sample(rep.Duration, s.im.IntervalMetrics())
	}
	rep.Intervals = s.sink.report(phaseSpan(rep.Duration, cfg.Duration, s.reachedEnd))
	if !cfg.Closed { // virtual time sends every op on schedule: nothing is dropped
		rep.Intended = rep.Ops
		rep.IntendedSpan, rep.SentSpan = s.lastAt-s.origin, s.lastAt-s.origin
	}
	rep.Interrupted = s.interrupted
	rep.Events = s.w.Events()
	if m, ok := target.(Metricser); ok {
		rep.Metrics = m.Metrics()
	}
	finishHistory(hist, &cfg, rep)
	return rep, nil
}

// sim is one virtual-time run.
type sim struct {
	cfg    *Config
	target SimTarget
	srcs   []workloads.Source
	w      *World
	rec    *recorder
	sink   *intervalSink
	im     IntervalMetricser

	arriveFn, issueFn, sampleFn EventFunc // method values made once

	free     *Request
	inflight int
	active   int // parts or clients still sending

	warm    warmPhase
	warming bool
	started bool // the measured phase has begun
	origin  time.Duration
	end     time.Duration
	hasEnd  bool
	sent    uint64 // measured ops sent
	over    bool   // no more measured ops are sent
	// reachedEnd: the measured phase lasted its whole Duration
	reachedEnd bool
	// selfEnding: the target ends the run itself (RunEnder); Ops and
	// Duration do not bound it.
	selfEnding bool

	lastAt      time.Duration // intended start of the last measured op sent
	done        atomic.Uint64 // measured ops completed, for Progress
	interrupted bool

	// lastNow and still detect a run whose virtual time stopped moving (a
	// closed loop against a target that takes no virtual time, stopped only
	// by Duration): it would otherwise spin forever.
	lastNow time.Duration
	still   int
	stalled bool

	// moved is when an op was last sent or completed; lost counts the ops
	// in flight when none had moved for lostAfter (a target that drops a
	// completion would otherwise keep virtual time running forever on its
	// own timers or the interval sampler).
	moved time.Duration
	lost  int
}

// lostAfter is how long, in virtual time, ops may stay in flight with none
// completing and none sent before the run ends as a target bug: far beyond
// any op's latency in the registered models.
const lostAfter = 24 * time.Hour

// stalledSteps is how many events may run at one virtual instant before the
// run is declared stalled: far more than any real burst of simultaneous
// events, about a second of CPU. It applies only while time alone bounds the
// phase (see timeBound): a run bounded by an op count ends however many of
// its events share an instant. A variable so tests can lower it.
var stalledSteps = 1 << 23

// timeBound reports whether only virtual time can end the current phase:
// a warm-up with no op count, or a measured phase with no op count. Only
// then can a run whose clock stopped go on forever.
func (s *sim) timeBound() bool {
	if s.warming {
		return s.warm.ops == 0
	}
	return s.cfg.Ops == 0
}

// loop steps the world until every op has completed, checking ctx every few
// thousand events.
func (s *sim) loop(ctx context.Context) {
	for i := 0; ; i++ {
		if s.active == 0 && s.inflight == 0 {
			return // the target's own periodic events do not keep the run alive
		}
		if i&4095 == 0 {
			if ctx.Err() != nil {
				s.interrupted = true
				return
			}
			if s.inflight > 0 && s.w.Now()-s.moved > lostAfter {
				s.lost = s.inflight
				return
			}
			if now := s.w.Now(); now != s.lastNow || !s.timeBound() {
				s.lastNow, s.still = now, 0
			} else if s.still += 4096; s.still >= stalledSteps {
				s.stalled = true
				return
			}
		}
		if !s.w.Step() {
			return
		}
	}
}

func (s *sim) newRequest() *Request {
	req := s.free
	if req == nil {
		return &Request{}
	}
	s.free = req.next
	*req = Request{}
	return req
}

// schedule pulls part k's next op and schedules its arrival.
func (s *sim) schedule(k int) {
	req := s.newRequest()
	if !s.srcs[k].Next(&req.Op) {
		s.release(req)
		s.active--
		return
	}
	req.client = int32(k)
	s.w.At(req.Op.At, s.arriveFn, req, int64(k))
}

// arrive releases an open-loop op at its intended time.
func (s *sim) arrive(w *World, req *Request, k int64) {
	if !s.admit(req, req.Op.At) {
		s.release(req)
		s.active--
		return
	}
	s.schedule(int(k))
	s.send(req)
}

// issue sends closed-loop client k's next op now.
func (s *sim) issue(w *World, _ *Request, k int64) {
	req := s.newRequest()
	if !s.srcs[k].Next(&req.Op) || !s.admit(req, w.now) {
		s.release(req)
		s.active--
		return
	}
	req.Op.At = w.now // a closed loop has no schedule: intended = sent
	req.client = int32(k)
	s.send(req)
}

func (s *sim) send(req *Request) {
	req.Sent = s.w.now
	s.inflight++
	s.moved = s.w.now
	s.target.Start(s.w, req)
}

// admit classifies an op about to be sent at t as warm-up or measured and
// reports false once the measured phase is over.
func (s *sim) admit(req *Request, t time.Duration) bool {
	if s.warming {
		if s.warm.active(t) {
			s.warm.n++
			req.warm = true
			return true
		}
		s.warming = false
	}
	if s.over || s.w.ended {
		s.over = true
		return false
	}
	if !s.started {
		s.begin(t)
	}
	if !s.selfEnding && ((s.hasEnd && t >= s.end) || (s.cfg.Ops > 0 && s.sent >= s.cfg.Ops)) {
		s.over = true
		s.reachedEnd = s.hasEnd && t >= s.end
		return false
	}
	s.sent++
	s.lastAt = req.Op.At
	return true
}

func (s *sim) begin(t time.Duration) {
	s.started = true
	s.origin = t
	if s.warm.until > 0 && t >= s.warm.until && !s.cfg.Closed {
		s.origin = s.warm.until
	}
	s.rec.start(s.origin)
	if s.cfg.Duration > 0 {
		s.hasEnd, s.end = true, s.origin+s.cfg.Duration
	}
	if s.im != nil {
		s.w.At(s.origin+s.sink.currentStep(), s.sampleFn, nil, 0)
	}
}

// complete is the World's completion callback.
func (s *sim) complete(req *Request, o Outcome) {
	s.inflight--
	s.moved = s.w.now
	now := s.w.now
	if !req.warm {
		s.rec.record(&req.Op, o, req.Op.At, req.Sent, now)
		s.done.Add(1)
	}
	k := req.client
	s.release(req)
	if s.cfg.Closed && s.active > 0 {
		var think time.Duration
		if s.cfg.Think != nil {
			think = s.cfg.Think.Next(s.w.rng)
		}
		// Always through the heap, never a direct call: a target that
		// completes inside Start would otherwise recurse once per op.
		s.w.After(think, s.issueFn, nil, int64(k))
	}
}

func (s *sim) release(req *Request) {
	req.next = s.free
	s.free = req
}

// sample records the target's gauges at the end of each interval. The step
// may double as the run grows, so a run whose ops are a day apart samples a
// bounded number of times, not once per simulated second.
func (s *sim) sample(w *World, _ *Request, _ int64) {
	end := w.now - s.origin
	s.sink.sample(end, s.im.IntervalMetrics())
	if s.active > 0 || s.inflight > 0 {
		step := s.sink.currentStep()
		w.At(s.origin+(end/step+1)*step, s.sampleFn, nil, 0)
	}
}

// progressLoop reports progress about ten times a second from its own
// goroutine, reading only an atomic counter.
func (s *sim) progressLoop() func() {
	if s.cfg.Progress == nil {
		return func() {}
	}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				s.cfg.Progress(s.done.Load())
			}
		}
	}()
	return func() {
		close(quit)
		wg.Wait()
		s.cfg.Progress(s.done.Load())
	}
}
