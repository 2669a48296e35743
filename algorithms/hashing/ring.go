package hashing

import (
	"fmt"
	"math"
	"sort"
)

// Ring is consistent hashing with virtual nodes (Karger et al.; ketama): each
// node owns about vnodes·weight points on a 64-bit circle, and a key belongs
// to the owner of the first point clockwise from its hash. A node's points
// depend on its own ID and weight only (not, as in ketama, on the total
// weight), so a membership change moves keys only to or from the node that
// joins or leaves.
//
// Points are 64 bits, unlike the 32-bit rings that silently overwrite each
// other on collision. Two points may still collide: the tie goes to the
// node with the smaller ID and the loser's point is dropped (and counted in
// Collisions), so the owner of every position is a function of the member
// set alone, whatever order the nodes were added in.
type Ring struct {
	h          Hash
	points     []uint64 // sorted
	owners     []int32  // owners[i] is the index in nodes of points[i]'s node
	nodes      []Node
	Collisions int
}

// ringPointSalt separates point hashes (node, replica) from other 16-byte
// hashes of small integers.
const ringPointSalt = 0x72696e67 << 32

// MaxRingPoints bounds the points of one ring, so that a large weight or
// vnodes cannot exhaust memory.
const MaxRingPoints = 20_000_000

// NewRing builds a ring over nodes with vnodes points per unit of weight
// (a node of weight 1 gets vnodes points; scale the weights so that their
// mean is 1 for vnodes points per node of mean weight).
func NewRing(nodes []Node, vnodes int, h Hash) (*Ring, error) {
	total, err := ringSize(nodes, vnodes)
	if err != nil {
		return nil, err
	}
	type pt struct {
		at    uint64
		owner int32
	}
	pts := make([]pt, 0, total)
	for i, n := range nodes {
		for v := 0; v < replicas(n.Weight, vnodes); v++ {
			pts = append(pts, pt{h.Sum128(n.ID, ringPointSalt|uint64(v)), int32(i)})
		}
	}
	sort.Slice(pts, func(a, b int) bool {
		if pts[a].at != pts[b].at {
			return pts[a].at < pts[b].at
		}
		if ia, ib := nodes[pts[a].owner].ID, nodes[pts[b].owner].ID; ia != ib {
			return ia < ib
		}
		return pts[a].owner < pts[b].owner
	})
	r := &Ring{h: h, nodes: nodes, points: make([]uint64, 0, len(pts)), owners: make([]int32, 0, len(pts))}
	for i, p := range pts {
		if i > 0 && p.at == pts[i-1].at {
			r.Collisions++
			continue
		}
		r.points = append(r.points, p.at)
		r.owners = append(r.owners, p.owner)
	}
	return r, nil
}

// ringSize returns the number of points NewRing would place for nodes and
// vnodes, or the error NewRing would return, without building anything.
func ringSize(nodes []Node, vnodes int) (int, error) {
	if vnodes < 1 {
		return 0, fmt.Errorf("hashing: vnodes=%d: need at least 1", vnodes)
	}
	if err := checkWeights(nodes); err != nil {
		return 0, err
	}
	total := 0.0 // in floating point: a huge weight must not overflow an int
	for _, n := range nodes {
		if n.Weight > 0 {
			total += math.Max(1, math.Round(float64(vnodes)*n.Weight))
		}
	}
	if total > MaxRingPoints {
		return 0, fmt.Errorf("hashing: vnodes=%d over %d nodes makes more than %d ring points (valid: nodes × vnodes ≤ %d; lower vnodes or nodes)",
			vnodes, len(nodes), MaxRingPoints, MaxRingPoints)
	}
	return int(total), nil
}

// replicas is how many points a node of weight w gets: proportional, and at
// least one for any positive weight (ringSize counts the same).
func replicas(w float64, vnodes int) int {
	if w == 0 {
		return 0
	}
	return int(max(1, math.Round(float64(vnodes)*w)))
}

// Locate returns the index of key's owner.
func (r *Ring) Locate(key uint64) int { return int(r.owners[successor(r.points, r.h.Sum64(key))]) }

// Points is the number of points on the ring.
func (r *Ring) Points() int { return len(r.points) }

// MemoryBytes is the size of the lookup structure.
func (r *Ring) MemoryBytes() int { return len(r.points)*8 + len(r.owners)*4 }
