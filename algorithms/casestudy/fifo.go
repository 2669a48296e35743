package casestudy

import (
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// fifoNodes is a set of simulated servers, each serving up to conc jobs at
// once with service times from svc and queueing the rest FIFO. A job is an
// int64 the owner interprets; done(w, job) is called when it finishes.
type fifoNodes struct {
	conc    int
	svc     workloads.DurationDist
	busy    []int
	queue   [][]int64
	head    []int
	done    func(w *harness.World, job int64)
	endFn   harness.EventFunc // method value made once
	busyNs  []time.Duration
	maxQ    int
	started uint64
}

func newFIFONodes(n, conc int, svc workloads.DurationDist, done func(*harness.World, int64)) *fifoNodes {
	f := &fifoNodes{conc: conc, svc: svc, busy: make([]int, n), queue: make([][]int64, n), head: make([]int, n),
		done: done, busyNs: make([]time.Duration, n)}
	f.endFn = f.end
	return f
}

// jobs are packed with their node: arg = job<<16 | node (node < 65536).
const nodeBits = 16

// submit queues job at node.
func (f *fifoNodes) submit(w *harness.World, node int, job int64) {
	if f.busy[node] < f.conc {
		f.start(w, node, job)
		return
	}
	f.queue[node] = append(f.queue[node], job)
	f.maxQ = max(f.maxQ, len(f.queue[node])-f.head[node])
}

func (f *fifoNodes) start(w *harness.World, node int, job int64) {
	f.busy[node]++
	f.started++
	d := f.svc.Next(w.Rand())
	f.busyNs[node] += d
	w.After(d, f.endFn, nil, job<<nodeBits|int64(node))
}

func (f *fifoNodes) end(w *harness.World, _ *harness.Request, arg int64) {
	node, job := int(arg&(1<<nodeBits-1)), arg>>nodeBits
	f.busy[node]--
	if q := f.queue[node]; f.head[node] < len(q) {
		next := q[f.head[node]]
		f.head[node]++
		if f.head[node] == len(q) {
			f.queue[node], f.head[node] = q[:0], 0
		}
		f.start(w, node, next)
	}
	f.done(w, job)
}

// util returns the mean and max utilisation of the nodes over d.
func (f *fifoNodes) util(d time.Duration) (mean, hi float64) {
	if d <= 0 {
		return 0, 0
	}
	for _, b := range f.busyNs {
		u := float64(b) / float64(d) / float64(f.conc)
		mean += u
		hi = max(hi, u)
	}
	return mean / float64(len(f.busyNs)), hi
}
