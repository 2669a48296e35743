package hashing

import (
	"fmt"
	"sort"
)

// MultiProbe is multi-probe consistent hashing (Appleton & O'Reilly,
// arXiv:1505.00062): one point per node, but each key is hashed k times and
// the node whose point is closest clockwise to any probe wins. k = 21 gives
// a peak-to-mean load of about 1.05 with O(n) memory, where a ring needs
// hundreds of virtual nodes per node for the same balance.
type MultiProbe struct {
	h      Hash
	k      int
	points []uint64
	owners []int32
}

const (
	probePointSalt = 0x6d70 << 48
	probeKeySalt   = 0x6b6579 << 40
)

// NewMultiProbe builds multi-probe hashing with k probes over nodes (weights
// are ignored except that weight 0 takes no keys).
func NewMultiProbe(nodes []Node, k int, h Hash) (*MultiProbe, error) {
	if k < 1 {
		return nil, fmt.Errorf("hashing: probes=%d: need at least 1", k)
	}
	if err := checkWeights(nodes); err != nil {
		return nil, err
	}
	type pt struct {
		at    uint64
		owner int32
	}
	var pts []pt
	for i, n := range nodes {
		if n.Weight > 0 {
			pts = append(pts, pt{h.Sum128(n.ID, probePointSalt), int32(i)})
		}
	}
	sort.Slice(pts, func(a, b int) bool {
		if pts[a].at != pts[b].at {
			return pts[a].at < pts[b].at
		}
		return nodes[pts[a].owner].ID < nodes[pts[b].owner].ID
	})
	mp := &MultiProbe{h: h, k: k}
	for i, p := range pts {
		if i > 0 && p.at == pts[i-1].at {
			continue // a collision: the smaller ID keeps the point
		}
		mp.points = append(mp.points, p.at)
		mp.owners = append(mp.owners, p.owner)
	}
	return mp, nil
}

// Locate returns the index of key's owner.
func (mp *MultiProbe) Locate(key uint64) int {
	best, bestDist := 0, ^uint64(0)
	for i := 0; i < mp.k; i++ {
		ph := mp.h.Sum128(key, probeKeySalt|uint64(i))
		j := successor(mp.points, ph)
		// Clockwise distance; uint64 wrap-around is the circle.
		if d := mp.points[j] - ph; d < bestDist {
			best, bestDist = j, d
		}
	}
	return int(mp.owners[best])
}

// MemoryBytes is the size of the lookup structure.
func (mp *MultiProbe) MemoryBytes() int { return len(mp.points)*8 + len(mp.owners)*4 }
