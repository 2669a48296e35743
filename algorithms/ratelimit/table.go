package ratelimit

import (
	"math/bits"
	"time"
	"unsafe"
)

// table maps keys (client ids) to per-key limiters with a fixed capacity and
// CLOCK eviction (second chance, Corbató 1968): a hit sets the entry's
// reference bit; to make room the hand sweeps, clearing set bits, and evicts
// the first entry whose bit is clear. Memory is bounded by the capacity and
// allocated while the table fills; after that a miss reuses the victim's
// limiter (Reset), so steady-state lookups allocate nothing.
//
// The index is open addressing with linear probing and backward-shift
// deletion, at most half full, over a Fibonacci hash of the key.
type table[L interface{ Reset(time.Duration) }] struct {
	slots []uint64 // key<<32 | entry index+1, so a probe reads one word; 0 is empty
	shift uint
	keys  []uint32
	ref   []bool
	gen   []uint32 // bumped on eviction, so stale releases are recognised
	vals  []L
	n     int
	hand  int
	newL  func() L

	evictions uint64
}

func newTable[L interface{ Reset(time.Duration) }](capacity int, newL func() L) *table[L] {
	size := 1 << bits.Len(uint(2*capacity-1)) // power of two >= 2·capacity
	if size < 2 {
		size = 2
	}
	return &table[L]{
		slots: make([]uint64, size),
		shift: uint(64 - bits.Len(uint(size-1))),
		keys:  make([]uint32, capacity),
		ref:   make([]bool, capacity),
		gen:   make([]uint32, capacity),
		vals:  make([]L, capacity),
		newL:  newL,
	}
}

func hashKey(key uint32) uint64 { return uint64(key) * 0x9E3779B97F4A7C15 }

func (t *table[L]) home(key uint32) int {
	if t.shift == 64 {
		return 0
	}
	return int(hashKey(key) >> t.shift)
}

// get returns the entry index of key, adding it (and evicting another) if
// it is absent; a new entry's limiter is fresh as of now.
func (t *table[L]) get(key uint32, now time.Duration) int {
	mask := len(t.slots) - 1
	i := t.home(key)
	for s := t.slots[i]; s != 0; s = t.slots[i] {
		if uint32(s>>32) == key {
			e := int(uint32(s)) - 1
			t.ref[e] = true
			return e
		}
		i = (i + 1) & mask
	}
	var e int
	if t.n < len(t.keys) {
		e = t.n
		t.n++
		t.vals[e] = t.newL()
	} else {
		e = t.victim()
		t.remove(t.keys[e])
		t.gen[e]++
		t.evictions++
		t.vals[e].Reset(now)
		// Removal may have shifted entries into the probe path: find the
		// empty slot again.
		i = t.home(key)
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
	}
	t.slots[i] = uint64(key)<<32 | uint64(e+1)
	t.keys[e] = key
	t.ref[e] = false
	return e
}

func (t *table[L]) victim() int {
	for {
		e := t.hand
		if t.hand++; t.hand == len(t.keys) {
			t.hand = 0
		}
		if !t.ref[e] {
			return e
		}
		t.ref[e] = false
	}
}

// remove deletes key from the index by backward shift, so no tombstones
// accumulate and probe lengths stay short.
func (t *table[L]) remove(key uint32) {
	mask := len(t.slots) - 1
	i := t.home(key)
	for uint32(t.slots[i]>>32) != key {
		i = (i + 1) & mask
	}
	for {
		t.slots[i] = 0
		j := i
		for {
			j = (j + 1) & mask
			s := t.slots[j]
			if s == 0 {
				return
			}
			h := t.home(uint32(s >> 32))
			// Move s back to i unless its home lies cyclically in (i, j].
			if (j > i && (h <= i || h > j)) || (j < i && h <= i && h > j) {
				t.slots[i] = s
				i = j
				break
			}
		}
	}
}

// len is the number of keys held.
func (t *table[L]) len() int { return t.n }

// bytesPerEntry is the index and bookkeeping memory per key, limiter excluded.
func (t *table[L]) bytesPerEntry() float64 {
	var l L
	perEntry := 4 + 1 + 4 + unsafe.Sizeof(l) // key, ref bit, generation, limiter reference
	return float64(perEntry) + 8*float64(len(t.slots))/float64(len(t.keys))
}
