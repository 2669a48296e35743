package dynamo

import "github.com/dsbench/dsbench/algorithms/hashing"

// Merkle is the hash tree a node keeps for one key range (§4.7): the leaves
// hash the keys of 1/leaves of the range each, every parent hashes its two
// children, and two replicas compare trees from the root down, exchanging
// only the leaves whose hashes differ. A leaf is the XOR of its keys'
// version digests, so a write updates it in O(1) and its path to the root
// in O(log leaves).
type Merkle struct {
	tree   []uint64 // heap order: tree[1] is the root, leaves at tree[leaves:]
	leaves int
}

// NewMerkle returns an empty tree of leaves leaves (a power of two ≥ 2).
func NewMerkle(leaves int) *Merkle {
	if leaves < 2 || leaves&(leaves-1) != 0 {
		panic("dynamo: Merkle leaves must be a power of two ≥ 2")
	}
	m := &Merkle{tree: make([]uint64, 2*leaves), leaves: leaves}
	for i := leaves - 1; i >= 1; i-- {
		m.tree[i] = combine(m.tree[2*i], m.tree[2*i+1])
	}
	return m
}

func combine(a, b uint64) uint64 {
	return hashing.Fmix64(a*0x9E3779B97F4A7C15 ^ hashing.Fmix64(b+0x632BE59BD9B4E019))
}

// Leaves is the number of leaves.
func (m *Merkle) Leaves() int { return m.leaves }

// Leaf returns the leaf a key hash falls in.
func (m *Merkle) Leaf(keyHash uint64) int { return int(keyHash) & (m.leaves - 1) }

// Toggle XORs digest into leaf and rehashes the path to the root: call it
// with a key's old digest to remove it and with its new one to add it.
func (m *Merkle) Toggle(leaf int, digest uint64) {
	i := m.leaves + leaf
	m.tree[i] ^= digest
	for i >>= 1; i >= 1; i >>= 1 {
		m.tree[i] = combine(m.tree[2*i], m.tree[2*i+1])
	}
}

// Root is the root hash.
func (m *Merkle) Root() uint64 { return m.tree[1] }

// Diff appends to dst the leaves where m and o differ, found by descending
// only into differing subtrees, and returns it with the number of tree
// levels visited (the round trips a real exchange of hashes takes).
func (m *Merkle) Diff(o *Merkle, dst []int) ([]int, int) {
	if m.tree[1] == o.tree[1] {
		return dst, 1
	}
	levels := 1
	frontier := []int{1}
	for len(frontier) > 0 && frontier[0] < m.leaves {
		levels++
		var next []int
		for _, i := range frontier {
			for _, c := range [2]int{2 * i, 2*i + 1} {
				if m.tree[c] != o.tree[c] {
					next = append(next, c)
				}
			}
		}
		frontier = next
	}
	for _, i := range frontier {
		dst = append(dst, i-m.leaves)
	}
	return dst, levels
}
