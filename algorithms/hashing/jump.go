package hashing

// JumpHash is Lamping & Veach's jump consistent hash (arXiv:1406.2294,
// figure 1): it maps key to a bucket in [0, n) with no state, moving only
// 1/(n+1) of keys when n grows by one. Buckets can only be added or removed
// at the end, so a cluster using it must number its nodes densely.
func JumpHash(key uint64, n int) int {
	b, j := int64(-1), int64(0)
	for j < int64(n) {
		b = j
		key = key*2862933555777941757 + 1
		j = int64(float64(b+1) * (float64(int64(1)<<31) / float64((key>>33)+1)))
	}
	return int(b)
}

// Jump looks keys up with JumpHash over n buckets. The key is hashed first
// (with hash=), as the paper advises for keys that are not already uniform.
type Jump struct {
	h Hash
	n int
}

// NewJump returns jump hashing over n buckets.
func NewJump(n int, h Hash) *Jump { return &Jump{h: h, n: n} }

// Locate returns key's bucket.
func (j *Jump) Locate(key uint64) int { return JumpHash(j.h.Sum64(key), j.n) }

// MemoryBytes is zero: jump hash keeps no table.
func (j *Jump) MemoryBytes() int { return 0 }
