package hashing

import (
	"fmt"
)

// Maglev is Google's Maglev hashing (Eisenbud et al., NSDI'16, §3.4): a
// lookup table of prime size M that each node fills by its own permutation
// (offset, skip), taking turns, so every node owns ⌊M/n⌋ or ⌈M/n⌉ entries.
// A lookup is one hash and one array index. It moves somewhat more than the
// minimal share of keys on a membership change.
type Maglev struct {
	h     Hash
	table []int32
	m     uint64
}

const (
	maglevOffsetSalt = 0x6f6666736574 // "offset"
	maglevSkipSalt   = 0x736b6970     // "skip"
)

// NewMaglev fills a table of size m (a prime, at least the number of live
// nodes) for nodes. Nodes of weight 0 take no entries; other weights are
// ignored (the paper's table is unweighted).
func NewMaglev(nodes []Node, m int, h Hash) (*Maglev, error) {
	if err := checkMaglev(nodes, m); err != nil {
		return nil, err
	}
	var live []int
	for i, n := range nodes {
		if n.Weight > 0 {
			live = append(live, i)
		}
	}
	M := uint64(m)
	offset := make([]uint64, len(live))
	skip := make([]uint64, len(live))
	next := make([]uint64, len(live))
	for j, i := range live {
		offset[j] = h.Sum128(nodes[i].ID, maglevOffsetSalt) % M
		skip[j] = h.Sum128(nodes[i].ID, maglevSkipSalt)%(M-1) + 1
	}
	table := make([]int32, m)
	for k := range table {
		table[k] = -1
	}
	filled := 0
	for {
		for j, i := range live {
			// Next preferred slot in node j's permutation that is still free.
			c := (offset[j] + next[j]*skip[j]) % M
			for table[c] >= 0 {
				next[j]++
				c = (offset[j] + next[j]*skip[j]) % M
			}
			table[c] = int32(i)
			next[j]++
			if filled++; filled == m {
				return &Maglev{h: h, table: table, m: M}, nil
			}
		}
	}
}

// checkMaglev returns the error NewMaglev would return for nodes and table
// size m, without building the table.
func checkMaglev(nodes []Node, m int) error {
	if err := checkWeights(nodes); err != nil {
		return err
	}
	if !isPrime(m) {
		return fmt.Errorf("hashing: table=%d is not prime (valid: a prime table size, as Maglev's permutations need, e.g. 251, 4099, 65537, 655373)", m)
	}
	live := 0
	for _, n := range nodes {
		if n.Weight > 0 {
			live++
		}
	}
	if m < live {
		return fmt.Errorf("hashing: table=%d is smaller than the %d nodes (valid: a prime ≥ the number of nodes; the paper advises table > 100·nodes)", m, live)
	}
	return nil
}

// Locate returns the index of key's owner.
func (g *Maglev) Locate(key uint64) int { return int(g.table[g.h.Sum64(key)%g.m]) }

// Entries returns how many table entries each node owns (indexed like nodes).
func (g *Maglev) Entries(n int) []int {
	out := make([]int, n)
	for _, o := range g.table {
		out[o]++
	}
	return out
}

// MemoryBytes is the size of the lookup table.
func (g *Maglev) MemoryBytes() int { return len(g.table) * 4 }

// isPrime reports whether n is prime, by trial division (table sizes are
// small enough).
func isPrime(n int) bool {
	if n < 2 {
		return false
	}
	for d := 2; d*d <= n; d++ {
		if n%d == 0 {
			return false
		}
	}
	return true
}
