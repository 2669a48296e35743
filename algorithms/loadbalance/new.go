package loadbalance

import (
	"fmt"
	"strings"
	"time"

	"github.com/dsbench/dsbench/algorithms/hashing"
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

// withDefaults fills the zero values that mean a default.
func (cfg Config) withDefaults() Config {
	if cfg.Weights == nil && cfg.Backends >= 1 {
		cfg.Weights = EqualWeights(cfg.Backends)
	}
	switch cfg.Policy {
	case "p2c":
		if cfg.Choices == 0 {
			cfg.Choices = 2
		}
	case "peak-ewma":
		if cfg.Tau == 0 {
			cfg.Tau = 100 * time.Millisecond
		}
		if cfg.InitialRTT == 0 {
			cfg.InitialRTT = time.Millisecond
		}
	case "bounded-hash":
		if cfg.C == 0 {
			cfg.C = 1.25
		}
		if cfg.VNodes == 0 {
			cfg.VNodes = 100
		}
	}
	return cfg
}

// check returns the error New would return for cfg (with defaults filled),
// without building anything: the registered targets' Check calls it, so a
// bad combination is bad input before a run (docs/design.md rule 7).
func (cfg Config) check() error {
	if cfg.Weights == nil {
		return fmt.Errorf("loadbalance: backends=%d: need at least 1", cfg.Backends)
	}
	if err := checkWeights(cfg.Weights); err != nil {
		return err
	}
	switch cfg.Policy {
	case "round-robin", "weighted-round-robin", "least-connections", "random", "ip-hash":
	case "p2c":
		if cfg.Choices < 1 {
			return fmt.Errorf("loadbalance: choices=%d: need at least 1", cfg.Choices)
		}
	case "peak-ewma":
		if cfg.Tau < 0 || cfg.InitialRTT < 0 || cfg.Choices < 0 {
			return fmt.Errorf("loadbalance: peak-ewma: tau=%v, initial rtt %v and choices=%d must not be negative", cfg.Tau, cfg.InitialRTT, cfg.Choices)
		}
	case "bounded-hash":
		if err := hashing.CheckBounded(len(cfg.Weights), cfg.VNodes, cfg.C); err != nil {
			return fmt.Errorf("backends=%d: %w", len(cfg.Weights), err)
		}
	default:
		return fmt.Errorf("loadbalance: unknown policy %q (valid: %s)", cfg.Policy, strings.Join(Policies, ", "))
	}
	return nil
}

// New builds a balancer.
func New(cfg Config) (*LB, error) {
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	w := cfg.Weights
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
		pc := &powerOfChoices{d: cfg.Choices}
		pc.s.sync(p)
		alg = pc
	case "peak-ewma":
		pe := newPeakEWMA(n, cfg.Tau, cfg.InitialRTT, cfg.Choices)
		pe.s.sync(p)
		alg = pe
	case "bounded-hash":
		bh, err := newBoundedHash(p, cfg.VNodes, cfg.C)
		if err != nil {
			return nil, err
		}
		alg = bh
	}
	return &LB{Pool: *p, alg: alg, Name: cfg.Policy}, nil
}
