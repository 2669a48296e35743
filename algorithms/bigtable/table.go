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
	"time"

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

	// The data model (cell.go): one GC rule per column family. Empty: the
	// table stores plain keys (the raw KV methods), as before cells.
	Families []Family

	// Location hierarchy and clients (meta.go, client.go).
	MetaRows int           // user-tablet locations per METADATA tablet before it splits (0: 128)
	RTT      time.Duration // a client waits this long for every request's round trip
	Retries  int           // a client's attempts at locating and serving one op (0: 8)
	Backoff  time.Duration // a client's wait between refused attempts

	// Lock service and master (lock.go).
	Lease time.Duration // session lease renewed by KeepAlives (0: 10s)
	Lose  *LockLoss     // a server whose session stops being renewed (nil: none)
	// The cluster vocabulary's faults (lock.go): a tablet server's or the
	// master's crash and restart, a server's isolation (nil: none).
	Crash   *Crash
	Isolate *Isolation
	// Clock returns the table's time in µs. nil: the wall clock since New,
	// with a goroutine running Tick every Lease/8 (the master polling every
	// fourth); tests pass their own clock and call Tick themselves.
	Clock func() int64
	// KeepServingWithoutLock is the broken variant the tests must catch: a
	// server that lost its lock keeps serving the tablets it had loaded.
	KeepServingWithoutLock bool
	// ServeWhileCrashed is another: a crashed server keeps serving its
	// tablets until its lease runs out.
	ServeWhileCrashed bool
	// StandbyWithoutLock is another: the standby master takes over as soon
	// as the master crashes, without waiting for the master lock.
	StandbyWithoutLock bool
}

// failedEngine stands for a tablet whose engine could not be reopened.
type failedEngine struct{ err error }

func (f failedEngine) Get([]byte, []byte) ([]byte, bool, error)          { return nil, false, f.err }
func (f failedEngine) Put([]byte, []byte) error                          { return f.err }
func (f failedEngine) Delete([]byte) error                               { return f.err }
func (f failedEngine) Scan([]byte, int, func([]byte, []byte) bool) error { return f.err }
func (f failedEngine) Close() error                                      { return nil }

// LockLoss cuts Server off the lock service At (the table's clock): its
// KeepAlives stop, so its lease runs out one Lease later.
type LockLoss struct {
	Server int
	At     time.Duration
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

	byID       map[int]*tablet // user tablets by id; t.mu
	meta       []*metaTablet   // METADATA tablets, sorted by start; t.mu
	metaByID   map[int]*metaTablet
	nextMeta   int
	rootServer int // the server of the root tablet; t.mu

	ls         *lockService
	srv        []server // t.mu
	master     master
	faults     faultState
	regBuf     []bool      // assignUnassigned's scratch
	dblBuf     map[int]int // DoubleServed's scratch
	clockStart time.Time
	lastTS     atomic.Int64
	stop       chan struct{}
	ticker     sync.WaitGroup

	cmu     sync.Mutex
	clients []*Client

	gcd, gcdBytes          atomic.Int64 // versions dropped by GC at major compactions
	metaSplits, metaMoves  atomic.Int64
	lockLosses, reassigned atomic.Int64
	staleServes            atomic.Int64 // ops served by a server after it lost its lock (must stay 0)
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
	if len(opts.Families) > 256 {
		return nil, fmt.Errorf("bigtable: %d families: at most 256", len(opts.Families))
	}
	if opts.MetaRows <= 0 {
		opts.MetaRows = 128
	}
	if opts.Retries <= 0 {
		opts.Retries = 8
	}
	if opts.Lease <= 0 {
		opts.Lease = 10 * time.Second
	}
	if opts.Lose != nil && (opts.Lose.Server < 0 || opts.Lose.Server >= opts.Servers) {
		return nil, fmt.Errorf("bigtable: lose_lock=%d: no such server (valid: 0 … %d)", opts.Lose.Server, opts.Servers-1)
	}
	if c := opts.Crash; c != nil {
		if !c.Master && (c.Server < 0 || c.Server >= opts.Servers) {
			return nil, fmt.Errorf("bigtable: crash=%d: no such server (valid: leader, random or 0 … %d)", c.Server, opts.Servers-1)
		}
		if c.RestartAt > 0 && c.RestartAt <= c.At {
			return nil, fmt.Errorf("bigtable: restart_at=%v must be after crash_at=%v (or 0s for never)", c.RestartAt, c.At)
		}
	}
	if i := opts.Isolate; i != nil {
		if i.Server < 0 || i.Server >= opts.Servers {
			return nil, fmt.Errorf("bigtable: partition=isolate:%d: no such server (valid: random or 0 … %d)", i.Server, opts.Servers-1)
		}
		if i.To > 0 && i.To <= i.From {
			return nil, fmt.Errorf("bigtable: partition=isolate:%d@%v..%v: the end must be after the start", i.Server, i.From, i.To)
		}
	}
	t := &Table{opts: opts, serverOps: make([]atomic.Int64, opts.Servers), byID: map[int]*tablet{},
		metaByID: map[int]*metaTablet{}, nextMeta: metaBase, clockStart: time.Now()}
	if t.opts.Clock == nil {
		t.opts.Clock = func() int64 { return time.Since(t.clockStart).Microseconds() }
	}
	t.startServers()
	tab, err := t.newTablet([]byte{}, nil, -1)
	if err != nil {
		return nil, err
	}
	t.tablets = []*tablet{tab}
	t.rootServer = -1
	t.assign(rootID, &t.rootServer, 0, false)
	m := &metaTablet{id: t.nextMeta, start: []byte{}, server: -1}
	t.nextMeta++
	t.assign(m.id, &m.server, min(1, opts.Servers-1), false)
	t.meta = []*metaTablet{m}
	t.metaByID[m.id] = m
	if opts.Clock == nil {
		t.run()
	}
	return t, nil
}

