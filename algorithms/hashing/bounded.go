package hashing

import (
	"fmt"
	"math"
)

// Bounded is consistent hashing with bounded loads (Mirrokni, Thorup &
// Zadimoghaddam, "Consistent Hashing with Bounded Loads", 2016; as Vimeo
// deployed it in HAProxy): every node has capacity ⌈c·m/n⌉ where m is the
// number of placed items (counting the one being placed) and n the number
// of available nodes; an item whose ring owner is full walks clockwise to
// the next node with room. With c > 1 some node always has room.
//
// Loads change with every placement, so Bounded is not safe for concurrent
// use: the target and the balancer that use it hold a lock.
type Bounded struct {
	ring   *Ring
	c      float64
	load   []int64
	avail  []bool
	nAvail int
	total  int64
	// Walked counts points stepped past because their node was full or
	// unavailable: the cost of the bound.
	Walked uint64
}

// NewBounded builds bounded-load hashing over a ring of nodes with vnodes
// points each (weights are ignored: every node has the same capacity).
func NewBounded(nodes []Node, vnodes int, c float64, h Hash) (*Bounded, error) {
	if err := CheckBounded(len(nodes), vnodes, c); err != nil {
		return nil, err
	}
	eq := make([]Node, len(nodes))
	for i, n := range nodes {
		eq[i] = Node{ID: n.ID, Weight: 1}
	}
	r, err := NewRing(eq, vnodes, h)
	if err != nil {
		return nil, err
	}
	b := &Bounded{ring: r, c: c, load: make([]int64, len(nodes)), avail: make([]bool, len(nodes)), nAvail: len(nodes)}
	for i := range b.avail {
		b.avail[i] = true
	}
	return b, nil
}

// CheckBounded returns the error NewBounded would return for n nodes,
// vnodes points each and load bound c, without building anything, so that
// callers can reject bad parameters before a run.
func CheckBounded(n, vnodes int, c float64) error {
	if !(c > 1) || math.IsInf(c, 0) {
		return fmt.Errorf("hashing: c=%v: the load bound must be above 1 (valid: a finite c > 1, e.g. 1.25)", c)
	}
	if n < 1 {
		return fmt.Errorf("hashing: %d nodes: need at least 1", n)
	}
	eq := make([]Node, n)
	for i := range eq {
		eq[i] = Node{ID: uint64(i), Weight: 1}
	}
	_, err := ringSize(eq, vnodes)
	return err
}

// Capacity is the most items a node may hold once one more is placed.
func (b *Bounded) Capacity() int64 {
	if b.nAvail == 0 {
		return 0
	}
	return int64(math.Ceil(b.c * float64(b.total+1) / float64(b.nAvail)))
}

// Acquire places key on its owner or, if that node is full or unavailable,
// on the next node clockwise with room, and returns its index; -1 when no
// node is available.
func (b *Bounded) Acquire(key uint64) int {
	capacity := b.Capacity()
	pts := b.ring.owners
	i := successor(b.ring.points, b.ring.h.Sum64(key))
	for range pts {
		o := pts[i]
		if b.avail[o] && b.load[o] < capacity {
			b.load[o]++
			b.total++
			return int(o)
		}
		b.Walked++
		if i++; i == len(pts) {
			i = 0
		}
	}
	return -1
}

// Locate is Acquire: for bounded loads, looking a key up places it.
func (b *Bounded) Locate(key uint64) int { return b.Acquire(key) }

// Release removes one item from node.
func (b *Bounded) Release(node int) {
	if b.load[node] > 0 {
		b.load[node]--
		b.total--
	}
}

// SetAvailable marks node as able (or not) to take new items. Items it holds
// stay counted until released.
func (b *Bounded) SetAvailable(node int, ok bool) {
	if b.avail[node] != ok {
		b.avail[node] = ok
		if ok {
			b.nAvail++
		} else {
			b.nAvail--
		}
	}
}

// Load returns node's current load.
func (b *Bounded) Load(node int) int64 { return b.load[node] }

// Total is the number of items placed and not released.
func (b *Bounded) Total() int64 { return b.total }

// MemoryBytes is the size of the ring and the load counters.
func (b *Bounded) MemoryBytes() int { return b.ring.MemoryBytes() + len(b.load)*9 }
