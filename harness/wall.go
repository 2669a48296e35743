package harness

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// RunWall runs target on the wall clock and returns what was measured.
//
// Closed loop (cfg.Closed): Workers workers (default 1), worker k replaying
// part k of the workload, each sending its next op when the previous one
// completes; latency = service. Open loop: the whole workload's schedule,
// served by a pool of up to Workers goroutines (0 = as many as the target
// needs, up to 10,000) that grows so that a slow op does not delay the
// schedule; see openloop.go.
//
// Warm-up runs first on the same workers and is counted but not recorded.
// The run stops at cfg.Ops (split evenly over the workers) or cfg.Duration,
// whichever comes first. A cancelled ctx ends it between ops (an op already
// inside the target is waited for) with Interrupted set and whatever was
// measured so far. The caller closes the target.
func RunWall(ctx context.Context, target Target, cfg Config) (*Report, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	n := cfg.workers()
	if !cfg.Closed {
		n = 1 // one schedule, served by a pool of up to Workers goroutines
	}
	srcs, err := cfg.sources(n)
	if err != nil {
		return nil, err
	}
	hist := startHistory(target, &cfg)
	r := newWallRun(ctx, target, &cfg, n)
	stopWatch := r.watch()
	if cfg.Closed {
		r.runClosed(srcs)
	} else {
		r.runOpen(srcs[0])
	}
	stopWatch()
	if p := r.panicked.Load(); p != nil {
		return nil, fmt.Errorf("%w: a wall-clock worker panicked: %v\n%s", ErrTargetBug, p.value, p.stack)
	}
	rep := r.report()
	finishHistory(hist, &cfg, rep)
	return rep, nil
}

// workerPanic is the first panic of a run's worker goroutines.
type workerPanic struct {
	value any
	stack []byte
}

// recoverWorker, deferred in every worker goroutine, turns a panic in the
// target (or the harness) into the run's error instead of killing the
// process with Go's exit status 2, the code for bad input: the other
// workers stop between ops and the run reports a bug (exit 3).
func (r *wallRun) recoverWorker() {
	if v := recover(); v != nil {
		r.panicked.CompareAndSwap(nil, &workerPanic{v, debug.Stack()})
		r.stop.Store(true)
	}
}

// wallRun is the state shared by one wall-clock run's workers.
type wallRun struct {
	ctx    context.Context
	target Target
	cfg    *Config
	base   int64 // nanotime at the run's start

	stop       atomic.Bool  // set on cancellation: workers end between ops
	reachedEnd atomic.Bool  // the measured phase lasted its whole Duration
	origin     atomic.Int64 // start of the measured phase + 1; 0 = not yet

	sink     *intervalSink
	recs     []*recorder
	progress []counter
	warmOps  []uint64  // per worker, read after the run
	open     *openLoop // the open loop's state, read after the run
	forks    atomic.Int64
	panicked atomic.Pointer[workerPanic]
}

func newWallRun(ctx context.Context, target Target, cfg *Config, n int) *wallRun {
	r := &wallRun{ctx: ctx, target: target, cfg: cfg, sink: newIntervalSink(cfg.Interval),
		recs: make([]*recorder, n), progress: make([]counter, n), warmOps: make([]uint64, n)}
	for k := range r.recs {
		r.recs[k] = newRecorder(cfg.Closed, cfg.Shards, max(cfg.Clients, 1), r.sink)
	}
	r.base = nanotime()
	return r
}

// now is the time since the run's start.
func (r *wallRun) now() time.Duration { return time.Duration(nanotime() - r.base) }

// fork returns the target one goroutine calls: its own fork when the target
// keeps per-worker state.
func (r *wallRun) fork() Target {
	f, ok := r.target.(Forker)
	if !ok {
		return r.target
	}
	i := int(r.forks.Add(1) - 1)
	return f.Fork(i, workerRand(r.cfg.Seed, i))
}

// setOrigin publishes the start of the measured phase; the earliest wins.
func (r *wallRun) setOrigin(t time.Duration) {
	for {
		old := r.origin.Load()
		if old != 0 && old-1 <= int64(t) {
			return
		}
		if r.origin.CompareAndSwap(old, int64(t)+1) {
			return
		}
	}
}

func (r *wallRun) originAt() (time.Duration, bool) {
	o := r.origin.Load()
	return time.Duration(o - 1), o != 0
}

// watch starts the goroutine that turns cancellation into the stop flag,
// reports progress about ten times a second and samples the target's gauges
// at each interval boundary. The returned func stops it.
func (r *wallRun) watch() func() {
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	im, _ := r.target.(IntervalMetricser)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		var sampled time.Duration // end of the last interval given its gauges, from the origin
		for {
			select {
			case <-r.ctx.Done():
				r.stop.Store(true)
				return
			case <-quit:
				return
			case <-tick.C:
			}
			if r.cfg.Progress != nil {
				r.cfg.Progress(sum(r.progress))
			}
			if o, ok := r.originAt(); ok && im != nil {
				for {
					step := r.sink.currentStep() // it may have doubled
					end := (sampled/step + 1) * step
					if r.now()-o < end {
						break
					}
					r.sink.sample(end, im.IntervalMetrics())
					sampled = end
				}
			}
		}
	}()
	return func() {
		close(quit)
		wg.Wait()
		if r.cfg.Progress != nil {
			r.cfg.Progress(sum(r.progress))
		}
	}
}

