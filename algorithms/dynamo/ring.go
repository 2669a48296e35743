package dynamo

import (
	"fmt"
	"sort"

	"github.com/dsbench/dsbench/algorithms/hashing"
)

// Ring is Dynamo's consistent-hash ring with virtual nodes (§4.2): node i
// owns vnodes points ("tokens") on a 64-bit circle, placed exactly as
// hashing.Ring places them (the same hash of (node id, replica number)), so
// the first node of every preference list is hashing.Ring's owner of the
// key. A key range is the arc ending at a point; its preference list
// (§4.3) is the walk clockwise from that point that keeps each physical
// node once. The first N entries are the key's replicas; the rest are the
// nodes the sloppy quorum falls back to, in order (§4.6).
type Ring struct {
	h      hashing.Hash
	points []uint64 // sorted
	pref   []int8   // pref[r*nodes : (r+1)*nodes]: range r's walk over every node
	nodes  int
}

// ringPointSalt is hashing.Ring's salt for point hashes.
const ringPointSalt = 0x72696e67 << 32

// MaxNodes bounds the cluster (node indexes fit an int8 and a clock stays short).
const MaxNodes = 64

// NewRing places vnodes points for each of nodes nodes.
func NewRing(nodes, vnodes int, h hashing.Hash) (*Ring, error) {
	if nodes < 1 || nodes > MaxNodes {
		return nil, fmt.Errorf("dynamo: nodes=%d (valid: 1…%d)", nodes, MaxNodes)
	}
	if vnodes < 1 || nodes*vnodes > 1<<20 {
		return nil, fmt.Errorf("dynamo: vnodes=%d over %d nodes (valid: 1…%d)", vnodes, nodes, (1<<20)/nodes)
	}
	type pt struct {
		at    uint64
		owner int8
	}
	pts := make([]pt, 0, nodes*vnodes)
	for i := 0; i < nodes; i++ {
		for v := 0; v < vnodes; v++ {
			pts = append(pts, pt{h.Sum128(uint64(i), ringPointSalt|uint64(v)), int8(i)})
		}
	}
	sort.Slice(pts, func(a, b int) bool {
		if pts[a].at != pts[b].at {
			return pts[a].at < pts[b].at
		}
		return pts[a].owner < pts[b].owner
	})
	// Collisions keep the smaller node id, as hashing.Ring does.
	r := &Ring{h: h, nodes: nodes}
	var owners []int8
	for i, p := range pts {
		if i > 0 && p.at == pts[i-1].at {
			continue
		}
		r.points = append(r.points, p.at)
		owners = append(owners, p.owner)
	}
	n := len(r.points)
	r.pref = make([]int8, n*nodes)
	seen := make([]bool, nodes)
	for i := 0; i < n; i++ {
		clear(seen)
		out := r.pref[i*nodes : i*nodes : (i+1)*nodes]
		for j := 0; len(out) < nodes && j < n; j++ {
			o := owners[(i+j)%n]
			if !seen[o] {
				seen[o] = true
				out = append(out, o)
			}
		}
		if len(out) < nodes { // a node with every point lost to collisions
			for o := 0; o < nodes; o++ {
				if !seen[o] {
					out = append(out, int8(o))
				}
			}
		}
	}
	return r, nil
}

// Ranges is the number of key ranges (ring points).
func (r *Ring) Ranges() int { return len(r.points) }

// Nodes is the number of physical nodes.
func (r *Ring) Nodes() int { return r.nodes }

// Range returns the index of the key range that holds key: the first point
// clockwise from the key's hash.
func (r *Ring) Range(key uint64) int {
	hk := r.h.Sum64(key)
	i := sort.Search(len(r.points), func(i int) bool { return r.points[i] >= hk })
	if i == len(r.points) {
		i = 0
	}
	return i
}

// Pref returns range rg's preference list over every node: the first N are
// its replicas, the rest the sloppy quorum's fallbacks in ring order. The
// slice is the ring's own; do not modify it.
func (r *Ring) Pref(rg int) []int8 { return r.pref[rg*r.nodes : (rg+1)*r.nodes] }

// KeyHash is the hash that places key on the ring.
func (r *Ring) KeyHash(key uint64) uint64 { return r.h.Sum64(key) }
