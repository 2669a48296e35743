package reference

import (
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/dsbench/dsbench/algorithms/storage"
)

// BoltOptions configures a bbolt engine.
type BoltOptions struct {
	Dir  string // "" = a temporary directory, removed on Close
	Sync bool   // fsync on every commit; false sets bbolt's NoSync
}

// Bolt is etcd's bbolt (a copy-on-write B+tree in one mmapped file) behind
// storage.KV, with one bucket. Every Put or Delete is its own read-write
// transaction, as a YCSB client issuing independent writes would use it:
// with Sync each commit costs two fsyncs (data pages, then the meta page),
// which is bbolt's price for durability without a log. Write transactions
// serialise on bbolt's single writer lock.
type Bolt struct {
	db      *bolt.DB
	dir     string
	owned   bool
	commits atomic.Uint64
}

var (
	_ storage.KV       = (*Bolt)(nil)
	_ storage.Batcher  = (*Bolt)(nil)
	_ storage.DiskUser = (*Bolt)(nil)
)

var boltBucket = []byte("ycsb")

// OpenBolt opens (or creates) a bbolt database file in the directory.
func OpenBolt(o BoltOptions) (*Bolt, error) {
	dir, owned, err := storage.OpenDir(o.Dir, "bbolt")
	if err != nil {
		return nil, err
	}
	b := &Bolt{dir: dir, owned: owned}
	b.db, err = bolt.Open(filepath.Join(dir, "data.db"), 0o600, &bolt.Options{NoSync: !o.Sync, Timeout: time.Second})
	if err == nil {
		err = b.db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucketIfNotExists(boltBucket); return err })
	}
	if err != nil {
		if b.db != nil {
			b.db.Close()
		}
		if owned {
			os.RemoveAll(dir)
		}
		return nil, fmt.Errorf("storage/bbolt: open %s: %w", dir, err)
	}
	return b, nil
}

// Get appends key's value to buf inside a read transaction.
func (b *Bolt) Get(key, buf []byte) ([]byte, bool, error) {
	tx, err := b.db.Begin(false)
	if err != nil {
		return buf, false, err
	}
	v := tx.Bucket(boltBucket).Get(key)
	found := v != nil
	buf = append(buf, v...) // v is valid only while tx is open
	return buf, found, tx.Rollback()
}

// Put sets key in its own transaction.
func (b *Bolt) Put(key, value []byte) error {
	return b.write(func(bk *bolt.Bucket) error { return bk.Put(key, value) })
}

// Delete removes key in its own transaction.
func (b *Bolt) Delete(key []byte) error {
	return b.write(func(bk *bolt.Bucket) error { return bk.Delete(key) })
}

// PutBatch applies the puts in one transaction.
func (b *Bolt) PutBatch(keys, values [][]byte) error {
	return b.write(func(bk *bolt.Bucket) error {
		for i := range keys {
			if err := bk.Put(keys[i], values[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

func (b *Bolt) write(fn func(*bolt.Bucket) error) error {
	tx, err := b.db.Begin(true)
	if err != nil {
		return err
	}
	if err := fn(tx.Bucket(boltBucket)); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	b.commits.Add(1)
	return nil
}

// Scan walks a cursor from start inside one read transaction.
func (b *Bolt) Scan(start []byte, limit int, fn func(key, value []byte) bool) error {
	tx, err := b.db.Begin(false)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	c := tx.Bucket(boltBucket).Cursor()
	n := 0
	var k, v []byte
	if start == nil {
		k, v = c.First()
	} else {
		k, v = c.Seek(start)
	}
	for ; k != nil && (limit <= 0 || n < limit); k, v = c.Next() {
		n++
		if !fn(k, v) {
			break
		}
	}
	return nil
}

// DiskUsage is the size of the database file (free pages included: bbolt
// never shrinks its file).
func (b *Bolt) DiskUsage() (int64, error) { return storage.DirSize(b.dir) }

// Metrics: bytes_written = pages allocated by write transactions (every
// dirty page is rewritten whole: copy-on-write) plus one meta page per
// commit; read_amp = B+tree depth, the pages a point read touches.
func (b *Bolt) Metrics() map[string]float64 {
	st := b.db.Stats()
	commits := b.commits.Load()
	page := int64(b.db.Info().PageSize)
	depth := 0
	b.db.View(func(tx *bolt.Tx) error {
		depth = tx.Bucket(boltBucket).Stats().Depth
		return nil
	})
	return map[string]float64{
		"bytes_written": float64(st.TxStats.GetPageAlloc() + int64(commits)*page),
		"write_txs":     float64(commits),
		"read_amp":      float64(depth),
		"free_pages":    float64(st.FreePageN),
		"page_bytes":    float64(page),
	}
}

// Close closes the file and removes a temporary directory.
func (b *Bolt) Close() error {
	err := b.db.Close()
	if b.owned {
		if rerr := os.RemoveAll(b.dir); err == nil {
			err = rerr
		}
	}
	return err
}
