package dynamo

import "github.com/dsbench/dsbench/algorithms/hashing"

// Version is one write of a key: a unique id (the value it stands for) and
// the vector clock the coordinator gave it. Versions are immutable once
// made, so stores and messages share them.
type Version struct {
	ID    uint64
	Clock VC
}

// AddVersion adds v to the sibling set vs (§4.4 syntactic reconciliation):
// v is dropped if a version in vs descends from it (or is it), and every
// version v descends from is dropped. It returns the new set and whether it
// changed; removed, if not nil, receives the versions dropped from vs.
func AddVersion(vs []Version, v Version, removed *[]Version) ([]Version, bool) {
	for _, x := range vs {
		if x.ID == v.ID || Descends(x.Clock, v.Clock) {
			return vs, false
		}
	}
	out := vs[:0]
	for _, x := range vs {
		if Descends(v.Clock, x.Clock) {
			if removed != nil {
				*removed = append(*removed, x)
			}
			continue
		}
		out = append(out, x)
	}
	return append(out, v), true
}

// Covers reports whether some version in vs descends from clock c: a read
// that returned vs saw the write c stands for, or a later one.
func Covers(vs []Version, c VC) bool {
	for _, x := range vs {
		if Descends(x.Clock, c) {
			return true
		}
	}
	return false
}

// CoversAll reports whether vs covers every version of ws.
func CoversAll(vs, ws []Version) bool {
	for _, w := range ws {
		if !Covers(vs, w.Clock) {
			return false
		}
	}
	return true
}

// versionDigest is what one version adds to its Merkle leaf.
func versionDigest(key, id uint64) uint64 {
	return hashing.Fmix64(key*0xBF58476D1CE4E5B9 ^ hashing.Fmix64(id+0x94D049BB133111EB))
}

// Store is one node's versioned store: each key's sibling set, and for each
// key range it holds, a Merkle tree over its keys and the keys of each
// leaf (in insertion order, so anti-entropy is deterministic). Deletes are
// writes (tombstones in Dynamo), so keys are never removed.
type Store struct {
	data   map[uint64][]Version
	parts  []*part // by range; nil until the node stores a key of it
	leaves int
	tmp    []Version
}

type part struct {
	m    *Merkle
	keys [][]uint64 // by leaf
}

// NewStore returns an empty store for a ring of ranges key ranges, with
// Merkle trees of leaves leaves.
func NewStore(ranges, leaves int) *Store {
	return &Store{data: map[uint64][]Version{}, parts: make([]*part, ranges), leaves: leaves}
}

// Get returns key's sibling set (the store's own slice: copy before keeping).
func (s *Store) Get(key uint64) []Version { return s.data[key] }

// Len is the number of keys stored.
func (s *Store) Len() int { return len(s.data) }

// Part returns range rg's Merkle tree, creating an empty one.
func (s *Store) Part(rg int) *Merkle { return s.part(rg).m }

func (s *Store) part(rg int) *part {
	p := s.parts[rg]
	if p == nil {
		p = &part{m: NewMerkle(s.leaves), keys: make([][]uint64, s.leaves)}
		s.parts[rg] = p
	}
	return p
}

// LeafKeys returns the keys of range rg's leaf (the store's own slice).
func (s *Store) LeafKeys(rg, leaf int) []uint64 {
	p := s.parts[rg]
	if p == nil {
		return nil
	}
	return p.keys[leaf]
}

// Put adds v to key (of range rg, hashing to keyHash) and keeps the Merkle
// tree in step. It reports whether the stored set changed.
func (s *Store) Put(key, keyHash uint64, rg int, v Version) bool {
	old, had := s.data[key]
	s.tmp = s.tmp[:0]
	vs, changed := AddVersion(old, v, &s.tmp)
	if !changed {
		return false
	}
	s.data[key] = vs
	p := s.part(rg)
	leaf := p.m.Leaf(keyHash)
	if !had {
		p.keys[leaf] = append(p.keys[leaf], key)
	}
	d := versionDigest(key, v.ID)
	for _, x := range s.tmp {
		d ^= versionDigest(key, x.ID)
	}
	p.m.Toggle(leaf, d)
	return true
}