// run renews the servers' sessions every Lease/8 in one goroutine and, in
// another (which waits for the tablet map), lets servers notice a lost lock
// every Lease/8 and the master poll every Lease/2, until Close.
func (t *Table) run() {
	t.stop = make(chan struct{})
	t.ticker.Add(2)
	go func() {
		defer t.ticker.Done()
		t.every(t.opts.Lease/8, func(int) { t.keepAlives() })
	}()
	go func() {
		defer t.ticker.Done()
		t.every(t.opts.Lease/8, func(i int) { t.checkLocks(i%4 == 0) })
	}()
}

func (t *Table) every(d time.Duration, fn func(i int)) {
	tk := time.NewTicker(d)
	defer tk.Stop()
	for i := 1; ; i++ {
		select {
		case <-t.stop:
			return
		case <-tk.C:
			fn(i)
		}
	}
}

// now is the table's clock in µs.
func (t *Table) now() int64 { return t.opts.Clock() }

// stamp returns a cell timestamp: the clock, or one more than the last
// stamp if the clock has not moved (every version of a cell is distinct).
func (t *Table) stamp() int64 {
	for {
		last, now := t.lastTS.Load(), t.now()
		ts := max(now, last+1)
		if t.lastTS.CompareAndSwap(last, ts) {
			return ts
		}
	}
}

// newTablet opens a new tablet on server (−1: the live server with the
// fewest tablets).
func (t *Table) newTablet(start, end []byte, server int) (*tablet, error) {
	id := t.nextID
	t.nextID++
	tab := &tablet{id: id, start: start, end: end, server: -1}
	if err := t.openEngine(tab); err != nil {
		return nil, err
	}
	if server < 0 {
		server = t.leastLoaded()
	}
	t.assign(id, &tab.server, server, false)
	t.byID[id] = tab
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
	needSplit, err := t.writeTo(tab, func() (int64, error) { return n, apply(tab.db) })
	t.mu.RUnlock()
	if err == nil && needSplit {
		err = t.split(tab)
	}
	return err
}

// writeTo applies a mutation of n bytes to tab, major-compacts tab if
// major= bytes were written to it since the last one, and reports whether
// it is past the split size (the caller splits it once t.mu is released).
// t.mu is read-held.
func (t *Table) writeTo(tab *tablet, apply func() (int64, error)) (bool, error) {
	tab.writes.Add(1)
	tab.mu.RLock()
	n, err := apply()
	tab.mu.RUnlock()
	size := tab.size.Add(n)
	since := tab.sinceMajor.Add(n)
	if err == nil && t.opts.MajorBytes > 0 && since > t.opts.MajorBytes && size <= t.opts.SplitBytes {
		err = t.majorCompact(tab)
	}
	return err == nil && size > t.opts.SplitBytes, err
}

// recordServe counts an op a server served after it lost its lock (the
// stale serving the lock prevents). t.mu is read-held.
func (t *Table) recordServe(s int, now int64) {
	if t.srv[s].lost || now >= t.srv[s].leaseEnd.Load() || t.crashedNow(s, now) {
		t.staleServes.Add(1)
	}
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
	if t.stop != nil {
		close(t.stop)
		t.ticker.Wait()
		t.stop = nil
	}
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
