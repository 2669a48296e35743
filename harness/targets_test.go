package harness

import (
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// shardTarget answers at once from shard key mod shards.
type shardTarget struct{ shards uint64 }

func (t shardTarget) Do(_ time.Duration, op *workloads.Op) Outcome {
	return Outcome{Shard: int32(op.Key % t.shards)}
}

// sleepTarget waits d per op on the wall clock.
type sleepTarget struct{ d time.Duration }

func (t sleepTarget) Do(time.Duration, *workloads.Op) Outcome {
	time.Sleep(t.d)
	return Outcome{Shard: NoShard}
}

// forkTarget counts forks and checks each worker gets its own random source.
type forkTarget struct {
	forks atomic.Int32
	first [64]atomic.Uint64
}

func (t *forkTarget) Do(time.Duration, *workloads.Op) Outcome { return Outcome{Shard: NoShard} }

func (t *forkTarget) Fork(worker int, r *rand.Rand) Target {
	t.forks.Add(1)
	t.first[worker].Store(r.Uint64())
	return t
}

// fifoServer is a virtual single-queue server with c servers and service
// times drawn from exp(mean), so runs exercise the World's random source,
// timers and queueing.
type fifoServer struct {
	c     int
	mean  time.Duration
	busy  int
	queue []*Request
	fn    EventFunc
	deny  bool // deny every third op, error every fifth, for the counters
	n     int
}

func newFIFO(c int, mean time.Duration) *fifoServer {
	s := &fifoServer{c: c, mean: mean}
	s.fn = s.done
	return s
}

func (s *fifoServer) Start(w *World, req *Request) {
	if s.busy >= s.c {
		s.queue = append(s.queue, req)
		return
	}
	s.busy++
	w.After(time.Duration(w.Rand().ExpFloat64()*float64(s.mean)), s.fn, req, 0)
}

func (s *fifoServer) done(w *World, req *Request, _ int64) {
	s.busy--
	s.n++
	o := Outcome{Shard: int32(req.Op.Key % 4)}
	if s.deny && s.n%3 == 0 {
		o.Denied = true
	}
	if s.deny && s.n%5 == 0 {
		o.Err = errTest
	}
	w.Complete(req, o)
	if len(s.queue) > 0 {
		next := s.queue[0]
		s.queue = s.queue[1:]
		s.Start(w, next)
	}
}

func (s *fifoServer) IntervalMetrics() map[string]float64 {
	return map[string]float64{"queue": float64(len(s.queue))}
}

func (s *fifoServer) Metrics() map[string]float64 { return map[string]float64{"served": float64(s.n)} }

type testErr struct{}

func (testErr) Error() string { return "test error" }

var errTest error = testErr{}
