package casestudy

import (
	"time"

	"github.com/dsbench/dsbench/algorithms/internal/slots"
)

// PartKey is a Discord message partition: (channel_id, bucket), where the
// bucket is the message time divided by a fixed span (Discord: 10 days of
// snowflake time), so a channel's messages spread over one partition per
// span and a partition stays bounded in size.
type PartKey struct {
	Channel uint32
	Bucket  uint32
}

// BucketOf is the bucket of time t for buckets of span d.
func BucketOf(t, d time.Duration) uint32 { return uint32(t / d) }

// Partitions holds message counts per partition and gives each partition a
// dense index in order of first use (the Shard the harness counts).
type Partitions struct {
	idx     map[PartKey]int32
	Msgs    []uint64 // per partition index: messages stored
	Queries []uint64 // per partition index: database queries that reached it
}

// NewPartitions returns an empty store.
func NewPartitions() *Partitions { return &Partitions{idx: map[PartKey]int32{}} }

// Index returns k's dense index, assigning the next one on first use.
func (p *Partitions) Index(k PartKey) int32 {
	i, ok := p.idx[k]
	if !ok {
		i = int32(len(p.Msgs))
		p.idx[k] = i
		p.Msgs = append(p.Msgs, 0)
		p.Queries = append(p.Queries, 0)
	}
	return i
}

// Coalescer merges concurrent identical reads, as Discord's data services
// do: the first read of a key starts a query; reads of the same key that
// arrive while it is in flight wait for its result instead of querying.
// Waiters are opaque ints (the caller's slot numbers); it is
// single-threaded.
type Coalescer struct {
	inflight map[PartKey]int32 // key → query slot
	waiters  [][]int32         // per query slot
	keys     []PartKey
	free     slots.Free
	Queries  uint64 // queries started
	Joined   uint64 // reads that joined an in-flight query
}

// NewCoalescer returns an empty coalescer.
func NewCoalescer() *Coalescer { return &Coalescer{inflight: map[PartKey]int32{}} }

// Read registers a read of k by waiter. It returns the query slot and
// whether the caller must start the query (false: it joined one in flight).
// With coalesce false every read starts its own query.
func (c *Coalescer) Read(k PartKey, waiter int32, coalesce bool) (slot int32, start bool) {
	if coalesce {
		if s, ok := c.inflight[k]; ok {
			c.waiters[s] = append(c.waiters[s], waiter)
			c.Joined++
			return s, false
		}
	}
	if slot = slots.Take(&c.free, &c.waiters); int(slot) == len(c.keys) {
		c.keys = append(c.keys, PartKey{})
	}
	c.waiters[slot] = append(c.waiters[slot][:0], waiter)
	c.keys[slot] = k
	if coalesce {
		c.inflight[k] = slot
	}
	c.Queries++
	return slot, true
}

// Done ends the query in slot and returns its key and its waiters,
// appended to dst (the slot is free for reuse at once).
func (c *Coalescer) Done(slot int32, dst []int32) (PartKey, []int32) {
	k := c.keys[slot]
	if s, ok := c.inflight[k]; ok && s == slot {
		delete(c.inflight, k)
	}
	c.free.Put(slot)
	return k, append(dst[:0], c.waiters[slot]...)
}
