package hashing

// Mod is hash(key) mod n: perfectly balanced, and the bad baseline, since
// changing n moves about n/(n+1) of all keys instead of 1/(n+1).
type Mod struct {
	h Hash
	n uint64
}

// NewMod returns mod-n hashing over n nodes.
func NewMod(n int, h Hash) *Mod { return &Mod{h: h, n: uint64(n)} }

// Locate returns key's node.
func (m *Mod) Locate(key uint64) int { return int(m.h.Sum64(key) % m.n) }

// MemoryBytes is zero: there is no table.
func (m *Mod) MemoryBytes() int { return 0 }
