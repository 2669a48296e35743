package schemaless

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cespare/xxhash/v2"

	"github.com/dsbench/dsbench/algorithms/storage"
)

// Options configure a Store.
type Options struct {
	Dir    string // one subdirectory per shard (required)
	Shards int    // storage nodes (>= 2 when Down is set: a secondary is needed)
	// Down is the shard unavailable during [DownAt, DownAt+DownFor) of the
	// run; -1 for none.
	Down            int
	DownAt, DownFor time.Duration
	// Open creates the engine of one shard's cells or buffer table in dir.
	Open func(dir string) (storage.KV, error)
}

// Store is a Schemaless instance. It is a storage.KV (rows of column
// Column) and a storage.Sharder.
type Store struct {
	opts   Options
	shards []*shard
	ref    atomic.Uint64
	now    atomic.Int64 // latest op time seen, ns
	drain  sync.Mutex

	written, triggered, buffered, drained atomic.Uint64
	lagMax, lagSum, lagN                  atomic.Uint64
	errMu                                 sync.Mutex
	triggerErr                            error

	stop      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

var (
	_ storage.KV      = (*Store)(nil)
	_ storage.Sharder = (*Store)(nil)
)

// New opens the shards and starts one trigger consumer per shard.
func New(o Options) (*Store, error) {
	if err := checkShape(o.Shards, o.Down); err != nil {
		return nil, err
	}
	if o.Dir == "" || o.Open == nil {
		return nil, errors.New("schemaless: Options need Dir and Open")
	}
	st := &Store{opts: o, stop: make(chan struct{})}
	for i := 0; i < o.Shards; i++ {
		s := &shard{id: i, wake: make(chan struct{}, 1)}
		var err error
		if s.data, err = open(o, i, "cells"); err == nil {
			s.buffer, err = open(o, i, "buffer")
		}
		if err != nil {
			st.closeShards()
			return nil, err
		}
		st.shards = append(st.shards, s)
	}
	for _, s := range st.shards {
		st.wg.Add(1)
		go st.consume(s)
	}
	return st, nil
}

// checkShape validates shards= and down= together.
func checkShape(shards, down int) error {
	if shards < 1 {
		return fmt.Errorf("schemaless: shards=%d: need at least 1", shards)
	}
	if down >= shards || down < -1 || (down >= 0 && shards < 2) {
		return fmt.Errorf("schemaless: down=%d: need -1 (none) or a shard in 0…%d with another shard as its secondary", down, shards-1)
	}
	return nil
}

func open(o Options, i int, what string) (storage.KV, error) {
	dir := filepath.Join(o.Dir, fmt.Sprintf("shard-%03d-%s", i, what))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	kv, err := o.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("schemaless: shard %d %s: %w", i, what, err)
	}
	return kv, nil
}

// Observe advances the store's notion of the run's time (the harness's now).
func (st *Store) Observe(now time.Duration) {
	for {
		old := st.now.Load()
		if int64(now) <= old || st.now.CompareAndSwap(old, int64(now)) {
			return
		}
	}
}

func (st *Store) down(s int) bool {
	if s != st.opts.Down {
		return false
	}
	now := time.Duration(st.now.Load())
	return now >= st.opts.DownAt && now < st.opts.DownAt+st.opts.DownFor
}

func (st *Store) shardOf(row []byte) int { return int(xxhash.Sum64(row) % uint64(len(st.shards))) }

// ShardOf returns the shard that owns the row.
func (st *Store) ShardOf(key []byte) int32 { return int32(st.shardOf(key)) }

// PutCell appends a cell with a fresh, higher ref key and returns the ref.
func (st *Store) PutCell(row []byte, col string, body []byte) (uint64, error) {
	return st.put(row, col, flagData, body)
}

func (st *Store) put(row []byte, col string, flag byte, body []byte) (uint64, error) {
	if err := checkRow(row); err != nil {
		return 0, err
	}
	ref := st.ref.Add(1)
	i := st.shardOf(row)
	if st.down(i) {
		if err := st.bufferWrite(i, row, col, ref, flag, body); err != nil {
			return 0, err
		}
		st.written.Add(1)
		return ref, nil
	}
	if err := st.maybeDrain(i); err != nil {
		return 0, err
	}
	lag, err := st.shards[i].commit(row, col, ref, flag, body)
	if err != nil {
		return 0, err
	}
	st.written.Add(1)
	st.noteLag(lag)
	return ref, nil
}

func (st *Store) noteLag(lag uint64) {
	st.lagSum.Add(lag)
	st.lagN.Add(1)
	for {
		old := st.lagMax.Load()
		if lag <= old || st.lagMax.CompareAndSwap(old, lag) {
			return
		}
	}
}

// Latest appends the body of the newest cell of (row, col) to buf.
func (st *Store) Latest(row []byte, col string, buf []byte) ([]byte, bool, error) {
	if err := checkRow(row); err != nil {
		return buf, false, err
	}
	i := st.shardOf(row)
	if st.down(i) {
		return buf, false, ErrShardDown
	}
	if err := st.maybeDrain(i); err != nil {
		return buf, false, err
	}
	s := st.shards[i]
	var kb [storage.KeyLen + 64]byte
	prefix := cellKey(kb[:0], row, col, 0)[:cellPrefixLen(col)]
	found := false
	err := s.data.Scan(prefix, 1, func(k, v []byte) bool {
		if bytes.HasPrefix(k, prefix) && v[0] == flagData {
			buf = append(buf, v[1:]...)
			found = true
		}
		return false
	})
	return buf, found, err
}

// Get reads the latest cell of column Column.
func (st *Store) Get(key, buf []byte) ([]byte, bool, error) { return st.Latest(key, Column, buf) }

// Put appends a cell to column Column.
func (st *Store) Put(key, value []byte) error {
	_, err := st.put(key, Column, flagData, value)
	return err
}

// Delete appends a tombstone cell to column Column.
func (st *Store) Delete(key []byte) error {
	_, err := st.put(key, Column, flagTombstone, nil)
	return err
}

// Scan gathers up to limit live rows >= start from every shard and merges
// them in row order. It fails if any shard is down.
func (st *Store) Scan(start []byte, limit int, fn func(key, value []byte) bool) error {
	type row struct{ key, val []byte }
	var rows []row
	for i, s := range st.shards {
		if st.down(i) {
			return ErrShardDown
		}
		if err := st.maybeDrain(i); err != nil {
			return err
		}
		var last []byte
		n := 0
		err := s.data.Scan(start, 0, func(k, v []byte) bool {
			if len(k) != cellPrefixLen(Column)+8 || string(k[storage.KeyLen:cellPrefixLen(Column)-1]) != Column {
				return true
			}
			r := k[:storage.KeyLen]
			if bytes.Equal(r, last) {
				return true // an older cell of a row already seen
			}
			last = append(last[:0], r...)
			if v[0] == flagData {
				rows = append(rows, row{bytes.Clone(r), bytes.Clone(v[1:])})
				n++
			}
			return limit <= 0 || n < limit
		})
		if err != nil {
			return err
		}
	}
	sort.Slice(rows, func(a, b int) bool { return bytes.Compare(rows[a].key, rows[b].key) < 0 })
	if limit > 0 && len(rows) > limit {
		rows = rows[:limit]
	}
	for _, r := range rows {
		if !fn(r.key, r.val) {
			break
		}
	}
	return nil
}
