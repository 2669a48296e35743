package workloads

import "math/rand/v2"

// Generator yields a workload's ops. It is not safe for concurrent use: give
// each worker its own Part.
//
// Each op draws, from one PCG source seeded with PartSeed(seed, part.Index):
// its intended time, its kind, its key, its size and its client, in that
// order, so a stream is the same byte for byte on every run and machine.
type Generator struct {
	src     rand.PCG
	r       *rand.Rand
	seq     uint64
	sched   schedule
	mix     mixDef
	keys    keySampler
	size    sizeSampler
	scan    sizeSampler
	clients clientSampler
	// Inserts: part k's j-th insert is key n0 + j·of + k, so parts never
	// insert the same key and together insert n0, n0+1, … in order. The
	// keyspace a part draws from assumes the parts advance together.
	n0, inserts, of, idx uint64
}

func newGenerator(d *specDefs, seed uint64, p Part) *Generator {
	ps := PartSeed(seed, p.Index)
	g := &Generator{
		sched:   d.arrival.build(seed, p),
		mix:     d.mix,
		keys:    d.keys.build(p),
		size:    d.size.build(),
		scan:    d.scan.build(),
		clients: d.clients.build(),
		n0:      d.keys.size(),
		of:      uint64(p.Of),
		idx:     uint64(p.Index),
	}
	g.src.Seed(ps, SplitMix64(ps))
	g.r = rand.New(&g.src)
	return g
}

// Next fills op with the next op of the stream; a generator never ends.
// It allocates nothing.
func (g *Generator) Next(op *Op) bool {
	op.Seq = g.seq
	g.seq++
	op.At = g.sched.next(g.r)
	k := g.mix.next(g.r)
	op.Kind = k
	if k == Insert {
		op.Key = g.n0 + g.inserts*g.of + g.idx
		g.inserts++
		g.keys.grow(g.n0 + g.inserts*g.of)
	} else {
		op.Key = g.keys.Next(g.r)
	}
	if k == Scan {
		op.Size = g.scan.next(g.r)
	} else {
		op.Size = g.size.next(g.r)
	}
	op.Client = g.clients.next(g.r)
	return true
}

var _ Source = (*Generator)(nil)
