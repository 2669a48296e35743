package harness

import (
	"context"
	"runtime"
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
	rep := r.report()
	finishHistory(hist, &cfg, rep)
	return rep, nil
}

// wallRun is the state shared by one wall-clock run's workers.
type wallRun struct {
	ctx    context.Context
	target Target
	cfg    *Config
	base   int64 // nanotime at the run's start

	stop   atomic.Bool  // set on cancellation: workers end between ops
	origin atomic.Int64 // start of the measured phase + 1; 0 = not yet

	sink     *intervalSink
	recs     []*recorder
	progress []counter
	warmOps  []uint64 // per worker, read after the run
	forks    atomic.Int64
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
		next := 0 // the next interval whose end is awaited
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
				for r.now() >= o+time.Duration(next+1)*r.sink.step {
					r.sink.sample(next, im.IntervalMetrics())
					next++
				}
			}
		}
	}()
	return func() {
		close(quit)
		wg.Wait()
		if im != nil {
			// The last, partial interval gets its gauges at the end.
			if o, ok := r.originAt(); ok {
				idx := int((r.now() - o) / r.sink.step)
				for i := 0; i <= idx; i++ {
					if !r.sink.isSampled(i) {
						r.sink.sample(i, im.IntervalMetrics())
						break
					}
				}
			}
		}
		if r.cfg.Progress != nil {
			r.cfg.Progress(sum(r.progress))
		}
	}
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
			r.closedWorker(k, srcs[k], &warmed, release)
		}()
	}
	warmed.Wait()
	r.setOrigin(r.now())
	close(release)
	finished.Wait()
}

func (r *wallRun) closedWorker(k int, src workloads.Source, warmed *sync.WaitGroup, release chan struct{}) {
	tgt := r.fork()
	rec := r.recs[k]
	var op workloads.Op
	// Warm-up: the same loop, counted only.
	warm := r.cfg.warmPhase(k, len(r.recs))
	t := r.now()
	for warm.active(t) && !r.stop.Load() && src.Next(&op) {
		tgt.Do(t, &op)
		t = r.now()
		warm.n++
	}
	r.warmOps[k] = warm.n
	warmed.Done()
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
	t = r.now()
	for (quota == 0 || n < quota) && t < end && !r.stop.Load() && src.Next(&op) {
		o := tgt.Do(t, &op)
		done := r.now() // one clock read per op: this op's end is the next one's send
		rec.record(&op, o, t, t, done)
		t = done
		n++
		prog.Store(n)
	}
	rec.flushInterval()
}

// report merges the workers' recorders once they have all stopped.
func (r *wallRun) report() *Report {
	rep := merge(r.recs, r.cfg.Closed, r.cfg.Shards, max(r.cfg.Clients, 1))
	for _, w := range r.warmOps {
		rep.WarmupOps += w
	}
	if origin, ok := r.originAt(); ok {
		var last time.Duration
		for _, rec := range r.recs {
			if rec.measured && rec.lastDone > last {
				last = rec.lastDone
			}
		}
		if last > origin {
			rep.Duration = last - origin
		}
	}
	rep.Intervals = r.sink.report()
	rep.Interrupted = r.ctx.Err() != nil
	if m, ok := r.target.(Metricser); ok {
		rep.Metrics = m.Metrics()
	}
	return rep
}

// waitUntil waits until the run's clock reaches t: it sleeps while t is far
// (a Go timer on Linux can wake ~1 ms late) and yields in a loop for the last
// spinWindow. It returns false if the run was cancelled meanwhile.
func (r *wallRun) waitUntil(t time.Duration, tm *time.Timer) bool {
	for {
		rem := t - r.now()
		if rem <= 0 {
			return true
		}
		if r.stop.Load() {
			return false
		}
		if rem > sleepThreshold {
			tm.Reset(rem - spinWindow)
			select {
			case <-tm.C:
			case <-r.ctx.Done():
				r.stop.Store(true)
				return false
			}
			continue
		}
		runtime.Gosched()
	}
}
