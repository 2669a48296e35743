package loadbalance

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// ErrBackendDied is the error of a request that was being served by a
// backend when it died.
var ErrBackendDied = errors.New("loadbalance: backend died while serving the request")

// SimConfig describes the simulated backends behind a balancer.
type SimConfig struct {
	Service     workloads.DurationDist // service time of a normal backend
	Concurrency int                    // requests served at once per backend; the rest wait in FIFO order
	Slow        int                    // backends 0…Slow−1 are slow
	Slowdown    float64                // their service times are multiplied by this
	// Fail is the index of a backend that fails at FailAt (−1: none) and
	// recovers at RecoverAt (0: never). FailMode "die" takes it out: the
	// balancer sees it unhealthy at once (an ideal health check), requests
	// in service on it fail with ErrBackendDied, and requests queued on it
	// are dispatched again through the balancer. FailMode "degrade" keeps it
	// up but multiplies its service times by Degrade: only balancers that
	// watch load or latency notice.
	// FailRandom picks the failing backend from the World's source at
	// Setup instead (Fail is then −1).
	Fail              int
	FailRandom        bool
	FailAt, RecoverAt time.Duration
	FailMode          string
	Degrade           float64
}

// Sim is a balancer in front of simulated backends, run in virtual time.
// It implements harness.SimTarget; like the World, it is single-threaded.
type Sim struct {
	lb   *LB
	cfg  SimConfig
	be   []backend
	last time.Duration // time of the last event seen: the utilisation horizon

	dispatched, toSlow, retried, failed uint64
	maxQueue                            int

	finishFn, failFn, recoverFn harness.EventFunc // method values made once
}

type backend struct {
	busy      int
	queue     fifo
	inService []*harness.Request
	epoch     int64 // bumped when the backend dies: completions scheduled before are void
	dead      bool
	degraded  bool
	slow      bool
	// Time integrals, for utilisation and mean queue length.
	busyArea, queueArea float64
	since               time.Duration
}

// maxBackends bounds the backend index packed into a request's tag.
const maxBackends = 1 << 16

// NewSim puts lb in front of lb.Len() simulated backends.
func NewSim(lb *LB, cfg SimConfig) (*Sim, error) {
	n := lb.Len()
	if err := cfg.check(n); err != nil {
		return nil, err
	}
	s := &Sim{lb: lb, cfg: cfg, be: make([]backend, n)}
	for i := range s.be {
		s.be[i].slow = i < cfg.Slow
		s.be[i].inService = make([]*harness.Request, 0, cfg.Concurrency)
	}
	s.finishFn, s.failFn, s.recoverFn = s.finish, s.fail, s.recover
	return s, nil
}

// check returns the error NewSim would return for cfg in front of n
// backends, without building anything.
func (cfg SimConfig) check(n int) error {
	switch {
	case n > maxBackends:
		return fmt.Errorf("loadbalance: backends=%d: at most %d", n, maxBackends)
	case cfg.Service == nil:
		return errors.New("loadbalance: no service-time distribution")
	case cfg.Concurrency < 1:
		return fmt.Errorf("loadbalance: concurrency=%d: need at least 1", cfg.Concurrency)
	case cfg.Slow < 0 || cfg.Slow > n:
		return fmt.Errorf("loadbalance: slow=%d: more slow backends than backends=%d (valid: 0…%d)", cfg.Slow, n, n)
	case cfg.Slowdown < 1 || cfg.Degrade < 1 && cfg.faulty() && cfg.FailMode == "degrade":
		return fmt.Errorf("loadbalance: slowdown=%v and degrade=%v must be at least 1", cfg.Slowdown, cfg.Degrade)
	case cfg.Fail >= n:
		return fmt.Errorf("loadbalance: crash=%d: no such backend with backends=%d (valid: none, random, 0…%d)", cfg.Fail, n, n-1)
	case cfg.faulty() && cfg.FailMode != "die" && cfg.FailMode != "degrade":
		return fmt.Errorf("loadbalance: fail_mode=%q (valid: die|degrade)", cfg.FailMode)
	case cfg.faulty() && cfg.RecoverAt != 0 && cfg.RecoverAt <= cfg.FailAt:
		return fmt.Errorf("loadbalance: restart_at=%v is not after crash_at=%v (valid: a time after crash_at, or 0 = never recovers)", cfg.RecoverAt, cfg.FailAt)
	}
	return nil
}

// faulty reports whether a backend fails.
func (cfg SimConfig) faulty() bool { return cfg.Fail >= 0 || cfg.FailRandom }

// Setup schedules the fault, if any (crash=random draws its backend now).
func (s *Sim) Setup(w *harness.World) {
	if !s.cfg.faulty() {
		return
	}
	b := s.cfg.Fail
	if s.cfg.FailRandom {
		b = w.Rand().IntN(len(s.be))
	}
	w.At(s.cfg.FailAt, s.failFn, nil, int64(b))
	if s.cfg.RecoverAt > 0 {
		w.At(s.cfg.RecoverAt, s.recoverFn, nil, int64(b))
	}
}

// Start dispatches req through the balancer.
func (s *Sim) Start(w *harness.World, req *harness.Request) { s.dispatch(w, req) }

