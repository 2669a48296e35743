package simnet

import (
	"fmt"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// The standard network parameters: the names, defaults and docs a family
// declares so every simnet family is configured alike.
const (
	ParamDelay      = "delay"
	ParamJitter     = "jitter"
	ParamLoss       = "loss"
	ParamDup        = "dup"
	DefaultDelay    = "const:d=500us" // one-way floor
	DefaultJitter   = "const:d=0s"    // no random part
	DefaultLoss     = "0"
	DefaultDup      = "0"
	DocDelay        = "one-way network delay floor (a duration distribution), drawn per message"
	DocJitter       = "random part added to each message's delay (e.g. exp:mean=300us); reorders messages"
	DocLoss         = "probability a message copy is lost"
	DocDup          = "probability a message is duplicated (the copy has its own delay)"
	MaxKinds        = 32 // message kinds counted separately (Kind < MaxKinds)
	maxNodesDefault = 1024
)

// Kind tags a message for per-kind counts; values ≥ MaxKinds are counted
// under MaxKinds−1.
type Kind uint8

// Config configures a Net. The zero value of every field is its default.
type Config struct {
	Nodes  int                    // number of nodes (≥ 1)
	Delay  workloads.DurationDist // one-way delay floor; nil = DefaultDelay (500µs)
	Jitter workloads.DurationDist // added random delay; nil = none
	Loss   float64                // loss probability per copy, [0, 1)
	Dup    float64                // duplication probability, [0, 1]
	// KindNames names message kinds for Stats.ByKind (index = Kind).
	KindNames []string
}

// Check validates c.
func (c Config) Check() error {
	switch {
	case c.Nodes < 1 || c.Nodes > maxNodesDefault:
		return fmt.Errorf("simnet: nodes=%d out of range (valid: 1 … %d)", c.Nodes, maxNodesDefault)
	case !(c.Loss >= 0 && c.Loss < 1):
		return fmt.Errorf("simnet: loss=%g out of range (valid: 0 ≤ loss < 1)", c.Loss)
	case !(c.Dup >= 0 && c.Dup <= 1):
		return fmt.Errorf("simnet: dup=%g out of range (valid: 0 … 1)", c.Dup)
	case len(c.KindNames) > MaxKinds:
		return fmt.Errorf("simnet: %d kind names, at most %d", len(c.KindNames), MaxKinds)
	}
	return nil
}

// Msg is one message as its handler sees it. The pointer is valid only during
// the handler call.
type Msg[P any] struct {
	From, To int
	Kind     Kind
	SentAt   time.Duration
	Payload  P
}

// Handler receives the messages delivered to one node.
type Handler[P any] func(m *Msg[P])

// Counts are message counters.
type Counts struct {
	Sent      uint64 // Send calls that put a message on the wire (self-sends excluded)
	Delivered uint64 // copies handed to a handler
	Dropped   uint64 // copies lost, cut by a partition, or sent by / to a crashed node
	Dups      uint64 // extra copies made by duplication
}

// Stats are the Net's counters, total and per kind.
type Stats struct {
	Counts
	Local  uint64 // self-sends delivered
	ByKind [MaxKinds]Counts
	// Drop reasons.
	Lost, Partitioned, Crashed uint64
}

// Net is a simulated network of Config.Nodes nodes on one World.
type Net[P any] struct {
	w       *harness.World
	cfg     Config
	n       int
	handler []Handler[P]
	blocked []bool // from*n+to
	down    []bool
	inc     []uint64
	links   []workloads.DurationDist // from*n+to → per-link delay floor override
	env     []*Msg[P]
	free    []int32
	stats   Stats
	// OnCrash and OnRestart, if set, are called when a node crashes or
	// restarts (after the net marks it down / up).
	OnCrash, OnRestart func(node int)

	deliverFn harness.EventFunc
}

// New returns a network of cfg.Nodes nodes on w.
func New[P any](w *harness.World, cfg Config) (*Net[P], error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if cfg.Delay == nil {
		d, _ := workloads.ParseDurationDist(DefaultDelay)
		cfg.Delay = d
	}
	n := cfg.Nodes
	nt := &Net[P]{
		w: w, cfg: cfg, n: n,
		handler: make([]Handler[P], n),
		blocked: make([]bool, n*n),
		down:    make([]bool, n),
		inc:     make([]uint64, n),
	}
	nt.deliverFn = nt.deliver
	return nt, nil
}

// Nodes is the number of nodes.
func (nt *Net[P]) Nodes() int { return nt.n }

// World is the world the net runs on.
func (nt *Net[P]) World() *harness.World { return nt.w }

// Handle registers node's handler (replacing any earlier one).
func (nt *Net[P]) Handle(node int, h Handler[P]) { nt.handler[node] = h }

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

// Send sends a message of kind k with payload p from one node to another.
// It draws the delay, the loss and the duplication from the World's random
// source now, and reports whether at least one copy was put on the wire.
func (nt *Net[P]) Send(from, to int, k Kind, p P) bool {
	if from == to {
		if nt.down[from] {
			return false
		}
		nt.stats.Local++
		nt.post(from, to, k, p, 0)
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
		nt.post(from, to, k, p, nt.delay(from, to))
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

func (nt *Net[P]) delay(from, to int) time.Duration {
	r := nt.w.Rand()
	base := nt.cfg.Delay
	if nt.links != nil {
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

func (nt *Net[P]) post(from, to int, k Kind, p P, d time.Duration) {
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
	nt.w.After(d, nt.deliverFn, nil, int64(i))
}

func (nt *Net[P]) deliver(_ *harness.World, _ *harness.Request, arg int64) {
	m := nt.env[arg]
	defer nt.release(int32(arg))
	local := m.From == m.To
	switch {
	case nt.down[m.To]:
		if local {
			return
		}
		nt.drop(m.Kind, &nt.stats.Crashed)
		return
	case !local && nt.blocked[m.From*nt.n+m.To]:
		nt.drop(m.Kind, &nt.stats.Partitioned)
		return
	}
	if !local {
		nt.stats.Delivered++
		nt.stats.ByKind[kidx(m.Kind)].Delivered++
	}
	if h := nt.handler[m.To]; h != nil {
		h(m)
	}
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
