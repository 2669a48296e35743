package casestudy

import "time"

// LRU is one memcached host's cache: at most cap entries, the least recently
// used evicted first, each entry expiring ttl after it was set (0: never).
// Expiry is lazy, as in memcached: an expired entry is found and dropped by
// the lookup that misses on it. Entries live in a preallocated arena linked
// by index, so Get and Set allocate nothing once the index map has grown.
type LRU struct {
	cap        int
	ttl        time.Duration
	idx        map[uint64]int32
	ents       []lruEnt
	head, tail int32 // most and least recently used; -1 when empty
	free       int32 // free arena slots, linked through next

	Hits, Misses, Expired, Evictions, Sets uint64
}

type lruEnt struct {
	key        uint64
	exp        time.Duration // 0: never
	prev, next int32
}

// NewLRU returns an empty cache of cap entries (cap ≥ 1).
func NewLRU(cap int, ttl time.Duration) *LRU {
	c := &LRU{cap: cap, ttl: ttl, idx: make(map[uint64]int32, cap), ents: make([]lruEnt, cap), head: -1, tail: -1}
	for i := range c.ents {
		c.ents[i].next = int32(i + 1)
	}
	c.ents[cap-1].next = -1
	return c
}

// Len is the number of entries held (expired ones not yet looked up count).
func (c *LRU) Len() int { return len(c.idx) }

func (c *LRU) unlink(i int32) {
	e := &c.ents[i]
	if e.prev >= 0 {
		c.ents[e.prev].next = e.next
	} else {
		c.head = e.next
	}
	if e.next >= 0 {
		c.ents[e.next].prev = e.prev
	} else {
		c.tail = e.prev
	}
}

func (c *LRU) pushFront(i int32) {
	e := &c.ents[i]
	e.prev, e.next = -1, c.head
	if c.head >= 0 {
		c.ents[c.head].prev = i
	}
	c.head = i
	if c.tail < 0 {
		c.tail = i
	}
}

func (c *LRU) drop(i int32) {
	c.unlink(i)
	delete(c.idx, c.ents[i].key)
	c.ents[i].next = c.free
	c.free = i
}

// Get looks key up at time now: a hit makes it the most recently used; an
// entry past its expiry is removed and reported as a miss.
func (c *LRU) Get(key uint64, now time.Duration) bool {
	i, ok := c.idx[key]
	if !ok {
		c.Misses++
		return false
	}
	if e := &c.ents[i]; e.exp > 0 && now >= e.exp {
		c.drop(i)
		c.Expired++
		c.Misses++
		return false
	}
	c.unlink(i)
	c.pushFront(i)
	c.Hits++
	return true
}

// Set stores key at time now (expiring at now+ttl), evicting the least
// recently used entry when the cache is full.
func (c *LRU) Set(key uint64, now time.Duration) {
	c.Sets++
	exp := time.Duration(0)
	if c.ttl > 0 {
		exp = now + c.ttl
	}
	if i, ok := c.idx[key]; ok {
		c.ents[i].exp = exp
		c.unlink(i)
		c.pushFront(i)
		return
	}
	if len(c.idx) == c.cap {
		c.drop(c.tail)
		c.Evictions++
	}
	i := c.free
	c.free = c.ents[i].next
	c.ents[i] = lruEnt{key: key, exp: exp}
	c.idx[key] = i
	c.pushFront(i)
}