func (s *Sim) dispatch(w *harness.World, req *harness.Request) {
	now := w.Now()
	s.last = max(s.last, now)
	b, err := s.lb.Pick(now, w.Rand(), &req.Op)
	if err != nil {
		s.failed++
		w.Complete(req, harness.Outcome{Shard: harness.NoShard, Err: err})
		return
	}
	s.dispatched++
	be := &s.be[b]
	if be.slow {
		s.toSlow++
	}
	// The tag carries the dispatch time (for the response-time sample) and
	// the backend: 47 bits of nanoseconds are 39 hours of virtual time,
	// beyond any fault time the parameters accept.
	req.Tag = int64(now)<<16 | int64(b)
	s.account(be, now)
	if be.busy < s.cfg.Concurrency {
		s.begin(w, b, req)
		return
	}
	be.queue.push(req)
	s.maxQueue = max(s.maxQueue, be.queue.size)
}

// account adds the time since the backend's last change to its integrals.
func (s *Sim) account(be *backend, now time.Duration) {
	dt := float64(now - be.since)
	be.busyArea += dt * float64(be.busy)
	be.queueArea += dt * float64(be.queue.size)
	be.since = now
}

func (s *Sim) begin(w *harness.World, b int, req *harness.Request) {
	be := &s.be[b]
	be.busy++
	be.inService = append(be.inService, req)
	d := float64(s.cfg.Service.Next(w.Rand()))
	if be.slow {
		d *= s.cfg.Slowdown
	}
	if be.degraded {
		d *= s.cfg.Degrade
	}
	// The epoch in the event's argument voids this completion if the
	// backend dies first (the request is then completed, and may be reused
	// by the World, before the event fires).
	w.After(time.Duration(d), s.finishFn, req, be.epoch*maxBackends+int64(b))
}

func (s *Sim) finish(w *harness.World, req *harness.Request, arg int64) {
	b := int(arg % maxBackends)
	be := &s.be[b]
	if arg/maxBackends != be.epoch {
		return // the backend died meanwhile and failed this request then
	}
	now := w.Now()
	s.last = max(s.last, now)
	s.account(be, now)
	be.busy--
	for i, r := range be.inService {
		if r == req {
			last := len(be.inService) - 1
			be.inService[i] = be.inService[last]
			be.inService[last] = nil
			be.inService = be.inService[:last]
			break
		}
	}
	s.lb.Done(b, now, now-time.Duration(req.Tag>>16))
	w.Complete(req, harness.Outcome{Shard: int32(b)})
	if be.queue.size > 0 {
		s.begin(w, b, be.queue.pop())
	}
}

func (s *Sim) fail(w *harness.World, _ *harness.Request, arg int64) {
	b := int(arg)
	be := &s.be[b]
	now := w.Now()
	s.account(be, now)
	if s.cfg.FailMode == "degrade" {
		be.degraded = true
		return
	}
	be.dead = true
	be.epoch++
	s.lb.SetHealthy(b, false)
	for _, req := range be.inService {
		s.lb.Done(b, now, -1)
		s.failed++
		w.Complete(req, harness.Outcome{Shard: int32(b), Err: ErrBackendDied})
	}
	clear(be.inService)
	be.inService = be.inService[:0]
	be.busy = 0
	for be.queue.size > 0 {
		req := be.queue.pop()
		s.lb.Done(b, now, -1)
		s.retried++
		s.dispatch(w, req)
	}
}

func (s *Sim) recover(w *harness.World, _ *harness.Request, arg int64) {
	b := int(arg)
	be := &s.be[b]
	s.account(be, w.Now())
	if s.cfg.FailMode == "degrade" {
		be.degraded = false
		return
	}
	be.dead = false
	s.lb.SetHealthy(b, true)
}

// Metrics reports per-backend utilisation (util_b0…: busy slot-time over
// concurrency × run time), util_mean and util_max, mean_queue (time-averaged
// queue length per backend), max_queue, slow_share (share of dispatched
// requests sent to slow backends), and the retried and failed counts.
func (s *Sim) Metrics() map[string]float64 {
	out := map[string]float64{}
	horizon := float64(s.last)
	var umax, usum, qsum float64
	for i := range s.be {
		be := &s.be[i]
		s.account(be, max(be.since, s.last))
		u := 0.0
		if horizon > 0 {
			u = be.busyArea / (horizon * float64(s.cfg.Concurrency))
			qsum += be.queueArea / horizon
		}
		out["util_b"+strconv.Itoa(i)] = u
		umax = max(umax, u)
		usum += u
	}
	n := float64(len(s.be))
	out["util_mean"] = usum / n
	out["util_max"] = umax
	out["mean_queue"] = qsum / n
	out["max_queue"] = float64(s.maxQueue)
	if s.dispatched > 0 {
		out["slow_share"] = float64(s.toSlow) / float64(s.dispatched)
	}
	out["slow_fair_share"] = float64(s.cfg.Slow) / n
	out["retried"] = float64(s.retried)
	out["failed"] = float64(s.failed)
	return out
}

// IntervalMetrics samples the queues: requests waiting, requests in flight
// and healthy backends.
func (s *Sim) IntervalMetrics() map[string]float64 {
	var queued, inflight int
	for i := range s.be {
		queued += s.be[i].queue.size
		inflight += s.lb.InFlight(i)
	}
	return map[string]float64{"queued": float64(queued), "inflight": float64(inflight), "healthy": float64(s.lb.Eligible())}
}

var (
	_ harness.SimTarget         = (*Sim)(nil)
	_ harness.SimSetup          = (*Sim)(nil)
	_ harness.Metricser         = (*Sim)(nil)
	_ harness.IntervalMetricser = (*Sim)(nil)
)
