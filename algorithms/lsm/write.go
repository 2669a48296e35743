package lsm

import (
	"fmt"
	"time"
)

// Put sets key to value. Under Sync "always" it returns once the WAL record
// is fsynced.
func (db *DB) Put(key, value []byte) error { return db.write(kindValue, key, value) }

// Delete removes key by writing a tombstone.
func (db *DB) Delete(key []byte) error { return db.write(kindDelete, key, nil) }

func (db *DB) write(k kind, key, value []byte) error {
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	if db.closed.Load() {
		return ErrClosed
	}
	if err := db.makeRoom(entrySpace(len(key), len(value))); err != nil {
		return err
	}
	seq := db.lastSeq.Load() + 1
	db.walBuf = encodeWALEntry(db.walBuf, seq, k, key, value)
	before := db.wal.written
	if err := db.wal.add(db.walBuf); err != nil {
		return db.fail(err)
	}
	if err := db.syncRecord(); err != nil {
		return db.fail(err)
	}
	db.st.walBytes.Add(db.wal.written - before)
	db.st.userBytes.Add(int64(len(key) + len(value)))
	db.mem.add(key, makeTrailer(seq, k), value)
	db.lastSeq.Store(seq)
	return nil
}

// PutBatch sets keys[i] to values[i] for every i, in order, as one WAL
// record (one fsync under Sync "always"): the load phase's fast path. A
// crash keeps all of the batch or none of it.
func (db *DB) PutBatch(keys, values [][]byte) error {
	if len(keys) != len(values) {
		return fmt.Errorf("lsm: PutBatch: %d keys, %d values", len(keys), len(values))
	}
	if len(keys) == 0 {
		return nil
	}
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	if db.closed.Load() {
		return ErrClosed
	}
	need, user := 0, 0
	for i := range keys {
		need += entrySpace(len(keys[i]), len(values[i]))
		user += len(keys[i]) + len(values[i])
	}
	if err := db.makeRoom(need); err != nil {
		return err
	}
	first := db.lastSeq.Load() + 1
	db.walBuf = encodeWALBatch(db.walBuf, first, keys, values)
	before := db.wal.written
	if err := db.wal.add(db.walBuf); err != nil {
		return db.fail(err)
	}
	if err := db.syncRecord(); err != nil {
		return db.fail(err)
	}
	db.st.walBytes.Add(db.wal.written - before)
	db.st.userBytes.Add(int64(user))
	for i := range keys {
		db.mem.add(keys[i], makeTrailer(first+uint64(i), kindValue), values[i])
	}
	db.lastSeq.Store(first + uint64(len(keys)) - 1)
	return nil
}

// syncRecord does what Options.Sync asks once a record is in the WAL's
// buffer: fsync it (always), wake the hand-off goroutine that gives it to
// the OS (none), or leave it (batch, buffered). The caller holds writeMu.
func (db *DB) syncRecord() error {
	switch db.opts.Sync {
	case syncAlways:
		return db.wal.sync(true)
	case syncNone:
		select {
		case db.walReady <- struct{}{}:
		default: // already woken: it will take this record too
		}
	}
	return nil
}

// walHandOff implements Sync "none" as Pebble's NoSync does: a write
// returns once its record is in the user-space buffer, and this goroutine
// hands the buffered records to the OS (write(2), no fsync) right away,
// writing while writers fill the other buffer. Only the records of the last
// moments, not yet handed over, are lost when the process dies; a write
// per record in the writer's path instead (LevelDB's sync=false) cost the
// fill benchmark about 2 µs per put.
func (db *DB) walHandOff() {
	defer db.wg.Done()
	for {
		select {
		case <-db.stop:
			return
		case <-db.walReady:
		}
		db.writeMu.Lock()
		w := db.wal
		if db.closed.Load() || len(w.buf) == 0 {
			db.writeMu.Unlock()
			continue
		}
		b := w.takeBuffered()
		db.writeMu.Unlock()
		err := w.finishHandOff(b)
		db.writeMu.Lock()
		w.recycle(b)
		db.writeMu.Unlock()
		if err != nil {
			db.fail(err)
		}
	}
}

// durable reports whether the WAL is fsynced when a memtable rotates or
// the DB closes: under every mode that fsyncs at all.
func (db *DB) durable() bool { return db.opts.Sync == syncAlways || db.opts.Sync == syncBatch }

// fail records a write-path I/O error: the DB refuses writes from then on,
// since the WAL may no longer match the memtable.
func (db *DB) fail(err error) error {
	db.mu.Lock()
	if db.bgErr == nil {
		db.bgErr = err
	}
	db.mu.Unlock()
	return err
}

// l0Count is what the stall thresholds watch: L0 files (leveled) or sorted
// runs (tiered).
func (db *DB) l0Count(v *version) int {
	if db.tiered {
		return len(v.levels)
	}
	return len(v.l0)
}

// makeRoom applies back-pressure as LevelDB's MakeRoomForWrite does: a 1 ms
// delay per write while L0 is at the slowdown trigger, a full stop at the
// stop trigger or while the previous memtable is still being flushed, and a
// memtable rotation when the current one is full. The caller holds writeMu.
func (db *DB) makeRoom(need int) error {
	slowed := false
	db.mu.Lock()
	defer db.mu.Unlock()
	for {
		if db.bgErr != nil {
			return db.bgErr
		}
		l0 := db.l0Count(db.v)
		switch {
		case !slowed && l0 >= db.opts.L0SlowdownTrigger && l0 < db.opts.L0StopTrigger:
			slowed = true
			db.mu.Unlock()
			start := time.Now()
			time.Sleep(time.Millisecond)
			db.st.stall(time.Since(start))
			db.mu.Lock()
		case db.mem.fits(need):
			return nil
		case db.imm != nil || l0 >= db.opts.L0StopTrigger:
			start := time.Now()
			for (db.imm != nil || db.l0Count(db.v) >= db.opts.L0StopTrigger) && db.bgErr == nil && !db.closing {
				db.cond.Wait()
			}
			db.st.stall(time.Since(start))
			if db.closing {
				return ErrClosed
			}
		default:
			if err := db.rotate(need); err != nil {
				return err
			}
		}
	}
}

// rotate makes the memtable immutable, starts a new WAL for its successor and
// wakes the flusher. The caller holds writeMu and mu.
func (db *DB) rotate(need int) error {
	num := db.nextFile
	db.nextFile++
	w, err := createWAL(walPath(db.opts.Dir, num))
	if err != nil {
		return err
	}
	if err := db.wal.sync(db.durable()); err != nil {
		w.abandon()
		return err
	}
	if err := db.wal.close(); err != nil {
		w.abandon()
		return err
	}
	db.wal, db.walNum = w, num
	db.imm = db.mem
	db.immPending.Store(true)
	db.mem = newSkiplist(max(db.opts.MemtableBytes, need+64))
	db.cond.Broadcast()
	return nil
}

// batchSyncer implements Sync "batch": the WAL is fsynced every
// BatchInterval when it has unsynced records, so a write waits for no fsync
// and a machine crash loses at most one interval of acknowledged writes.
func (db *DB) batchSyncer() {
	defer db.wg.Done()
	t := time.NewTicker(db.opts.BatchInterval)
	defer t.Stop()
	for {
		select {
		case <-db.stop:
			return
		case <-t.C:
			db.writeMu.Lock()
			if !db.closed.Load() && db.wal.dirty {
				if err := db.wal.sync(true); err != nil {
					db.fail(err)
				}
			}
			db.writeMu.Unlock()
		}
	}
}
