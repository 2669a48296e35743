package bigtable

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/dsbench/dsbench/algorithms/storage"
)

// Options configure a Table.
type Options struct {
	Dir        string // holds one subdirectory per tablet (required)
	Servers    int    // tablet servers (>= 1)
	SplitBytes int64  // a tablet splits past this size (package doc)
	MajorBytes int64  // bytes written to a tablet between major compactions; 0 = never
	// Open creates the engine of one tablet in dir.
	Open func(dir string) (storage.KV, error)
}

// Table is a Bigtable table served by in-process tablet servers. It is a
// storage.KV and a storage.Sharder (the shard of a row is its server).
type Table struct {
	opts Options

	mu      sync.RWMutex // tablet map: read-held by every op, write-held by splits
	tablets []*tablet    // sorted by start, contiguous, covering the row space
	nextID  int          // tablet ids; t.mu write-held
	dirSeq  atomic.Int64 // engine directories

	serverOps  []atomic.Int64
	splits     atomic.Int64
	moves      atomic.Int64
	majors     atomic.Int64
	majorBytes atomic.Int64
	splitBytes atomic.Int64
	moveFlush  atomic.Int64
	retired    engineStats // figures of engines closed by major compactions
}

var (
	_ storage.KV       = (*Table)(nil)
	_ storage.Sharder  = (*Table)(nil)
	_ storage.Flusher  = (*Table)(nil)
	_ storage.DiskUser = (*Table)(nil)
)

// New opens a table with one tablet covering every row.
func New(opts Options) (*Table, error) {
	if opts.Servers < 1 {
		return nil, fmt.Errorf("bigtable: servers=%d: need at least 1", opts.Servers)
	}
	if opts.SplitBytes <= 0 || opts.Dir == "" || opts.Open == nil {
		return nil, errors.New("bigtable: Options need Dir, Open and SplitBytes > 0")
	}
	t := &Table{opts: opts, serverOps: make([]atomic.Int64, opts.Servers)}
	tab, err := t.newTablet([]byte{}, nil)
	if err != nil {
		return nil, err
	}
	t.tablets = []*tablet{tab}
	return t, nil
}

func (t *Table) newTablet(start, end []byte) (*tablet, error) {
	id := t.nextID
	t.nextID++
	tab := &tablet{id: id, start: start, end: end}
	if err := t.openEngine(tab); err != nil {
		return nil, err
	}
	tab.server = t.leastLoaded()
	return tab, nil
}

// openEngine gives tab a fresh engine in a new directory.
func (t *Table) openEngine(tab *tablet) error {
	dir := filepath.Join(t.opts.Dir, fmt.Sprintf("tablet-%06d-%06d", tab.id, t.dirSeq.Add(1)))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	db, err := t.opts.Open(dir)
	if err != nil {
		return fmt.Errorf("bigtable: tablet %d: %w", tab.id, err)
	}
	tab.db, tab.dir = db, dir
	return nil
}

// locate returns the tablet holding key; t.mu must be held.
func (t *Table) locate(key []byte) *tablet { return t.tablets[t.index(key)] }

// index returns the position of the tablet holding key; t.mu must be held.
func (t *Table) index(key []byte) int {
	return sort.Search(len(t.tablets), func(i int) bool { return bytes.Compare(t.tablets[i].start, key) > 0 }) - 1
}

// ShardOf returns the server of the tablet holding key.
func (t *Table) ShardOf(key []byte) int32 {
	t.mu.RLock()
	s := t.locate(key).server
	t.mu.RUnlock()
	return int32(s)
}

// Get reads key from its tablet.
func (t *Table) Get(key, buf []byte) ([]byte, bool, error) {
	t.mu.RLock()
	tab := t.locate(key)
	t.serverOps[tab.server].Add(1)
	tab.mu.RLock()
	v, ok, err := tab.db.Get(key, buf)
	tab.mu.RUnlock()
	t.mu.RUnlock()
	return v, ok, err
}

// Put writes key to its tablet, then splits or major-compacts the tablet if
// it has grown past its thresholds.
func (t *Table) Put(key, value []byte) error {
	return t.write(key, int64(len(key)+len(value)), func(db storage.KV) error { return db.Put(key, value) })
}

// Delete writes a deletion to key's tablet.
func (t *Table) Delete(key []byte) error {
	return t.write(key, int64(len(key)), func(db storage.KV) error { return db.Delete(key) })
}

func (t *Table) write(key []byte, n int64, apply func(storage.KV) error) error {
	t.mu.RLock()
	tab := t.locate(key)
	t.serverOps[tab.server].Add(1)
	tab.writes.Add(1)
	tab.mu.RLock()
	err := apply(tab.db)
	tab.mu.RUnlock()
	size := tab.size.Add(n)
	since := tab.sinceMajor.Add(n)
	if err == nil && t.opts.MajorBytes > 0 && since > t.opts.MajorBytes && size <= t.opts.SplitBytes {
		err = t.majorCompact(tab)
	}
	t.mu.RUnlock()
	if err == nil && size > t.opts.SplitBytes {
		err = t.split(tab)
	}
	return err
}

// Scan walks tablets in row order from start.
func (t *Table) Scan(start []byte, limit int, fn func(key, value []byte) bool) error {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if start == nil {
		start = []byte{}
	}
	for i := t.index(start); i < len(t.tablets); i++ {
		tab := t.tablets[i]
		t.serverOps[tab.server].Add(1)
		tab.mu.RLock()
		n, stopped, err := tab.scanRange(start, limit, fn)
		tab.mu.RUnlock()
		if err != nil || stopped {
			return err
		}
		if limit > 0 {
			if limit -= n; limit <= 0 {
				return nil
			}
		}
	}
	return nil
}

// Flush minor-compacts every tablet (the storage adapter calls it before
// computing amplification, so every tablet's rows are in SSTables).
func (t *Table) Flush() error {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var first error
	for _, tab := range t.tablets {
		tab.mu.RLock()
		err := flush(tab.db)
		tab.mu.RUnlock()
		if err != nil && first == nil {
			first = fmt.Errorf("bigtable: flush tablet %d: %w", tab.id, err)
		}
	}
	return first
}

// Close closes every tablet's engine.
func (t *Table) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	var first error
	for _, tab := range t.tablets {
		if err := tab.db.Close(); err != nil && first == nil {
			first = err
		}
	}
	t.tablets = nil
	return first
}
