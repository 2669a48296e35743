package builtin

import (
	"context"
	"errors"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// maxScan caps a scan's length, so one op cannot walk the whole key space.
const maxScan = 1000

// errKind is returned for op kinds a key-value store does not serve.
var errKind = errors.New("builtin/map: op kind not supported (read, update, insert, scan, rmw, delete)")

// kvMap is a sharded in-memory key-value store. A key goes to shard
// ⌊mix(key)·shards / 2^64⌋ (Lemire's multiply-shift range reduction of a
// well-mixed hash), so shards get equal shares of distinct keys and any
// imbalance in ops is the workload's skew. Each shard has its own RWMutex.
// Values are stored as their sizes (uint32): the store models the index, not
// the bytes, so no op allocates beyond a Go map's own growth.
type kvMap struct {
	shards []kvShard
}

type kvShard struct {
	mu     sync.RWMutex
	m      map[uint64]uint32
	misses atomic.Uint64 // reads of absent keys
	_      [64]byte      // keep neighbouring shards' locks off one cache line
}

func newKVMap(shards int) *kvMap {
	k := &kvMap{shards: make([]kvShard, shards)}
	for i := range k.shards {
		k.shards[i].m = make(map[uint64]uint32)
	}
	return k
}

// mix64 is MurmurHash3's 64-bit finaliser (fmix64): a bijection whose output
// bits each depend on every input bit, so sequential keys spread evenly.
func mix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xFF51AFD7ED558CCD
	x ^= x >> 33
	x *= 0xC4CEB9FE1A85EC53
	x ^= x >> 33
	return x
}

func (k *kvMap) shardOf(key uint64) int {
	hi, _ := bits.Mul64(mix64(key), uint64(len(k.shards)))
	return int(hi)
}

func (k *kvMap) Do(_ time.Duration, op *workloads.Op) harness.Outcome {
	i := k.shardOf(op.Key)
	s := &k.shards[i]
	out := harness.Outcome{Shard: int32(i)}
	switch op.Kind {
	case workloads.Read:
		k.read(s, op.Key)
	case workloads.Update, workloads.Insert:
		s.mu.Lock()
		s.m[op.Key] = op.Size
		s.mu.Unlock()
	case workloads.RMW:
		s.mu.Lock()
		if _, ok := s.m[op.Key]; !ok {
			s.misses.Add(1)
		}
		s.m[op.Key] = op.Size
		s.mu.Unlock()
	case workloads.Delete:
		s.mu.Lock()
		delete(s.m, op.Key)
		s.mu.Unlock()
	case workloads.Scan:
		// A hash map has no key order; a scan reads the ids key, key+1, …
		// (YCSB's keys are ids), each in its own shard.
		n := min(max(uint64(op.Size), 1), maxScan)
		k.read(s, op.Key)
		for j := uint64(1); j < n; j++ {
			key := op.Key + j
			k.read(&k.shards[k.shardOf(key)], key)
		}
	default:
		out.Err = errKind
	}
	return out
}

func (k *kvMap) read(s *kvShard, key uint64) {
	s.mu.RLock()
	_, ok := s.m[key]
	s.mu.RUnlock()
	if !ok {
		s.misses.Add(1)
	}
}

// Load inserts keys [0, n) with values of valueSize bytes (YCSB's load phase).
func (k *kvMap) Load(n uint64, valueSize int) error {
	return k.LoadContext(context.Background(), n, valueSize)
}

// LoadContext is Load, stopping every 65536 keys once ctx is done.
func (k *kvMap) LoadContext(ctx context.Context, n uint64, valueSize int) error {
	for key := range n {
		if key&0xffff == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		s := &k.shards[k.shardOf(key)]
		s.m[key] = uint32(valueSize)
	}
	return nil
}

// Metrics reports the store's size and how many reads found no key.
func (k *kvMap) Metrics() map[string]float64 {
	var keys, misses uint64
	for i := range k.shards {
		s := &k.shards[i]
		s.mu.RLock()
		keys += uint64(len(s.m))
		s.mu.RUnlock()
		misses += s.misses.Load()
	}
	return map[string]float64{"keys": float64(keys), "read_misses": float64(misses)}
}
