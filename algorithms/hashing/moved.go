package hashing

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// SampleKeys returns n keys drawn from seed: the deterministic sample the
// membership and balance figures are measured over.
func SampleKeys(n int, seed uint64) []uint64 {
	r := rand.New(rand.NewPCG(seed, 0x6b657973))
	keys := make([]uint64, n)
	for i := range keys {
		keys[i] = r.Uint64()
	}
	return keys
}

// Moved returns the fraction of keys whose owner (by node ID) differs
// between a locator built over before and one built over after. Each
// locator is fresh, so for Bounded the keys are placed in sample order on
// both sides.
func Moved(build Builder, before, after []Node, keys []uint64) (float64, error) {
	a, err := build(before)
	if err != nil {
		return 0, err
	}
	b, err := build(after)
	if err != nil {
		return 0, err
	}
	moved := 0
	for _, k := range keys {
		if before[a.Locate(k)].ID != after[b.Locate(k)].ID {
			moved++
		}
	}
	return float64(moved) / float64(len(keys)), nil
}

// Membership holds the disruption figures for one node added to and one
// removed from a cluster.
type Membership struct {
	MovedAdd, MovedRemove float64
	// IdealAdd and IdealRemove are the least that can move: the joining
	// or leaving node's share of the total weight, 1/(n+1) and 1/n for
	// equal weights.
	IdealAdd, IdealRemove float64
}

// MeasureMembership adds a node (ID one past the largest, with the mean
// weight, so the ideal is 1/(n+1) whatever the weights) to nodes and,
// separately, removes the last node, and reports the share of keys that
// change owner each time. The last node is the one removed because jump hash
// can only remove the last bucket; for the other algorithms any node is alike.
func MeasureMembership(build Builder, nodes []Node, keys []uint64) (Membership, error) {
	n := len(nodes)
	mean := meanWeight(nodes)
	total := mean * float64(n)
	grown := joined(nodes)
	m := Membership{IdealAdd: mean / (total + mean)}
	var err error
	if m.MovedAdd, err = Moved(build, nodes, grown, keys); err != nil {
		return m, err
	}
	if n < 2 {
		return m, nil
	}
	m.IdealRemove = nodes[n-1].Weight / total
	shrunk := nodes[:n-1]
	if err := checkWeights(shrunk); err != nil {
		return m, nil // removing the last live node leaves nothing to compare
	}
	if m.MovedRemove, err = Moved(build, nodes, shrunk, keys); err != nil {
		return m, fmt.Errorf("removing a node: %w", err)
	}
	return m, nil
}

// joined returns nodes plus the node MeasureMembership adds: ID one past the
// largest, with the mean weight.
func joined(nodes []Node) []Node {
	var maxID uint64
	for _, nd := range nodes {
		maxID = max(maxID, nd.ID)
	}
	return append(append([]Node(nil), nodes...), Node{ID: maxID + 1, Weight: meanWeight(nodes)})
}

// Balance summarises how many sample keys each node owns, relative to its
// fair share (its weight over the total weight).
type Balance struct {
	MaxMean float64 // peak-to-fair-share ratio over nodes with positive weight
	CoV     float64 // coefficient of variation of the load / fair-share ratios
	Counts  []int
}

// MeasureBalance places keys with loc and summarises the per-node counts.
func MeasureBalance(loc Locator, nodes []Node, keys []uint64) Balance {
	counts := make([]int, len(nodes))
	for _, k := range keys {
		counts[loc.Locate(k)]++
	}
	total := meanWeight(nodes) * float64(len(nodes))
	var mx, s, ss float64
	live := 0
	for i, c := range counts {
		if nodes[i].Weight == 0 {
			continue
		}
		r := float64(c) / (float64(len(keys)) * nodes[i].Weight / total)
		mx = math.Max(mx, r)
		s += r
		ss += r * r
		live++
	}
	mean := s / float64(live)
	return Balance{MaxMean: mx, CoV: math.Sqrt(math.Max(0, ss/float64(live)-mean*mean)) / mean, Counts: counts}
}
