package loadbalance

import (
	"fmt"
	"strings"
	"time"
)

// Policies lists the balancer names, as registered under loadbalance/.
var Policies = []string{"round-robin", "weighted-round-robin", "least-connections", "peak-ewma", "ip-hash", "random", "p2c", "bounded-hash"}

// Config selects and tunes a balancer. Zero values take the defaults noted.
type Config struct {
	Policy  string
	Weights []int // one per backend; all 1 when nil (then Backends sets the count)
	// Backends is the number of backends when Weights is nil.
	Backends int
	// Choices is d for p2c (0 means 2) and for peak-ewma (0 compares every
	// eligible backend; the registered target defaults to 2).
	Choices int
	// Tau is Peak-EWMA's decay time (default 100ms); InitialRTT its
	// estimate before the first sample (default 1ms).
	Tau, InitialRTT time.Duration
	// C is bounded-hash's load bound (default 1.25) and VNodes its ring
	// points per backend (default 100).
	C      float64
	VNodes int
}

// New builds a balancer.
func New(cfg Config) (*LB, error) {
	w := cfg.Weights
	if w == nil {
		if cfg.Backends < 1 {
			return nil, fmt.Errorf("loadbalance: backends=%d: need at least 1", cfg.Backends)
		}
		w = EqualWeights(cfg.Backends)
	}
	p, err := NewPool(w)
	if err != nil {
		return nil, err
	}
	n := len(w)
	var alg algorithm
	switch cfg.Policy {
	case "round-robin":
		alg = &roundRobin{}
	case "weighted-round-robin":
		alg = newSmoothWRR(n)
	case "least-connections":
		alg = newLeastConn(p)
	case "random":
		alg = random{}
	case "ip-hash":
		alg = ipHash{}
	case "p2c":
		d := cfg.Choices
		if d == 0 {
			d = 2
		}
		if d < 1 {
			return nil, fmt.Errorf("loadbalance: choices=%d: need at least 1", d)
		}
		pc := &powerOfChoices{d: d}
		pc.s.sync(p)
		alg = pc
	case "peak-ewma":
		tau, init := cfg.Tau, cfg.InitialRTT
		if tau == 0 {
			tau = 100 * time.Millisecond
		}
		if init == 0 {
			init = time.Millisecond
		}
		if tau < 0 || init < 0 || cfg.Choices < 0 {
			return nil, fmt.Errorf("loadbalance: peak-ewma: tau=%v, initial rtt %v and choices=%d must not be negative", tau, init, cfg.Choices)
		}
		pe := newPeakEWMA(n, tau, init, cfg.Choices)
		pe.s.sync(p)
		alg = pe
	case "bounded-hash":
		c, v := cfg.C, cfg.VNodes
		if c == 0 {
			c = 1.25
		}
		if v == 0 {
			v = 100
		}
		bh, err := newBoundedHash(p, v, c)
		if err != nil {
			return nil, err
		}
		alg = bh
	default:
		return nil, fmt.Errorf("loadbalance: unknown policy %q (valid: %s)", cfg.Policy, strings.Join(Policies, ", "))
	}
	return &LB{Pool: *p, alg: alg, Name: cfg.Policy}, nil
}
