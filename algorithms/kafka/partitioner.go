package kafka

import (
	"fmt"
	"math/rand/v2"
)

// Key modes: how an op's key reaches the partitioner.
const (
	KeyDecimal = "decimal" // the key's decimal text as a String key (murmur2)
	KeyNull    = "null"    // no key: the null-key partitioner decides
)

// Null-key partitioners.
const (
	NullSticky     = "sticky"      // KIP-480: stay on one partition for a batch, then jump at random
	NullRoundRobin = "round-robin" // RoundRobinPartitioner: a counter mod partitions
)

// Partitioner picks a partition for a record as a Kafka producer does. It
// is one producer's state: not safe for concurrent use (give each producer
// its own, as each KafkaProducer has its own sticky cache).
type Partitioner struct {
	n          int
	keyed      bool
	sticky     bool
	batchBytes int

	cur     int // the sticky partition, -1 before the first record
	curSize int // bytes sent to it in the current batch
	counter uint32
	buf     [20]byte
}

// NewPartitioner returns a partitioner over n partitions. keyMode is
// KeyDecimal or KeyNull; nullMode is NullSticky or NullRoundRobin; a sticky
// partitioner moves on after batchBytes bytes (Kafka's batch.size, 16384).
func NewPartitioner(n int, keyMode, nullMode string, batchBytes int) (*Partitioner, error) {
	if n < 1 {
		return nil, fmt.Errorf("kafka: partitions=%d: need at least 1", n)
	}
	p := &Partitioner{n: n, batchBytes: batchBytes, cur: -1}
	switch keyMode {
	case KeyDecimal:
		p.keyed = true
	case KeyNull:
	default:
		return nil, fmt.Errorf("kafka: key=%q (valid: %s|%s)", keyMode, KeyDecimal, KeyNull)
	}
	switch nullMode {
	case NullSticky:
		p.sticky = true
	case NullRoundRobin:
	default:
		return nil, fmt.Errorf("kafka: null_partitioner=%q (valid: %s|%s)", nullMode, NullSticky, NullRoundRobin)
	}
	if p.sticky && batchBytes < 1 {
		return nil, fmt.Errorf("kafka: batch_bytes=%d: need at least 1", batchBytes)
	}
	return p, nil
}

// Keyed reports whether records carry their key.
func (p *Partitioner) Keyed() bool { return p.keyed }

// Partition returns the partition of a record with the given key and
// serialized size in bytes. r is used only by the sticky partitioner.
func (p *Partitioner) Partition(key uint64, size int, r *rand.Rand) int {
	if p.keyed {
		return PartitionForKey(KeyBytes(p.buf[:0], key), p.n)
	}
	if !p.sticky {
		c := p.counter
		p.counter++
		return int(ToPositive(int32(c))) % p.n
	}
	if p.cur < 0 || p.curSize >= p.batchBytes {
		p.next(r)
	}
	p.curSize += size
	return p.cur
}

// next starts a new sticky batch on a random partition other than the
// current one (StickyPartitionCache.nextPartition).
func (p *Partitioner) next(r *rand.Rand) {
	p.curSize = 0
	if p.n == 1 {
		p.cur = 0
		return
	}
	if p.cur < 0 {
		p.cur = r.IntN(p.n)
		return
	}
	c := r.IntN(p.n - 1)
	if c >= p.cur {
		c++
	}
	p.cur = c
}