// drawBatch is how many ops a closed-loop worker draws from its source at a
// time, before reading the clock: drawing is then outside every op's timed
// section, and the batch (64 × 40 bytes) stays in the L1 cache.
const drawBatch = 64

// publishEvery is how often, at most, a worker publishes its progress count
// (an atomic store is a fenced instruction: too dear for every op).
const publishEvery = 20 * time.Millisecond

// fill draws up to len(buf) ops from src and returns how many it drew.
func fill(src workloads.Source, buf []workloads.Op) int {
	for i := range buf {
		if !src.Next(&buf[i]) {
			return i
		}
	}
	return len(buf)
}

// runClosed runs the closed loop: each worker warms up, all meet at a
// barrier, and the measured phase starts for all at once.
func (r *wallRun) runClosed(srcs []workloads.Source) {
	var warmed, finished sync.WaitGroup
	release := make(chan struct{})
	warmed.Add(len(srcs))
	finished.Add(len(srcs))
	for k := range srcs {
		go func() {
			defer finished.Done()
			warmedOnce := sync.OnceFunc(warmed.Done)
			defer warmedOnce() // a worker that panicked in its warm-up must not hold the others at the barrier
			defer r.recoverWorker()
			r.closedWorker(k, srcs[k], warmedOnce, release)
		}()
	}
	warmed.Wait()
	r.setOrigin(r.now())
	close(release)
	finished.Wait()
}

// closedWorker reads the clock once per op: an op's completion is the next
// one's send. Ops are drawn drawBatch at a time, with one extra clock read
// per batch, so the draw is in no op's latency; an interval boundary's
// bookkeeping is likewise followed by a fresh clock read.
func (r *wallRun) closedWorker(k int, src workloads.Source, warmed func(), release chan struct{}) {
	tgt := r.fork()
	rec := r.recs[k]
	buf := make([]workloads.Op, drawBatch)
	// Warm-up: the same loop, counted only.
	warm := r.cfg.warmPhase(k, len(r.recs))
	t := r.now()
	for warm.active(t) && !r.stop.Load() && src.Next(&buf[0]) {
		tgt.Do(t, &buf[0])
		t = r.now()
		warm.n++
	}
	r.warmOps[k] = warm.n
	warmed()
	<-release

	origin, _ := r.originAt()
	rec.start(origin)
	quota := share(r.cfg.Ops, k, len(r.recs))
	end := time.Duration(1<<63 - 1)
	if r.cfg.Duration > 0 {
		end = origin + r.cfg.Duration
	}
	prog := &r.progress[k].n
	var n uint64
	pub := origin + publishEvery
	for !r.stop.Load() && (quota == 0 || n < quota) {
		m := drawBatch
		if quota > 0 {
			m = int(min(uint64(m), quota-n))
		}
		m = fill(src, buf[:m])
		if m == 0 {
			break
		}
		t := r.now()
		for i := 0; i < m && t < end && !r.stop.Load(); i++ {
			op := &buf[i]
			o := tgt.Do(t, op)
			done := r.now()
			if rec.record(op, o, t, t, done) {
				done = r.now()
			}
			t = done
			n++
			if t >= pub {
				prog.Store(n)
				pub = t + publishEvery
			}
		}
		if t >= end {
			r.reachedEnd.Store(true)
			break
		}
	}
	prog.Store(n)
	rec.flushInterval()
}

// report merges the workers' recorders once they have all stopped.
func (r *wallRun) report() *Report {
	rep := merge(r.recs, r.cfg.Closed, r.cfg.Shards, max(r.cfg.Clients, 1))
	for _, w := range r.warmOps {
		rep.WarmupOps += w
	}
	var span time.Duration
	if origin, ok := r.originAt(); ok {
		var last time.Duration
		for _, rec := range r.recs {
			if rec.measured() && rec.lastDone > last {
				last = rec.lastDone
			}
		}
		if last > origin {
			span = last - origin
		}
		// The last interval gets its gauges at the end.
		if im, ok := r.target.(IntervalMetricser); ok && span > 0 {
			r.sink.sample(span, im.IntervalMetrics())
		}
	}
	rep.Duration = span
	rep.Intervals = r.sink.report(phaseSpan(span, r.cfg.Duration, r.reachedEnd.Load()))
	if l := r.open; l != nil && l.started {
		rep.Intended, rep.Dropped, rep.DroppedEstimated = l.n, l.dropped, l.estimated
		rep.IntendedSpan, rep.SentSpan = l.lastIntended-l.origin, max(l.lastSent-l.origin, 0)
	}
	rep.Interrupted = r.ctx.Err() != nil
	if m, ok := r.target.(Metricser); ok {
		rep.Metrics = m.Metrics()
	}
	return rep
}
