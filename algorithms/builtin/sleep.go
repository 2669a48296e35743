package builtin

import (
	"math/rand/v2"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// sleepWall waits a drawn service time per op. With concurrency > 0 at most
// that many ops are served at once; the others queue (a semaphore).
type sleepWall struct {
	draw drawer
	sem  chan struct{} // nil = unlimited
}

func newSleepWall(service workloads.DurationDist, concurrency int, seed uint64) *sleepWall {
	s := &sleepWall{draw: newDrawer(service, seed)}
	if concurrency > 0 {
		s.sem = make(chan struct{}, concurrency)
	}
	return s
}

func (s *sleepWall) Fork(_ int, r *rand.Rand) harness.Target {
	return &sleepWall{draw: s.draw.fork(r), sem: s.sem}
}

func (s *sleepWall) Do(time.Duration, *workloads.Op) harness.Outcome {
	if s.sem != nil {
		s.sem <- struct{}{}
		defer func() { <-s.sem }()
	}
	time.Sleep(s.draw.next())
	return harness.Outcome{Shard: harness.NoShard}
}

// sleepSim is a virtual server: concurrency servers (0 = one per op) and a
// FIFO queue in front of them, each op taking a drawn service time.
type sleepSim struct {
	service     workloads.DurationDist
	concurrency int

	busy   int
	queue  []*harness.Request
	head   int
	doneFn harness.EventFunc

	maxQueue int
	served   uint64
	waited   time.Duration // total time spent queued
}

func newSleepSim(service workloads.DurationDist, concurrency int) *sleepSim {
	s := &sleepSim{service: service, concurrency: concurrency}
	s.doneFn = s.done
	return s
}

func (s *sleepSim) Start(w *harness.World, req *harness.Request) {
	if s.concurrency > 0 && s.busy >= s.concurrency {
		if s.head > 0 && s.head*2 >= len(s.queue) { // drop the served prefix
			n := copy(s.queue, s.queue[s.head:])
			clear(s.queue[n:])
			s.queue, s.head = s.queue[:n], 0
		}
		s.queue = append(s.queue, req)
		s.maxQueue = max(s.maxQueue, len(s.queue)-s.head)
		return
	}
	s.serve(w, req)
}

func (s *sleepSim) serve(w *harness.World, req *harness.Request) {
	s.busy++
	s.waited += w.Now() - req.Sent
	w.After(s.service.Next(w.Rand()), s.doneFn, req, 0)
}

func (s *sleepSim) done(w *harness.World, req *harness.Request, _ int64) {
	s.busy--
	s.served++
	w.Complete(req, harness.Outcome{Shard: harness.NoShard})
	if s.head < len(s.queue) {
		next := s.queue[s.head]
		s.queue[s.head] = nil
		s.head++
		if s.head == len(s.queue) { // empty: reuse the array from the start
			s.queue, s.head = s.queue[:0], 0
		}
		s.serve(w, next)
	}
}

// Metrics reports the queue's figures.
func (s *sleepSim) Metrics() map[string]float64 {
	m := map[string]float64{"max_queue": float64(s.maxQueue)}
	if s.served > 0 {
		m["mean_queue_wait_ns"] = float64(s.waited) / float64(s.served)
	}
	return m
}

// IntervalMetrics samples the queue depth and busy servers.
func (s *sleepSim) IntervalMetrics() map[string]float64 {
	return map[string]float64{"queue": float64(len(s.queue) - s.head), "busy": float64(s.busy)}
}
