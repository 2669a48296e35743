package lsm

import (
	"bytes"
	"context"
	"os"
	"time"
)

// background is the one goroutine that changes versions: it flushes the
// immutable memtable first (writers may be waiting on it) and compacts when
// nothing is left to flush, as LevelDB's single background thread does.
func (db *DB) background() {
	defer db.wg.Done()
	db.mu.Lock()
	defer db.mu.Unlock()
	for !db.closing {
		if db.bgErr != nil {
			db.cond.Wait()
			continue
		}
		var work func() error
		if db.imm != nil {
			work = db.flushImm
		} else if c := db.pickCompaction(db.v); c != nil {
			work = func() error { return db.runCompaction(c) }
		} else {
			db.cond.Wait()
			continue
		}
		db.bgBusy = true
		db.mu.Unlock()
		err := work()
		db.mu.Lock()
		db.bgBusy = false
		if err != nil && db.bgErr == nil {
			db.bgErr = err
		}
		db.cond.Broadcast()
	}
}

// crashAt reports whether a test asked for a simulated crash at point.
func (db *DB) crashAt(point string) bool {
	h := db.hook.Load()
	return h != nil && (*h)(point)
}

// flushImm writes the immutable memtable to a new L0 table, records it in
// the MANIFEST together with the WAL number it supersedes, and drops the
// old WAL.
func (db *DB) flushImm() error {
	db.mu.RLock()
	imm, v, logNum := db.imm, db.v, db.walNum
	db.mu.RUnlock()
	start := time.Now()
	f, err := db.writeMemtable(imm, db.allocFile())
	if err != nil {
		return err
	}
	if db.crashAt("flush:table-written") {
		return errCrashed
	}
	nv := db.withFlushed(v, f)
	if err := db.saveManifest(nv, logNum); err != nil {
		return err
	}
	if db.crashAt("flush:manifest-written") {
		return errCrashed
	}
	// Count the flush before installing it: installing wakes Flush's
	// callers, who read the counters next (Metrics after Flush).
	db.st.flushes.Add(1)
	db.st.flushBytes.Add(f.size)
	db.st.flushNanos.Add(int64(time.Since(start)))
	db.installFlushed(nv, true)
	ents, _ := os.ReadDir(db.opts.Dir)
	for _, e := range ents {
		var n uint64
		if name := e.Name(); len(name) > 4 && name[len(name)-4:] == ".log" {
			for _, c := range name[:len(name)-4] {
				n = n*10 + uint64(c-'0')
			}
			if n < logNum {
				os.Remove(walPath(db.opts.Dir, n))
			}
		}
	}
	return nil
}

// writeMemtable writes the newest version of every key of mem (tombstones
// included: older tables may hold the key) into table num.
func (db *DB) writeMemtable(mem *skiplist, num uint64) (*fileMeta, error) {
	tw, err := newTableWriter(tablePath(db.opts.Dir, num), db.tableOptions())
	if err != nil {
		return nil, err
	}
	it := skipIter{s: mem}
	var prev []byte
	for it.First(); it.Valid(); it.Next() {
		k := it.Key()
		if prev != nil && bytes.Equal(k, prev) {
			continue
		}
		prev = k
		if err := tw.add(k, it.Trailer(), it.Value()); err != nil {
			tw.abort()
			return nil, err
		}
	}
	return db.finishTable(tw, num)
}

func (db *DB) finishTable(tw *tableWriter, num uint64) (*fileMeta, error) {
	size, err := tw.finish()
	if err != nil {
		tw.abort()
		return nil, err
	}
	db.st.logicalWritten.Add(tw.logical)
	t, err := openTable(tablePath(db.opts.Dir, num), num, db.cache)
	if err != nil {
		return nil, err
	}
	return &fileMeta{num: num, size: size, smallest: append([]byte(nil), tw.smallest...),
		largest: append([]byte(nil), tw.largest...), t: t}, nil
}

// withFlushed returns v plus a new newest table.
func (db *DB) withFlushed(v *version, f *fileMeta) *version {
	nv := v.clone()
	if db.tiered {
		nv.levels = append([][]*fileMeta{{f}}, nv.levels...)
	} else {
		nv.l0 = append([]*fileMeta{f}, nv.l0...)
	}
	return nv
}

// Flush turns the memtable into an L0 table now and waits for it.
func (db *DB) Flush() error {
	db.writeMu.Lock()
	if db.closed.Load() {
		db.writeMu.Unlock()
		return ErrClosed
	}
	db.mu.Lock()
	for db.imm != nil && db.bgErr == nil && !db.closing {
		db.cond.Wait()
	}
	var err error
	if db.bgErr == nil && db.mem.count.Load() > 0 {
		err = db.rotate(0)
	}
	for err == nil && db.imm != nil && db.bgErr == nil && !db.closing {
		db.cond.Wait()
	}
	if err == nil {
		err = db.bgErr
	}
	db.mu.Unlock()
	db.writeMu.Unlock()
	return err
}

// CompactAll flushes, then compacts until one level (tiered: one run) holds
// every key and nothing else is due: the state a full manual compaction
// (LevelDB's CompactRange, Pebble's Compact over every key) leaves, so a
// measured phase starts with no compaction debt and reads consult one level.
func (db *DB) CompactAll() error { return db.CompactAllContext(context.Background()) }

// CompactAllContext is CompactAll, returning ctx's error as soon as ctx is
// done (the background compactions go on until Close).
func (db *DB) CompactAllContext(ctx context.Context) error {
	if err := db.Flush(); err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() {
		db.mu.Lock()
		db.cond.Broadcast()
		db.mu.Unlock()
	})
	defer stop()
	db.mu.Lock()
	defer db.mu.Unlock()
	db.full = true
	defer func() { db.full = false }()
	db.cond.Broadcast()
	for db.bgErr == nil && !db.closing && ctx.Err() == nil && (db.bgBusy || db.imm != nil || db.pickCompaction(db.v) != nil) {
		db.cond.Wait()
	}
	if db.bgErr == nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return db.bgErr
}

// CompactSync flushes, then waits until no compaction is due.
func (db *DB) CompactSync() error {
	if err := db.Flush(); err != nil {
		return err
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	for db.bgErr == nil && !db.closing && (db.bgBusy || db.imm != nil || db.pickCompaction(db.v) != nil) {
		db.cond.Wait()
	}
	return db.bgErr
}
