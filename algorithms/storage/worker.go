package storage

import (
	"encoding/binary"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// worker is one harness worker's view of a Target: its own buffers, so the
// per-op path allocates nothing in the adapter, and its own counters, read
// at the end of the run.
type worker struct {
	t     *Target
	r     *rand.Rand
	key   [KeyLen]byte
	val   []byte // random bytes; a value is a prefix of it
	get   []byte // read buffer, grown to the largest value seen
	visit func(k, v []byte) bool

	_        [64]byte // keep the hot counters off the neighbours' cache lines
	puts     atomic.Uint64
	deletes  atomic.Uint64
	putBytes atomic.Uint64 // key+value of every Put, key of every Delete
	misses   atomic.Uint64
	scanRows atomic.Uint64
}

var _ harness.Target = (*worker)(nil)

// Do maps one YCSB op onto the engine (package doc).
func (w *worker) Do(_ time.Duration, op *workloads.Op) harness.Outcome {
	kv := w.t.kv
	key := EncodeKey(w.key[:], op.Key)
	var err error
	switch op.Kind {
	case workloads.Read:
		err = w.read(key)
	case workloads.Update, workloads.Insert:
		err = w.put(key, op)
	case workloads.Scan:
		limit := int(op.Size)
		if limit <= 0 {
			limit = 1
		}
		err = kv.Scan(key, limit, w.visit)
	case workloads.RMW:
		if err = w.read(key); err == nil {
			err = w.put(key, op)
		}
	case workloads.Delete:
		if err = kv.Delete(key); err == nil {
			w.deletes.Add(1)
			w.putBytes.Add(KeyLen)
		}
	default:
		if op.Kind < workloads.NumKinds {
			return harness.Outcome{Shard: harness.NoShard, Err: errKind[op.Kind]}
		}
		return harness.Outcome{Shard: harness.NoShard, Err: ErrUnsupportedKind}
	}
	shard := int32(0)
	if w.t.sharder != nil {
		shard = w.t.sharder.ShardOf(key)
	}
	return harness.Outcome{Shard: shard, Err: err}
}

func (w *worker) read(key []byte) error {
	v, found, err := w.t.kv.Get(key, w.get[:0])
	if cap(v) > cap(w.get) {
		w.get = v[:0]
	}
	if err == nil && !found {
		w.misses.Add(1)
	}
	return err
}

func (w *worker) put(key []byte, op *workloads.Op) error {
	n := int(op.Size)
	if n == 0 {
		n = DefaultValueSize
	}
	if err := w.t.kv.Put(key, w.value(op.Key, n)); err != nil {
		return err
	}
	w.puts.Add(1)
	w.putBytes.Add(uint64(KeyLen + n))
	return nil
}

func (w *worker) onRow(k, v []byte) bool {
	w.scanRows.Add(1)
	return true
}

// valuePool is the random bytes values are cut from: large enough that
// values of different keys differ, so block compression in an engine sees
// no artificial redundancy.
const valuePool = 64 << 10

// ensureValue grows the random value buffer to valuePool+n bytes: the only
// allocation of the adapter, once per new largest value size.
func (w *worker) ensureValue(n int) {
	n += valuePool
	if n <= len(w.val) {
		return
	}
	old := len(w.val)
	w.val = append(w.val, make([]byte, n-old)...)
	for i := old; i < n; i++ {
		w.val[i] = byte(w.r.Uint32())
	}
}

// value returns n random bytes at an offset chosen by the key, with the key
// id stamped into the first eight, so a read can be checked against its key.
func (w *worker) value(k uint64, n int) []byte {
	w.ensureValue(n)
	off := int((k * 0x9E3779B97F4A7C15 >> 32) % uint64(len(w.val)-n+1))
	v := w.val[off : off+n]
	if n >= 8 {
		binary.BigEndian.PutUint64(v, k)
	}
	return v
}

type counters struct{ puts, deletes, putBytes, misses, scanRows uint64 }

func (c *counters) add(w *worker) {
	c.puts += w.puts.Load()
	c.deletes += w.deletes.Load()
	c.putBytes += w.putBytes.Load()
	c.misses += w.misses.Load()
	c.scanRows += w.scanRows.Load()
}
