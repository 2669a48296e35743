package lsm

import (
	"bytes"
	"encoding/binary"
	"sync/atomic"
	"unsafe"
)

// skiplist is the memtable: a skiplist whose nodes live in one arena, as in
// LevelDB and Pebble's arenaskl. One writer (the DB holds its write lock)
// inserts while any number of readers search and iterate without a lock: a
// node is fully written before the atomic store of a tower pointer publishes
// it. Inserting allocates nothing beyond the entry's bytes in the arena.
//
// Node layout, 4-byte aligned:
//
//	keyLen u32 | valLen u32 | trailer u64 | height u32 | next[height] u32 | key | value
type skiplist struct {
	buf    []byte
	used   atomic.Uint32
	head   uint32
	height atomic.Uint32
	rng    uint64 // xorshift state for tower heights; only the writer touches it
	count  atomic.Int64
}

const (
	maxHeight  = 12
	nodeHeader = 20
	nilNode    = 0 // offset 0 is reserved so that 0 means nil
)

// newSkiplist makes a memtable with capacity bytes for entries (the head
// node and the reserved nil offset come on top).
func newSkiplist(capacity int) *skiplist {
	capacity = (capacity + 8 + nodeSize(0, 0, maxHeight) + 7) &^ 7
	words := make([]uint64, capacity/8+1)
	s := &skiplist{buf: unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), len(words)*8), rng: 0x9e3779b97f4a7c15}
	s.used.Store(8)
	s.head = s.alloc(0, 0, maxHeight)
	s.height.Store(1)
	return s
}

func nodeSize(klen, vlen, height int) int { return (nodeHeader + 4*height + klen + vlen + 3) &^ 3 }

// entrySpace is the arena space an entry needs at most (a maximal tower).
func entrySpace(klen, vlen int) int { return nodeSize(klen, vlen, maxHeight) }

// fits reports whether need bytes of entries (summed entrySpace) fit.
func (s *skiplist) fits(need int) bool { return int(s.used.Load())+need <= len(s.buf) }

// bytes is the arena space in use: the memtable's size.
func (s *skiplist) bytes() int { return int(s.used.Load()) }

func (s *skiplist) alloc(klen, vlen, height int) uint32 {
	off := s.used.Load()
	s.used.Store(off + uint32(nodeSize(klen, vlen, height)))
	b := s.buf[off:]
	binary.LittleEndian.PutUint32(b[0:], uint32(klen))
	binary.LittleEndian.PutUint32(b[4:], uint32(vlen))
	binary.LittleEndian.PutUint32(b[16:], uint32(height))
	return off
}

func (s *skiplist) next(n uint32, level int) uint32 {
	return (*atomic.Uint32)(unsafe.Pointer(&s.buf[n+nodeHeader+4*uint32(level)])).Load()
}

func (s *skiplist) setNext(n uint32, level int, to uint32) {
	(*atomic.Uint32)(unsafe.Pointer(&s.buf[n+nodeHeader+4*uint32(level)])).Store(to)
}

func (s *skiplist) nodeKey(n uint32) []byte {
	klen := binary.LittleEndian.Uint32(s.buf[n:])
	h := binary.LittleEndian.Uint32(s.buf[n+16:])
	start := n + nodeHeader + 4*h
	return s.buf[start : start+klen : start+klen]
}

func (s *skiplist) nodeValue(n uint32) []byte {
	klen := binary.LittleEndian.Uint32(s.buf[n:])
	vlen := binary.LittleEndian.Uint32(s.buf[n+4:])
	h := binary.LittleEndian.Uint32(s.buf[n+16:])
	start := n + nodeHeader + 4*h + klen
	return s.buf[start : start+vlen : start+vlen]
}

func (s *skiplist) nodeTrailer(n uint32) uint64 { return binary.LittleEndian.Uint64(s.buf[n+8:]) }

func (s *skiplist) randomHeight() int {
	h := 1
	for h < maxHeight {
		s.rng ^= s.rng << 13
		s.rng ^= s.rng >> 7
		s.rng ^= s.rng << 17
		if s.rng&3 != 0 { // branching factor 4, as LevelDB
			break
		}
		h++
	}
	return h
}

// less reports whether node n sorts before (key, trailer).
func (s *skiplist) less(n uint32, key []byte, trailer uint64) bool {
	return compareInternal(s.nodeKey(n), s.nodeTrailer(n), key, trailer) < 0
}

// add inserts an entry; the caller has checked fits. Single writer only.
func (s *skiplist) add(key []byte, trailer uint64, value []byte) {
	var prev [maxHeight]uint32
	x := s.head
	for level := int(s.height.Load()) - 1; level >= 0; level-- {
		for {
			nx := s.next(x, level)
			if nx == nilNode || !s.less(nx, key, trailer) {
				break
			}
			x = nx
		}
		prev[level] = x
	}
	h := s.randomHeight()
	if cur := int(s.height.Load()); h > cur {
		for l := cur; l < h; l++ {
			prev[l] = s.head
		}
		s.height.Store(uint32(h))
	}
	n := s.alloc(len(key), len(value), h)
	binary.LittleEndian.PutUint64(s.buf[n+8:], trailer)
	copy(s.nodeKey(n), key)
	copy(s.nodeValue(n), value)
	for l := 0; l < h; l++ {
		s.setNext(n, l, s.next(prev[l], l))
		s.setNext(prev[l], l, n) // publishes n at this level
	}
	s.count.Add(1)
}

// seekGE returns the first node at or after (key, trailer), or nilNode. It
// returns the successor it compared at level 0, not a fresh load of x's
// next pointer: a concurrent insert may have linked a smaller node after x
// since, and returning that would hide the key from a reader.
func (s *skiplist) seekGE(key []byte, trailer uint64) uint32 {
	x := s.head
	var nx uint32
	for level := int(s.height.Load()) - 1; level >= 0; level-- {
		for {
			nx = s.next(x, level)
			if nx == nilNode || !s.less(nx, key, trailer) {
				break
			}
			x = nx
		}
	}
	return nx
}

// get finds the newest entry for key.
func (s *skiplist) get(key []byte) (value []byte, k kind, ok bool) {
	n := s.seekGE(key, makeTrailer(maxSeq, kindValue))
	if n == nilNode || !bytes.Equal(s.nodeKey(n), key) {
		return nil, 0, false
	}
	return s.nodeValue(n), trailerKind(s.nodeTrailer(n)), true
}

// skipIter walks a skiplist in order; it implements internalIterator.
type skipIter struct {
	s *skiplist
	n uint32
}

func (it *skipIter) SeekGE(key []byte) { it.n = it.s.seekGE(key, makeTrailer(maxSeq, kindValue)) }
func (it *skipIter) First()            { it.n = it.s.next(it.s.head, 0) }
func (it *skipIter) Next()             { it.n = it.s.next(it.n, 0) }
func (it *skipIter) Valid() bool       { return it.n != nilNode }
func (it *skipIter) Key() []byte       { return it.s.nodeKey(it.n) }
func (it *skipIter) Trailer() uint64   { return it.s.nodeTrailer(it.n) }
func (it *skipIter) Value() []byte     { return it.s.nodeValue(it.n) }
func (it *skipIter) Err() error        { return nil }
func (it *skipIter) Close() error      { return nil }
