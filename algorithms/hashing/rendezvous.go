package hashing

import "math"

// Rendezvous is highest-random-weight hashing (Thaler & Ravishankar): the
// node with the highest hash(key, node) owns the key, so removing a node
// moves only its own keys. A lookup costs one hash per node.
//
// Weighted nodes use the logarithmic method (Schindelhauer & Schomaker,
// "Weighted distributed hash tables", 2005): score = −w / ln(u) with u the
// hash mapped to (0, 1); a node then wins a share of keys proportional to
// its weight, and changing one weight moves keys only to or from that node.
type Rendezvous struct {
	h       Hash
	ids     []uint64
	weights []float64 // nil when every weight is equal
	nodes   []Node
}

// NewRendezvous builds HRW hashing over nodes.
func NewRendezvous(nodes []Node, h Hash) (*Rendezvous, error) {
	if err := checkWeights(nodes); err != nil {
		return nil, err
	}
	r := &Rendezvous{h: h, nodes: nodes, ids: make([]uint64, len(nodes))}
	equal := true
	for i, n := range nodes {
		r.ids[i] = n.ID
		equal = equal && n.Weight == nodes[0].Weight
	}
	if !equal {
		r.weights = make([]float64, len(nodes))
		for i, n := range nodes {
			r.weights[i] = n.Weight
		}
	}
	return r, nil
}

// Locate returns the index of key's owner. Ties (equal hashes) go to the
// earlier node, which for IDs in list order is the smaller ID.
func (r *Rendezvous) Locate(key uint64) int {
	best := 0
	if r.weights == nil {
		var top uint64
		for i, id := range r.ids {
			if s := r.h.Sum128(key, id); s > top || i == 0 {
				best, top = i, s
			}
		}
		return best
	}
	top := -1.0
	for i, id := range r.ids {
		w := r.weights[i]
		if w == 0 {
			continue
		}
		// u in (0, 1): the top 53 bits, centred in their interval.
		u := (float64(r.h.Sum128(key, id)>>11) + 0.5) / (1 << 53)
		if s := -w / math.Log(u); s > top {
			best, top = i, s
		}
	}
	return best
}

// MemoryBytes is the size of the lookup structure.
func (r *Rendezvous) MemoryBytes() int { return len(r.ids)*8 + len(r.weights)*8 }
