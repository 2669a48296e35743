package lsm

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// DB is an LSM-tree engine on one directory. All methods are safe for
// concurrent use. Writers are serialized (one WAL); readers take no lock
// beyond a brief read lock to pin the current memtables and version.
type DB struct {
	opts   Options
	tiered bool

	writeMu sync.Mutex // serializes writers: WAL append and memtable insert
	walBuf  []byte
	lastSeq atomic.Uint64

	mu       sync.RWMutex // guards the fields below
	cond     *sync.Cond   // on mu; broadcast whenever background work finishes
	mem, imm *skiplist
	v        *version
	wal      *walWriter
	walNum   uint64
	nextFile uint64
	bgErr    error
	closing  bool
	bgBusy   bool
	full     bool              // CompactAll is waiting: compact down to one level
	ptr      [numLevels][]byte // leveled: where the next compaction of a level starts

	manifestLog uint64 // log number in the last MANIFEST; only Open and background touch it

	closed     atomic.Bool
	immPending atomic.Bool // imm != nil, readable without mu
	wg         sync.WaitGroup
	stop       chan struct{}
	walReady   chan struct{} // Sync "none": wakes walHandOff
	st         counters
	cache      *blockCache // nil: tables are memory-mapped

	// hook, set by tests before work starts, is called at named points of
	// flushes and compactions; returning true simulates a crash there.
	hook atomic.Pointer[func(point string) bool]
}

// errCrashed is the background error after a simulated crash.
var errCrashed = errors.New("lsm: simulated crash")

// ErrClosed is returned by operations on a closed DB.
var ErrClosed = errors.New("lsm: closed")

func walPath(dir string, n uint64) string   { return filepath.Join(dir, fmt.Sprintf("%06d.log", n)) }
func tablePath(dir string, n uint64) string { return filepath.Join(dir, fmt.Sprintf("%06d.sst", n)) }

// Open creates or reopens the DB in opts.Dir: it loads the MANIFEST, maps
// the live tables, removes files a crash left behind, and replays the WAL
// into a fresh L0 table.
func Open(opts Options) (*DB, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	db := &DB{opts: o, tiered: o.Compaction == compTiered, stop: make(chan struct{})}
	db.cond = sync.NewCond(&db.mu)
	if o.CacheBytes > 0 {
		db.cache = newBlockCache(o.CacheBytes)
	}
	m, err := readManifest(o.Dir)
	if err != nil {
		return nil, err
	}
	if m == nil {
		m = &manifest{nextFile: 1}
	}
	v, err := db.loadVersion(m)
	if err != nil {
		return nil, err
	}
	db.installVersion(v)
	db.nextFile = m.nextFile
	db.lastSeq.Store(m.lastSeq)
	if err := db.recover(m.logNum); err != nil {
		db.releaseTables()
		return nil, err
	}
	db.wg.Add(1)
	go db.background()
	switch o.Sync {
	case syncBatch:
		db.wg.Add(1)
		go db.batchSyncer()
	case syncNone:
		db.walReady = make(chan struct{}, 1)
		db.wg.Add(1)
		go db.walHandOff()
	}
	return db, nil
}

// loadVersion opens the manifest's tables, arranged for this DB's style.
func (db *DB) loadVersion(m *manifest) (*version, error) {
	var l0 []*fileMeta
	var runs [][]*fileMeta
	if len(m.runs) > 0 {
		l0, runs = m.runs[0], m.runs[1:]
	}
	v := &version{}
	switch {
	case m.tiered == db.tiered && !db.tiered:
		v.l0, v.levels = l0, runs
	case m.tiered == db.tiered:
		v.levels = runs
	case db.tiered: // leveled → tiered: each L0 file, then each level, is a run
		for _, f := range l0 {
			v.levels = append(v.levels, []*fileMeta{f})
		}
		for _, r := range runs {
			if len(r) > 0 {
				v.levels = append(v.levels, r)
			}
		}
	default: // tiered → leveled: every run's files go to L0, newest first
		for _, r := range runs {
			v.l0 = append(v.l0, r...)
		}
	}
	if !db.tiered {
		for len(v.levels) < numLevels-1 {
			v.levels = append(v.levels, nil)
		}
	}
	var opened []*fileMeta
	var err error
	v.files(func(f *fileMeta) {
		if err != nil {
			return
		}
		f.t, err = openTable(tablePath(db.opts.Dir, f.num), f.num, db.cache)
		if err == nil {
			opened = append(opened, f)
		}
	})
	if err != nil {
		for _, f := range opened {
			f.t.close()
		}
		return nil, err
	}
	return v, nil
}

// recover replays WAL files numbered ≥ logNum, flushes what they held to L0,
// starts a new WAL and removes files no live version names.
func (db *DB) recover(logNum uint64) error {
	dir := db.opts.Dir
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	live := map[uint64]bool{}
	db.v.files(func(f *fileMeta) { live[f.num] = true })
	var logs []uint64
	var garbage []string
	for _, e := range ents {
		name := e.Name()
		base, ext, _ := strings.Cut(name, ".")
		n, perr := strconv.ParseUint(base, 10, 64)
		if perr != nil {
			continue
		}
		db.nextFile = max(db.nextFile, n+1)
		switch {
		case ext == "log" && n >= logNum:
			logs = append(logs, n)
		case ext == "log", ext == "sst" && !live[n]:
			garbage = append(garbage, filepath.Join(dir, name))
		}
	}
	sort.Slice(logs, func(i, j int) bool { return logs[i] < logs[j] })
	mem := newSkiplist(db.opts.MemtableBytes)
	for _, n := range logs {
		if err := db.replay(walPath(dir, n), &mem); err != nil {
			return err
		}
	}
	if mem.count.Load() > 0 {
		if err := db.flushReplayed(mem); err != nil {
			return err
		}
	}
	db.walNum = db.nextFile
	db.nextFile++
	if db.wal, err = createWAL(walPath(dir, db.walNum)); err != nil {
		return err
	}
	if err := db.saveManifest(db.v, db.walNum); err != nil {
		return err
	}
	db.mem = newSkiplist(db.opts.MemtableBytes)
	for _, n := range logs {
		garbage = append(garbage, walPath(dir, n))
	}
	for _, g := range garbage {
		os.Remove(g)
	}
	return nil
}

