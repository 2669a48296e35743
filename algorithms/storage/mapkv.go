package storage

import (
	"bytes"
	"sync"

	"github.com/RaduBerinde/btreemap"
)

// Map is the in-memory baseline engine: an ordered B-tree (degree 32) under
// one reader/writer lock. Point ops cost O(log n) comparisons and a scan
// costs O(log n + limit) — no sorted snapshot to rebuild, so its scan cost
// is the honest cost of an ordered index, not of a hash map. Writers
// serialise on the lock; readers share it. Nothing is durable.
type Map struct {
	mu   sync.RWMutex
	tree *btreemap.BTreeMap[[]byte, []byte]
	live int64 // key+value bytes of live entries
}

var _ KV = (*Map)(nil)
var _ Batcher = (*Map)(nil)

// NewMap returns an empty in-memory engine.
func NewMap() *Map {
	return &Map{tree: btreemap.New[[]byte, []byte](32, bytes.Compare)}
}

// Get appends key's value to buf.
func (m *Map) Get(key, buf []byte) ([]byte, bool, error) {
	m.mu.RLock()
	_, v, ok := m.tree.Get(key)
	if ok {
		buf = append(buf, v...)
	}
	m.mu.RUnlock()
	return buf, ok, nil
}

// Put copies key and value in; an update reuses the old value's memory when
// it is large enough.
func (m *Map) Put(key, value []byte) error {
	m.mu.Lock()
	m.put(key, value)
	m.mu.Unlock()
	return nil
}

func (m *Map) put(key, value []byte) {
	if k, v, ok := m.tree.Get(key); ok {
		m.live += int64(len(value) - len(v))
		if cap(v) >= len(value) {
			v = append(v[:0], value...)
		} else {
			v = bytes.Clone(value)
		}
		m.tree.ReplaceOrInsert(k, v)
		return
	}
	m.live += int64(len(key) + len(value))
	m.tree.ReplaceOrInsert(bytes.Clone(key), bytes.Clone(value))
}

// PutBatch applies the puts under one lock acquisition.
func (m *Map) PutBatch(keys, values [][]byte) error {
	m.mu.Lock()
	for i := range keys {
		m.put(keys[i], values[i])
	}
	m.mu.Unlock()
	return nil
}

// Delete removes key.
func (m *Map) Delete(key []byte) error {
	m.mu.Lock()
	if k, v, ok := m.tree.Delete(key); ok {
		m.live -= int64(len(k) + len(v))
	}
	m.mu.Unlock()
	return nil
}

// Scan visits up to limit keys >= start under the read lock; fn must not
// write to the map.
func (m *Map) Scan(start []byte, limit int, fn func(key, value []byte) bool) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	n := 0
	lo := btreemap.Min[[]byte]()
	if start != nil {
		lo = btreemap.GE(start)
	}
	m.tree.AscendFunc(lo, btreemap.Max[[]byte](), func(k, v []byte) bool {
		n++
		return fn(k, v) && (limit <= 0 || n < limit)
	})
	return nil
}

// Len returns the number of live keys.
func (m *Map) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.tree.Len()
}

// Metrics reports the live data held, and that nothing was written to
// storage (bytes_written = wal_bytes_written = 0, so write_amp = 0).
func (m *Map) Metrics() map[string]float64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return map[string]float64{"live_keys": float64(m.tree.Len()), "live_bytes": float64(m.live),
		"bytes_written": 0, "wal_bytes_written": 0}
}

// Close drops the data.
func (m *Map) Close() error {
	m.mu.Lock()
	m.tree.Clear(false)
	m.live = 0
	m.mu.Unlock()
	return nil
}
