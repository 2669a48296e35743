package simnet

import (
	"fmt"
	"math"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

const (
	// MaxKinds is the number of message kinds counted separately (Kind <
	// MaxKinds; larger kinds are counted under MaxKinds−1).
	MaxKinds = 32
	// MaxNodes bounds Config.Nodes.
	MaxNodes = 1024
	// External is Msg.From of a message a client sent, and Msg.To of a
	// message to a client.
	External = -1
)

// Kind tags a message for per-kind counts; values ≥ MaxKinds are counted
// under MaxKinds−1.
type Kind uint8

// Config configures a Net. The zero value of every field is its default.
type Config struct {
	Nodes  int                    // number of nodes (≥ 1)
	Delay  workloads.DurationDist // one-way delay floor; nil = DefaultDelay (500µs)
	Jitter workloads.DurationDist // added random delay; nil = none
	Loss   float64                // loss probability per copy between nodes, [0, 1)
	Dup    float64                // duplication probability between nodes, [0, 1]
	// FIFO keeps every link in send order (TCP): a message is delivered no
	// earlier than the one sent before it on the same link.
	FIFO bool
	// CPUSend and CPURecv are the CPU costs of sending and of receiving one
	// message between nodes or from a client (nil: free). Each node is one
	// FIFO server (cpu.go).
	CPUSend, CPURecv workloads.DurationDist
	// Fsync is the latency of one log fsync (nil: no disk); GroupCommit lets
	// log writes that arrive during an fsync share the next one (disk.go).
	Fsync       workloads.DurationDist
	GroupCommit bool
	// Slow multiplies node i's CPU and fsync times by Slow[i] (0 or 1: normal
	// speed); nil: every node at normal speed.
	Slow []float64
	// KindNames names message kinds for Stats.ByKind (index = Kind).
	KindNames []string
	// FaultNodes, if positive, is the fault domain: random fault picks
	// (crash=random, isolate:random, split:K, oneway:random>…, slow=random
	// is the caller's, and every FaultPlan fault) choose among nodes
	// 0 … FaultNodes−1 only. The nodes beyond it — a workload's client
	// machines, a coordinator the model keeps reliable — are never picked
	// at random (a fault naming one by number still hits it). 0: every node.
	FaultNodes int
}

// Check validates c.
func (c Config) Check() error {
	switch {
	case c.Nodes < 1 || c.Nodes > MaxNodes:
		return fmt.Errorf("simnet: nodes=%d out of range (valid: 1 … %d)", c.Nodes, MaxNodes)
	case !(c.Loss >= 0 && c.Loss < 1):
		return fmt.Errorf("simnet: loss=%g out of range (valid: 0 ≤ loss < 1)", c.Loss)
	case !(c.Dup >= 0 && c.Dup <= 1):
		return fmt.Errorf("simnet: dup=%g out of range (valid: 0 … 1)", c.Dup)
	case len(c.KindNames) > MaxKinds:
		return fmt.Errorf("simnet: %d kind names, at most %d", len(c.KindNames), MaxKinds)
	case c.FaultNodes < 0 || c.FaultNodes > c.Nodes:
		return fmt.Errorf("simnet: fault domain of %d nodes out of range (valid: 0 … %d)", c.FaultNodes, c.Nodes)
	case c.Slow != nil && len(c.Slow) != c.Nodes:
		return fmt.Errorf("simnet: %d slow factors for %d nodes", len(c.Slow), c.Nodes)
	}
	for i, f := range c.Slow {
		if !(f >= 0 && f <= 1e6) || math.IsInf(f, 0) {
			return fmt.Errorf("simnet: slow factor %g of node %d out of range (valid: 0 … 1e6)", f, i)
		}
	}
	return nil
}

// isZero reports whether d always draws 0 (then the cost is not modelled).
func isZero(d workloads.DurationDist) bool {
	return d == nil || (d.Mean() == 0 && d.String() != "" && isConst(d))
}

func isConst(d workloads.DurationDist) bool {
	s := d.String()
	return len(s) >= 6 && s[:6] == "const:"
}

// Msg is one message as its handler sees it. The pointer is valid only during
// the handler call.
type Msg[P any] struct {
	From, To int // External for a client
	Kind     Kind
	SentAt   time.Duration
	Payload  P
}

// Handler receives the messages delivered to one node (or to the clients).
type Handler[P any] func(m *Msg[P])

// Counts are message counters.
type Counts struct {
	Sent      uint64 // Send calls that put a message on the wire (self-sends excluded)
	Delivered uint64 // copies handed to a handler
	Dropped   uint64 // copies lost, cut by a partition, or sent by / to a crashed node
	Dups      uint64 // extra copies made by duplication
}

// Stats are the Net's counters, total and per kind. Messages to and from
// clients are counted under ClientSent / ClientDelivered only.
type Stats struct {
	Counts
	Local  uint64 // self-sends delivered
	ByKind [MaxKinds]Counts
	// Drop reasons.
	Lost, Partitioned, Crashed uint64
	// Client traffic.
	ClientSent, ClientDelivered uint64
	// Disk.
	Fsyncs, LogWrites uint64
	// Scheduled faults that happened (Schedule).
	FaultCrashes, FaultPartitions uint64
}

// Net is a simulated cluster of Config.Nodes nodes on one World: the network
// between them, one CPU and one disk per node, their crashes and partitions.
type Net[P any] struct {
	w       *harness.World
	cfg     Config
	n       int
	fn      int // the fault domain: random faults pick among nodes 0 … fn−1
	handler []Handler[P]
	client  Handler[P]
	blocked []bool // from*n+to
	down    []bool
	inc     []uint64
	links   []workloads.DurationDist // from*n+to → per-link delay floor override
	last    []time.Duration          // from*n+to → latest delivery time (FIFO)
	// FIFO client links: the latest delivery to node i from the clients
	// (lastIn[i]) and from node i to the clients (lastOut[i]) — one
	// ordered channel per node and direction, as a client's TCP connection
	// to its server is (stronger than per client, never weaker).
	lastIn, lastOut []time.Duration
	env             []*Msg[P]
	free            []int32
	stats           Stats
	cpu             []cpu
	disk            []disk
	timers          []timer
	tfree           []int32
	fab             *fabric // link bandwidths (bandwidth.go), nil until SetFabric
	useCPU          bool    // cpu_send or cpu_recv set
	recvCPU         bool
	// OnCrash and OnRestart, if set, are called when a node crashes or
	// restarts (after the net marks it down / up).
	OnCrash, OnRestart func(node int)
	// Trace, if set, sees every message just before its node's handler (or
	// the clients' handler) runs: a transcript of the protocol, step by
	// step, for tests in etcd raft's datadriven style.
	Trace func(m *Msg[P])
	// Leader, if set, names the node the protocol currently considers its
	// leader (−1: none); faults aimed at "leader" use it.
	Leader func() int

	deliverFn, processFn, timerFn, syncFn harness.EventFunc
}

// New returns a cluster of cfg.Nodes nodes on w.
func New[P any](w *harness.World, cfg Config) (*Net[P], error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if cfg.Delay == nil {
		d, _ := workloads.ParseDurationDist(DefaultDelay)
		cfg.Delay = d
	}
	if isZero(cfg.Jitter) {
		cfg.Jitter = nil
	}
	if isZero(cfg.CPUSend) {
		cfg.CPUSend = nil
	}
	if isZero(cfg.CPURecv) {
		cfg.CPURecv = nil
	}
	if isZero(cfg.Fsync) {
		cfg.Fsync = nil
	}
	n := cfg.Nodes
	nt := &Net[P]{
		w: w, cfg: cfg, n: n, fn: n,
		handler: make([]Handler[P], n),
		blocked: make([]bool, n*n),
		down:    make([]bool, n),
		inc:     make([]uint64, n),
		cpu:     make([]cpu, n),
		disk:    make([]disk, n),
		useCPU:  cfg.CPUSend != nil || cfg.CPURecv != nil,
		recvCPU: cfg.CPURecv != nil,
	}
	if cfg.FaultNodes > 0 {
		nt.fn = cfg.FaultNodes
	}
	if cfg.FIFO {
		nt.last = make([]time.Duration, n*n)
		nt.lastIn, nt.lastOut = make([]time.Duration, n), make([]time.Duration, n)
	}
	for i, f := range cfg.Slow {
		nt.cpu[i].slow, nt.disk[i].slow = f, f
	}
	nt.deliverFn, nt.processFn, nt.timerFn, nt.syncFn = nt.deliver, nt.process, nt.fireTimer, nt.synced
	return nt, nil
}

// Nodes is the number of nodes.
func (nt *Net[P]) Nodes() int { return nt.n }

// World is the world the net runs on.
func (nt *Net[P]) World() *harness.World { return nt.w }

// Config is the cluster's configuration (defaults filled in).
func (nt *Net[P]) Config() Config { return nt.cfg }

// Handle registers node's handler (replacing any earlier one).
func (nt *Net[P]) Handle(node int, h Handler[P]) { nt.handler[node] = h }

// HandleClients registers the handler of messages sent to clients (ToClient).
func (nt *Net[P]) HandleClients(h Handler[P]) { nt.client = h }

// Stats returns the counters.
func (nt *Net[P]) Stats() *Stats { return &nt.stats }

// KindName is the name of kind k (its number when unnamed).
func (nt *Net[P]) KindName(k Kind) string {
	if int(k) < len(nt.cfg.KindNames) {
		return nt.cfg.KindNames[k]
	}
	return fmt.Sprintf("kind%d", k)
}

func kidx(k Kind) int {
	if int(k) >= MaxKinds {
		return MaxKinds - 1
	}
	return int(k)
}

func (nt *Net[P]) drop(k Kind, reason *uint64) {
	nt.stats.Dropped++
	nt.stats.ByKind[kidx(k)].Dropped++
	*reason++
}

// sendCost charges node's CPU for one send and returns when the message
// leaves it.
func (nt *Net[P]) sendCost(node int) time.Duration {
	now := nt.w.Now()
	if !nt.useCPU {
		return now
	}
	var d time.Duration
	if nt.cfg.CPUSend != nil {
		d = nt.cfg.CPUSend.Next(nt.w.Rand())
	}
	return nt.cpu[node].charge(now, d)
}

// Send sends a message of kind k with payload p from one node to another.
// The sender's CPU pays cpu_send and the message leaves when that is done;
// the delay, loss and duplication are drawn from the World's source now. It
// reports whether at least one copy was put on the wire.
func (nt *Net[P]) Send(from, to int, k Kind, p P) bool {
	if from == to {
		if nt.down[from] {
			return false
		}
		nt.stats.Local++
		nt.post(from, to, k, p, nt.w.Now())
		return true
	}
	nt.stats.Sent++
	nt.stats.ByKind[kidx(k)].Sent++
	if nt.down[from] {
		nt.drop(k, &nt.stats.Crashed)
		return false
	}
	if nt.blocked[from*nt.n+to] {
		nt.drop(k, &nt.stats.Partitioned)
		return false
	}
	leave := nt.sendCost(from)
	r := nt.w.Rand()
	copies := 1
	if nt.cfg.Dup > 0 && r.Float64() < nt.cfg.Dup {
		copies = 2
		nt.stats.Dups++
		nt.stats.ByKind[kidx(k)].Dups++
	}
	any := false
	for c := 0; c < copies; c++ {
		if nt.cfg.Loss > 0 && r.Float64() < nt.cfg.Loss {
			nt.drop(k, &nt.stats.Lost)
			continue
		}
		at := leave + nt.delay(from, to)
		if nt.last != nil {
			l := &nt.last[from*nt.n+to]
			at = max(at, *l)
			*l = at
		}
		nt.post(from, to, k, p, at)
		any = true
	}
	return any
}

// Broadcast sends p to every node but from; it returns the copies sent.
func (nt *Net[P]) Broadcast(from int, k Kind, p P) int {
	c := 0
	for to := 0; to < nt.n; to++ {
		if to != from && nt.Send(from, to, k, p) {
			c++
		}
	}
	return c
}

// FromClient delivers a message from a client (outside the cluster) to node
// to after one network delay; the node's CPU pays cpu_recv. Client links are
// neither lossy nor partitioned (FIFO with fifo=true); a message to a
// crashed node is dropped.
func (nt *Net[P]) FromClient(to int, k Kind, p P) {
	nt.stats.ClientSent++
	at := nt.w.Now() + nt.delay(-1, -1)
	if nt.lastIn != nil {
		at = max(at, nt.lastIn[to])
		nt.lastIn[to] = at
	}
	nt.post(External, to, k, p, at)
}

// ToClient sends a message from node from to the clients' handler: the
// node's CPU pays cpu_send, then one network delay. A crashed node sends
// nothing (it reports false).
func (nt *Net[P]) ToClient(from int, k Kind, p P) bool {
	if nt.down[from] {
		return false
	}
	nt.stats.ClientSent++
	at := nt.sendCost(from) + nt.delay(-1, -1)
	if nt.lastOut != nil {
		at = max(at, nt.lastOut[from])
		nt.lastOut[from] = at
	}
	nt.post(from, External, k, p, at)
	return true
}

func (nt *Net[P]) delay(from, to int) time.Duration {
	r := nt.w.Rand()
	base := nt.cfg.Delay
	if nt.links != nil && from >= 0 && to >= 0 {
		if l := nt.links[from*nt.n+to]; l != nil {
			base = l
		}
	}
	d := base.Next(r)
	if nt.cfg.Jitter != nil {
		d += nt.cfg.Jitter.Next(r)
	}
	return d
}

func (nt *Net[P]) post(from, to int, k Kind, p P, at time.Duration) {
	var i int32
	if l := len(nt.free); l > 0 {
		i = nt.free[l-1]
		nt.free = nt.free[:l-1]
	} else {
		i = int32(len(nt.env))
		nt.env = append(nt.env, new(Msg[P]))
	}
	m := nt.env[i]
	m.From, m.To, m.Kind, m.SentAt, m.Payload = from, to, k, nt.w.Now(), p
	nt.w.At(at, nt.deliverFn, nil, int64(i))
}

// deliver is a message reaching its destination's network interface.
func (nt *Net[P]) deliver(_ *harness.World, _ *harness.Request, arg int64) {
	i := int32(arg)
	m := nt.env[i]
	switch {
	case m.To == External:
		nt.stats.ClientDelivered++
		if nt.Trace != nil {
			nt.Trace(m)
		}
		if nt.client != nil {
			nt.client(m)
		}
		nt.release(i)
		return
	case nt.down[m.To]:
		if m.From != m.To && m.From != External {
			nt.drop(m.Kind, &nt.stats.Crashed)
		}
		nt.release(i)
		return
	case m.From != m.To && m.From != External && nt.blocked[m.From*nt.n+m.To]:
		nt.drop(m.Kind, &nt.stats.Partitioned)
		nt.release(i)
		return
	}
	if nt.recvCPU && m.From != m.To {
		nt.receive(i)
		return
	}
	nt.handle(i)
}

// handle hands envelope i to its node's handler and releases it.
func (nt *Net[P]) handle(i int32) {
	m := nt.env[i]
	switch m.From {
	case m.To:
	case External:
		nt.stats.ClientDelivered++
	default:
		nt.stats.Delivered++
		nt.stats.ByKind[kidx(m.Kind)].Delivered++
	}
	if nt.Trace != nil {
		nt.Trace(m)
	}
	if h := nt.handler[m.To]; h != nil {
		h(m)
	}
	nt.release(i)
}

func (nt *Net[P]) release(i int32) {
	var zero P
	nt.env[i].Payload = zero
	nt.free = append(nt.free, i)
}

// SetLinkDelay replaces the delay floor of the one-way link from→to (nil
// restores Config.Delay); the jitter still applies. It models a cluster
// spread over sites: near and far acceptors.
func (nt *Net[P]) SetLinkDelay(from, to int, d workloads.DurationDist) {
	if nt.links == nil {
		nt.links = make([]workloads.DurationDist, nt.n*nt.n)
	}
	nt.links[from*nt.n+to] = d
}

// InFlight is the number of message copies scheduled and not yet delivered.
func (nt *Net[P]) InFlight() int { return len(nt.env) - len(nt.free) }
