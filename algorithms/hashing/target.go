package hashing

import (
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// The hashing targets run on the wall clock: each op's key is looked up and
// the owner is reported as the op's shard, so the run's shard fairness is
// the per-node load under the workload's key distribution.

var (
	pNodes   = algorithms.Param{Name: "nodes", Type: algorithms.Int, Default: "10", Doc: "number of nodes"}.Range(1, 65536)
	pHash    = algorithms.Param{Name: "hash", Type: algorithms.Enum, Default: "xxhash", Choices: HashNames, Doc: "hash function for keys and nodes"}
	pVnodes  = algorithms.Param{Name: "vnodes", Type: algorithms.Int, Default: "100", Doc: "virtual nodes (ring points) per node of mean weight"}.Range(1, 10000)
	pWeights = algorithms.Param{Name: "weights", Type: algorithms.String, Default: "equal", Doc: "node weights, one per node, ':'-separated (e.g. 1:1:2), or equal"}
	pTable   = algorithms.Param{Name: "table", Type: algorithms.Int, Default: "65537", Doc: "Maglev lookup table size (a prime > nodes; > 100·nodes advised)"}.Range(2, 1<<26)
	pC       = algorithms.Param{Name: "c", Type: algorithms.Float, Default: "1.25", Doc: "load bound: each node holds at most ⌈c·m/n⌉ of m placements (c > 1)"}.Range(1, 100)
	pProbes  = algorithms.Param{Name: "probes", Type: algorithms.Int, Default: "21", Doc: "probes per key"}.Range(1, 1024)
)

type spec struct {
	name, desc string
	params     []algorithms.Param
	tour       bool
	// builder checks the parameters that depend on the node set (nodes,
	// weights already scaled) and returns the Builder. It must not build:
	// Check calls it before every run. Bounded marks Bounded-load hashing,
	// whose lookups mutate load state.
	builder func(p algorithms.Params, h Hash, nodes []Node) (Builder, error)
	bounded bool
}

// forBoth runs check on nodes and on nodes with the node that the
// keys_moved_add figure joins (measure builds both), so that a parameter
// that fits n nodes but not n+1 is rejected before the run too.
func forBoth(nodes []Node, check func([]Node) error) error {
	if err := check(nodes); err != nil {
		return err
	}
	if err := check(joined(nodes)); err != nil {
		return fmt.Errorf("nodes=%d: %w (the keys_moved_add figure also builds it with node %d added)", len(nodes), err, len(nodes)+1)
	}
	return nil
}

func init() {
	specs := []spec{
		{name: "ring", tour: true, desc: "consistent hashing ring with virtual nodes (64-bit points, weights)",
			params: []algorithms.Param{pVnodes, pWeights},
			builder: func(p algorithms.Params, h Hash, nodes []Node) (Builder, error) {
				v := p.Int("vnodes")
				err := forBoth(nodes, func(n []Node) error { _, err := ringSize(n, v); return err })
				return func(n []Node) (Locator, error) { return NewRing(n, v, h) }, err
			}},
		{name: "jump", desc: "jump consistent hash (Lamping & Veach 2014): no memory, buckets added/removed at the end",
			builder: func(p algorithms.Params, h Hash, _ []Node) (Builder, error) {
				return func(n []Node) (Locator, error) { return NewJump(len(n), h), nil }, nil
			}},
		{name: "rendezvous", desc: "rendezvous / highest-random-weight hashing, weighted; O(nodes) per lookup",
			params: []algorithms.Param{pWeights},
			builder: func(p algorithms.Params, h Hash, _ []Node) (Builder, error) {
				return func(n []Node) (Locator, error) { return NewRendezvous(n, h) }, nil
			}},
		{name: "maglev", desc: "Maglev hashing (NSDI'16): prime lookup table filled by per-node permutations",
			params: []algorithms.Param{pTable},
			builder: func(p algorithms.Params, h Hash, nodes []Node) (Builder, error) {
				m := p.Int("table")
				err := forBoth(nodes, func(n []Node) error { return checkMaglev(n, m) })
				return func(n []Node) (Locator, error) { return NewMaglev(n, m, h) }, err
			}},
		{name: "bounded", bounded: true, desc: "consistent hashing with bounded loads (Mirrokni et al. 2016): ring, capacity ⌈c·m/n⌉",
			params: []algorithms.Param{pVnodes, pC},
			builder: func(p algorithms.Params, h Hash, nodes []Node) (Builder, error) {
				v, c := p.Int("vnodes"), p.Float("c")
				err := forBoth(nodes, func(n []Node) error { return CheckBounded(len(n), v, c) })
				return func(n []Node) (Locator, error) { return NewBounded(n, v, c, h) }, err
			}},
		{name: "multiprobe", desc: "multi-probe consistent hashing (Appleton & O'Reilly 2015): one point per node, k probes per key",
			params: []algorithms.Param{pProbes},
			builder: func(p algorithms.Params, h Hash, _ []Node) (Builder, error) {
				k := p.Int("probes")
				return func(n []Node) (Locator, error) { return NewMultiProbe(n, k, h) }, nil
			}},
		{name: "mod", desc: "hash(key) mod n: the bad baseline that moves almost every key on a change",
			builder: func(p algorithms.Params, h Hash, _ []Node) (Builder, error) {
				return func(n []Node) (Locator, error) { return NewMod(len(n), h), nil }, nil
			}},
	}
	for _, s := range specs {
		s := s
		algorithms.Register(algorithms.Info{
			Name:        "hashing/" + s.name,
			Description: s.desc,
			Params:      append([]algorithms.Param{pNodes, pHash}, s.params...),
			Tour:        s.tour,
			Workload:    "ycsb-c",
			// Combinations no single range catches (a non-prime table,
			// weights that do not match nodes, c = 1, too many ring
			// points) are bad input: exit 2 before anything runs.
			Check: func(p algorithms.Params) error {
				_, _, err := validate(s, p)
				return err
			},
			NewWall: func(env algorithms.Env) (harness.Target, error) { return newTarget(s, env.Params, env.Seed) },
		})
	}
}

// validate checks the parameters of spec s as a whole, without building
// anything, and returns the nodes (weights scaled to a mean of 1) and the
// Builder that newTarget uses. It is the one validation of a hashing
// target: Info.Check and newTarget both call it.
func validate(s spec, p algorithms.Params) ([]Node, Builder, error) {
	h, err := ParseHash(p.String("hash"))
	if err != nil {
		return nil, nil, fmt.Errorf("hashing/%s: %w", s.name, err)
	}
	var weights []float64
	if hasParam(s.params, "weights") {
		if weights, err = ParseWeights(p.String("weights")); err != nil {
			return nil, nil, fmt.Errorf("hashing/%s: %w", s.name, err)
		}
	}
	nodes, err := Nodes(p.Int("nodes"), weights)
	if err != nil {
		return nil, nil, fmt.Errorf("hashing/%s: %w", s.name, err)
	}
	// Scale the weights to a mean of 1, so that vnodes is the ring points
	// of a node of mean weight (the other algorithms are scale-free).
	mean := meanWeight(nodes)
	for i := range nodes {
		nodes[i].Weight /= mean
	}
	build, err := s.builder(p, h, nodes)
	if err != nil {
		return nil, nil, fmt.Errorf("hashing/%s: %w", s.name, err)
	}
	return nodes, build, nil
}

// newTarget builds the target for spec s.
func newTarget(s spec, p algorithms.Params, seed uint64) (harness.Target, error) {
	nodes, build, err := validate(s, p)
	if err != nil {
		return nil, err
	}
	loc, err := build(nodes)
	if err != nil {
		return nil, fmt.Errorf("hashing/%s: %w", s.name, err)
	}
	metrics, err := measure(build, nodes, seed, s.name == "rendezvous")
	if err != nil {
		return nil, fmt.Errorf("hashing/%s: %w", s.name, err)
	}
	metrics["memory_bytes"] = float64(loc.MemoryBytes())
	if r, ok := loc.(*Ring); ok {
		metrics["ring_points"] = float64(r.Points())
		metrics["ring_collisions"] = float64(r.Collisions)
	}
	if b, ok := loc.(*Bounded); ok {
		return &boundedTarget{b: b, static: metrics}, nil
	}
	return &lookupTarget{loc: loc, metrics: metrics}, nil
}

func hasParam(ps []algorithms.Param, name string) bool {
	for _, p := range ps {
		if p.Name == name {
			return true
		}
	}
	return false
}

// sampleSize is the key sample the construction-time figures use: 100k
// keys, fewer when a lookup costs O(nodes) so that construction stays short.
func sampleSize(nodes int, linear bool) int {
	if !linear {
		return 100_000
	}
	return min(100_000, max(2_000, 20_000_000/nodes))
}

// measure computes the figures that do not depend on the run: disruption on
// a membership change, balance of a uniform key sample, and lookup cost.
// lookup_ns is wall-clock time, measured once here over the sample on one
// goroutine with a warm cache; it is the only clock reading in the package.
func measure(build Builder, nodes []Node, seed uint64, linear bool) (map[string]float64, error) {
	keys := SampleKeys(sampleSize(len(nodes), linear), seed)
	mem, err := MeasureMembership(build, nodes, keys)
	if err != nil {
		return nil, err
	}
	fresh, err := build(nodes)
	if err != nil {
		return nil, err
	}
	bal := MeasureBalance(fresh, nodes, keys)
	timed, err := build(nodes)
	if err != nil {
		return nil, err
	}
	sink := 0
	start := time.Now()
	for _, k := range keys {
		sink += timed.Locate(k)
	}
	elapsed := time.Since(start)
	_ = sink
	return map[string]float64{
		"keys_moved_add":     mem.MovedAdd,
		"keys_moved_remove":  mem.MovedRemove,
		"ideal_moved":        mem.IdealAdd,
		"ideal_moved_remove": mem.IdealRemove,
		"sample_keys":        float64(len(keys)),
		"sample_max_mean":    bal.MaxMean,
		"sample_cov":         bal.CoV,
		"lookup_ns":          float64(elapsed.Nanoseconds()) / float64(len(keys)),
	}, nil
}

// lookupTarget serves an immutable Locator: concurrent lookups need no lock.
type lookupTarget struct {
	loc     Locator
	metrics map[string]float64
}

func (t *lookupTarget) Do(_ time.Duration, op *workloads.Op) harness.Outcome {
	return harness.Outcome{Shard: int32(t.loc.Locate(op.Key))}
}

func (t *lookupTarget) Metrics() map[string]float64 { return maps.Clone(t.metrics) }

// boundedTarget serves bounded loads, where every op's lookup counts toward
// its node's load for the rest of the run (requests are placed, never
// released), so the run's per-node op counts stay within ⌈c·m/n⌉. The load
// state is shared by all workers, so one mutex guards it: its cost is part of
// what a wall-clock run of hashing/bounded measures, as it would be in a
// proxy that shares load counts between threads.
type boundedTarget struct {
	mu     sync.Mutex
	b      *Bounded
	ops    uint64
	static map[string]float64
}

func (t *boundedTarget) Do(_ time.Duration, op *workloads.Op) harness.Outcome {
	t.mu.Lock()
	n := t.b.Acquire(op.Key)
	t.ops++
	t.mu.Unlock()
	if n < 0 {
		return harness.Outcome{Shard: harness.NoShard, Err: errNoNode}
	}
	return harness.Outcome{Shard: int32(n)}
}

var errNoNode = fmt.Errorf("hashing: no node available")

func (t *boundedTarget) Metrics() map[string]float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := maps.Clone(t.static)
	var mx int64
	for i := range t.b.load {
		mx = max(mx, t.b.Load(i))
	}
	out["bounded_capacity"] = float64(t.b.Capacity())
	out["bounded_max_load"] = float64(mx)
	if t.ops > 0 {
		out["bounded_walk_per_op"] = float64(t.b.Walked) / float64(t.ops)
	}
	return out
}

var (
	_ harness.Target    = (*lookupTarget)(nil)
	_ harness.Metricser = (*lookupTarget)(nil)
	_ harness.Target    = (*boundedTarget)(nil)
	_ harness.Metricser = (*boundedTarget)(nil)
)
