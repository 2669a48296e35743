package simnet

import (
	"math/rand/v2"
	"time"

	"github.com/dsbench/dsbench/harness"
)

// cpu is one node's processor: a FIFO server (DESIGN: "one FIFO server per
// node charging a cost for every message sent and received").
//
// Receiving: a message that reaches a node waits in its queue; when the CPU
// is free it spends cpu_recv on it, then the handler runs. Sending: every
// Send from the node takes cpu_send of CPU time, and the message leaves when
// that is done, so a leader that fans a proposal out to n−1 followers pays
// n−1 sends and its later work waits behind them. free is the time the CPU
// finishes the work it has accepted so far.
type cpu struct {
	free    time.Duration
	busy    time.Duration // total CPU time charged
	queue   []int32       // envelopes waiting to be received (ring)
	head    int
	n       int
	running bool   // a receive is scheduled
	gen     uint32 // bumped on crash: a stale receive event is ignored
	slow    float64
}

func (c *cpu) push(i int32) {
	if c.n == len(c.queue) {
		grown := make([]int32, max(8, 2*len(c.queue)))
		for k := 0; k < c.n; k++ {
			grown[k] = c.queue[(c.head+k)%len(c.queue)]
		}
		c.queue, c.head = grown, 0
	}
	c.queue[(c.head+c.n)%len(c.queue)] = i
	c.n++
}

func (c *cpu) pop() int32 {
	i := c.queue[c.head]
	c.head = (c.head + 1) % len(c.queue)
	c.n--
	return i
}

// charge books d of CPU time starting no earlier than now and returns when
// it is done.
func (c *cpu) charge(now, d time.Duration) time.Duration {
	if c.slow > 0 {
		d = time.Duration(float64(d) * c.slow)
	}
	start := max(now, c.free)
	c.free = start + d
	c.busy += d
	return c.free
}

// CPUBusy is the CPU time node has been charged so far.
func (nt *Net[P]) CPUBusy(node int) time.Duration { return nt.cpu[node].busy }

// QueueLen is the number of messages waiting for node's CPU.
func (nt *Net[P]) QueueLen(node int) int { return nt.cpu[node].n }

// receive queues envelope i at its node's CPU (cpu_recv set).
func (nt *Net[P]) receive(i int32) {
	to := nt.env[i].To
	c := &nt.cpu[to]
	c.push(i)
	nt.kick(to)
}

// kick starts receiving the next queued message if the CPU is idle.
func (nt *Net[P]) kick(node int) {
	c := &nt.cpu[node]
	if c.running || c.n == 0 {
		return
	}
	c.running = true
	done := c.charge(nt.w.Now(), nt.cfg.CPURecv.Next(nt.w.Rand()))
	nt.w.At(done, nt.processFn, nil, int64(node)|int64(c.gen)<<32)
}

// process runs the handler of the message at the head of the node's queue,
// its receive cost paid.
func (nt *Net[P]) process(w *harness.World, _ *harness.Request, arg int64) {
	node, gen := int(arg&0xffffffff), uint32(arg>>32)
	c := &nt.cpu[node]
	if gen != c.gen || !c.running {
		return // the node crashed since: its queue was dropped
	}
	if c.free > w.Now() {
		// Sends from a timer or a client request took the CPU meanwhile:
		// the handler runs when they are done.
		w.At(c.free, nt.processFn, nil, arg)
		return
	}
	c.running = false
	i := c.pop()
	nt.handle(i)
	nt.kick(node)
}

// dropQueue empties a crashed node's CPU queue.
func (nt *Net[P]) dropQueue(node int) {
	c := &nt.cpu[node]
	for c.n > 0 {
		i := c.pop()
		nt.drop(nt.env[i].Kind, &nt.stats.Crashed)
		nt.release(i)
	}
	c.running = false
	c.gen++
}

// Work books d of node's CPU for work a handler does beyond receiving and
// sending (a leader's per-transaction processing, a server serving a read
// from memory): the node's later sends and receives queue behind it, as on
// one processor. It returns when the work is done. The first call turns
// the CPU model on if neither cpu_send nor cpu_recv did.
func (nt *Net[P]) Work(node int, d time.Duration) time.Duration {
	if !nt.recvCPU {
		if nt.cfg.CPURecv == nil {
			nt.cfg.CPURecv = zeroDist{}
		}
		nt.useCPU, nt.recvCPU = true, true
	}
	return nt.cpu[node].charge(nt.w.Now(), d)
}

// zeroDist costs nothing: the receive cost when only Work charges the CPU.
type zeroDist struct{}

func (zeroDist) Next(*rand.Rand) time.Duration { return 0 }
func (zeroDist) Mean() time.Duration           { return 0 }
func (zeroDist) String() string                { return "const:d=0s" }
