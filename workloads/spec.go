package workloads

// CONTRACT FILE — the workloads helper replaces these bodies with the real
// grammar (issue 2). The exported names and signatures are the contract the
// other packages build against; keep them.

import (
	"errors"
	"time"
)

// Spec is a fully resolved workload: key distribution, op mix, value sizes,
// clients and arrival process.
type Spec struct {
	text string
}

// Part selects one independent sub-stream of a workload: part Index of Of.
// The Of parts together have the statistics of the whole stream (each runs
// at 1/Of of the rate, with its own derived seed).
type Part struct{ Index, Of int }

// Whole is the single-part stream.
var Whole = Part{0, 1}

// ParseSpec parses a preset name ("ycsb-a") and/or space-separated
// key=value tokens; later tokens override earlier ones, so
// "ycsb-a arrival=poisson:rate=1000" is ycsb-a in an open loop.
func ParseSpec(s string) (Spec, error) { return Spec{text: s}, errors.New("workloads: not implemented yet") }

// String is the canonical, fully resolved form; ParseSpec(s.String()) == s.
func (s Spec) String() string { return s.text }

// KeySpace is the initial number of keys (the n of the key distribution).
func (s Spec) KeySpace() uint64 { return 0 }

// Clients is the number of distinct client ids ops are spread over (>= 1).
func (s Spec) Clients() int { return 1 }

// Closed reports whether the arrival process is closed (no intended times).
func (s Spec) Closed() bool { return true }

// Rate is the mean arrival rate in ops/s; 0 for a closed loop.
func (s Spec) Rate() float64 { return 0 }

// WithRate returns the spec with its arrival rate scaled to r ops/s (a closed
// arrival becomes constant:rate=r).
func (s Spec) WithRate(r float64) (Spec, error) { return s, nil }

// Generator returns the deterministic op stream of one part of the workload.
func (s Spec) Generator(seed uint64, part Part) (*Generator, error) {
	return nil, errors.New("workloads: not implemented yet")
}

// Generator yields a workload's ops. It is not safe for concurrent use: give
// each worker its own Part.
type Generator struct{}

// Next fills op with the next op of the stream; a generator never ends.
func (g *Generator) Next(op *Op) bool { return true }

var _ Source = (*Generator)(nil)
var _ = time.Duration(0)