func (db *DB) replay(path string, mem **skiplist) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := newWALReader(f, path)
	for {
		rec, err := r.next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		err = decodeWALRecord(rec, func(seq uint64, k kind, key, value []byte) error {
			if need := entrySpace(len(key), len(value)); !(*mem).fits(need) {
				if err := db.flushReplayed(*mem); err != nil {
					return err
				}
				*mem = newSkiplist(max(db.opts.MemtableBytes, need+64))
			}
			(*mem).add(key, makeTrailer(seq, k), value)
			if seq > db.lastSeq.Load() {
				db.lastSeq.Store(seq)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("wal %s: %w", path, err)
		}
	}
}

// flushReplayed writes a replayed memtable straight to L0 during Open.
func (db *DB) flushReplayed(mem *skiplist) error {
	f, err := db.writeMemtable(mem, db.allocFile())
	if err != nil {
		return err
	}
	db.installVersion(db.withFlushed(db.v, f))
	return nil
}

func (db *DB) allocFile() uint64 {
	db.mu.Lock()
	defer db.mu.Unlock()
	n := db.nextFile
	db.nextFile++
	return n
}

// saveManifest records v as the live set; WAL files below logNum are no
// longer needed once it returns.
func (db *DB) saveManifest(v *version, logNum uint64) error {
	db.mu.RLock()
	next := db.nextFile
	db.mu.RUnlock()
	db.manifestLog = logNum
	m := &manifest{nextFile: next, lastSeq: db.lastSeq.Load(), logNum: logNum, tiered: db.tiered}
	m.runs = append([][]*fileMeta{v.l0}, v.levels...)
	return writeManifest(db.opts.Dir, m)
}

// installVersion makes v current; the caller must be the only one changing
// versions (Open, or the background goroutine).
func (db *DB) installVersion(v *version) { db.installFlushed(v, false) }

// installFlushed installs v and, if dropImm, retires the immutable memtable
// in the same critical section, so no reader sees neither.
func (db *DB) installFlushed(v *version, dropImm bool) {
	v.files(func(f *fileMeta) { f.refs.Add(1) })
	v.refs.Store(1)
	db.mu.Lock()
	old := db.v
	db.v = v
	if dropImm {
		db.imm = nil
		db.immPending.Store(false)
		db.cond.Broadcast() // writers may be waiting for room
	}
	db.mu.Unlock()
	if old != nil {
		db.unrefVersion(old)
	}
}

func (db *DB) unrefVersion(v *version) {
	if v.refs.Add(-1) != 0 {
		return
	}
	v.files(func(f *fileMeta) {
		if f.refs.Add(-1) == 0 {
			f.t.close()
			if !db.closed.Load() {
				os.Remove(tablePath(db.opts.Dir, f.num))
			}
		}
	})
}

// readState pins the memtables and the current version for a read.
func (db *DB) readState() (mem, imm *skiplist, v *version) {
	db.mu.RLock()
	mem, imm, v = db.mem, db.imm, db.v
	v.refs.Add(1)
	db.mu.RUnlock()
	return
}

func (db *DB) releaseTables() {
	db.closed.Store(true)
	db.mu.Lock()
	v := db.v
	db.v = nil
	db.mu.Unlock()
	if v != nil {
		db.unrefVersion(v)
	}
}

// Close stops background work, syncs the WAL and unmaps the tables. The
// memtable is not flushed: the WAL holds it, and the next Open replays it.
func (db *DB) Close() error {
	if db.closed.Load() {
		return ErrClosed
	}
	// Stop background work before taking writeMu: the batch syncer takes
	// writeMu itself, so waiting for it while holding writeMu would deadlock.
	if !db.shutdown() {
		return ErrClosed
	}
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	err := db.wal.sync(db.durable())
	if cerr := db.wal.f.Close(); err == nil {
		err = cerr
	}
	db.releaseTables()
	db.mu.RLock()
	bg := db.bgErr
	db.mu.RUnlock()
	if err == nil && bg != nil && !errors.Is(bg, errCrashed) {
		err = bg
	}
	return err
}

// shutdown stops the background goroutines; it reports false if another
// caller already did.
func (db *DB) shutdown() bool {
	db.mu.Lock()
	first := !db.closing
	db.closing = true
	db.cond.Broadcast()
	db.mu.Unlock()
	if first {
		close(db.stop)
	}
	db.wg.Wait()
	return first
}

// crash simulates a process crash for tests: background work stops where it
// is, the WAL's user-space buffer is lost, nothing is flushed.
func (db *DB) crash() {
	db.shutdown()
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	db.wal.abandon()
	db.releaseTables()
}
