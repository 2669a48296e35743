package builtin

import (
	"math/rand/v2"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// rateSource is a test-only op stream (the real generators live in package
// workloads): reads of uniform keys, op i of part k of n intended at
// (i·n + k)·gap; gap 0 for a closed loop.
type rateSource struct {
	part workloads.Part
	gap  time.Duration
	rng  *rand.Rand
	i    uint64
}

func (s *rateSource) Next(op *workloads.Op) bool {
	seq := s.i*uint64(s.part.Of) + uint64(s.part.Index)
	*op = workloads.Op{Seq: seq, At: time.Duration(seq) * s.gap, Kind: workloads.Read, Key: s.rng.Uint64N(1000)}
	s.i++
	return true
}

func rate(r float64) func(workloads.Part) (workloads.Source, error) {
	var gap time.Duration
	if r > 0 {
		gap = time.Duration(float64(time.Second) / r)
	}
	return func(p workloads.Part) (workloads.Source, error) {
		return &rateSource{part: p, gap: gap, rng: rand.New(rand.NewPCG(uint64(p.Index), 1))}, nil
	}
}
