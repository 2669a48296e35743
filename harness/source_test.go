package harness

import (
	"math/rand/v2"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// testSource is a test-only op stream at a constant rate (the real
// generators live in package workloads): op i of part k of n is intended at
// (i·n + k)·gap, its kind alternates read/update, its client is i mod
// clients and its key is drawn uniformly.
type testSource struct {
	part    workloads.Part
	gap     time.Duration
	limit   uint64 // 0 = endless
	clients uint32
	keys    uint64
	rng     *rand.Rand
	i       uint64
}

func (s *testSource) Next(op *workloads.Op) bool {
	if s.limit > 0 && s.i >= s.limit {
		return false
	}
	seq := s.i*uint64(s.part.Of) + uint64(s.part.Index)
	*op = workloads.Op{
		Seq:    seq,
		At:     time.Duration(seq) * s.gap,
		Kind:   workloads.Kind(s.i % 2),
		Key:    s.rng.Uint64N(max(s.keys, 1)),
		Client: uint32(s.i % uint64(max(s.clients, 1))),
		Size:   100,
	}
	s.i++
	return true
}

// constRate returns a Config.Source of testSources at rate ops/s (gap 0 for
// a closed loop).
func constRate(rate float64, clients uint32, seed uint64) func(workloads.Part) (workloads.Source, error) {
	var gap time.Duration
	if rate > 0 {
		gap = time.Duration(float64(time.Second) / rate)
	}
	return func(p workloads.Part) (workloads.Source, error) {
		s := DeriveSeed(seed, uint64(p.Index))
		return &testSource{part: p, gap: gap, clients: clients, keys: 1000, rng: rand.New(rand.NewPCG(s, 1))}, nil
	}
}

// seqSource is the cheapest op stream: reads of keys 0, 1, 2, … at a
// constant rate (every op at 0 for a closed loop), so a benchmark of the
// harness measures the harness, not a key distribution.
type seqSource struct {
	rate float64
	i    uint64
}

func (s *seqSource) Next(op *workloads.Op) bool {
	var at time.Duration
	if s.rate > 0 {
		at = time.Duration(float64(s.i) * 1e9 / s.rate)
	}
	*op = workloads.Op{Seq: s.i, At: at, Kind: workloads.Read, Key: s.i}
	s.i++
	return true
}

// seqRate returns a Config.Source of one seqSource at rate ops/s (0: closed
// loop); parts interleave as constRate's do.
func seqRate(rate float64) func(workloads.Part) (workloads.Source, error) {
	return func(p workloads.Part) (workloads.Source, error) {
		if p.Of > 1 {
			return &testSource{part: p, gap: time.Duration(float64(time.Second) / max(rate, 1)), keys: 1000,
				rng: rand.New(rand.NewPCG(uint64(p.Index), 1))}, nil
		}
		return &seqSource{rate: rate}, nil
	}
}
