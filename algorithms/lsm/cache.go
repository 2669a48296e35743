package lsm

import (
	"sync"
	"sync/atomic"
)

// blockCache holds verified, decompressed data blocks, up to a byte budget
// (Options.CacheBytes), as LevelDB's and Pebble's block caches do: a miss
// reads the block from the file (pread), checks and decompresses it, and
// inserts it. It is split into shards, each an LRU list under its own lock,
// so readers on different blocks rarely meet.
//
// A block handed to a reader stays valid after eviction: the cache only
// drops its reference and the garbage collector frees the bytes once no
// reader holds them, so no reference counts are needed. Table numbers are
// never reused, so a deleted table's blocks are never hit again and age out.
type blockCache struct {
	shards       [cacheShards]cacheShard
	hits, misses atomic.Int64
}

const cacheShards = 16

type cacheShard struct {
	mu         sync.Mutex
	budget     int64
	used       int64
	m          map[uint64]*cacheEntry
	head, tail *cacheEntry // most and least recently used
	_          [32]byte
}

type cacheEntry struct {
	key        uint64
	block      []byte
	prev, next *cacheEntry
}

func newBlockCache(bytes int64) *blockCache {
	c := &blockCache{}
	for i := range c.shards {
		c.shards[i] = cacheShard{budget: bytes / cacheShards, m: map[uint64]*cacheEntry{}}
	}
	return c
}

// cacheKey packs a table number (below 2^40) and a block index (below 2^24).
func cacheKey(table uint64, block int) uint64 { return table<<24 | uint64(block) }

func (c *blockCache) shard(key uint64) *cacheShard {
	h := key * 0x9E3779B97F4A7C15
	return &c.shards[h>>60]
}

// get returns the cached block for key.
func (c *blockCache) get(key uint64) ([]byte, bool) {
	s := c.shard(key)
	s.mu.Lock()
	e, ok := s.m[key]
	if ok {
		s.unlink(e)
		s.pushFront(e)
	}
	s.mu.Unlock()
	if !ok {
		c.misses.Add(1)
		return nil, false
	}
	c.hits.Add(1)
	return e.block, true
}

// put caches block under key, evicting the least recently used blocks past
// the budget. A block larger than a shard's budget is not cached.
func (c *blockCache) put(key uint64, block []byte) {
	s := c.shard(key)
	size := int64(cap(block)) + 64 // the entry and map slot, roughly
	if size > s.budget {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[key]; ok {
		return // another reader loaded it meanwhile
	}
	e := &cacheEntry{key: key, block: block}
	s.m[key] = e
	s.pushFront(e)
	s.used += size
	for s.used > s.budget && s.tail != nil {
		old := s.tail
		s.unlink(old)
		delete(s.m, old.key)
		s.used -= int64(cap(old.block)) + 64
	}
}

func (s *cacheShard) pushFront(e *cacheEntry) {
	e.prev, e.next = nil, s.head
	if s.head != nil {
		s.head.prev = e
	}
	s.head = e
	if s.tail == nil {
		s.tail = e
	}
}

func (s *cacheShard) unlink(e *cacheEntry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		s.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		s.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

// usedBytes is what the cache holds now.
func (c *blockCache) usedBytes() int64 {
	var n int64
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		n += s.used
		s.mu.Unlock()
	}
	return n
}
