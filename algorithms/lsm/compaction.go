package lsm

import (
	"bytes"
	"sort"
	"time"
)

// compaction is one unit of background merge work.
type compaction struct {
	// leveled: inputs[0] from level `level` (0 = L0), inputs[1] from level+1.
	// tiered: runs[first:last] merge into one run.
	level       int
	inputs      [2][]*fileMeta
	first, last int
	move        bool // a single file with no overlap below: move it, rewrite nothing
}

// maxBytes is the size target of level L (L ≥ 1): L1MaxBytes × 10^(L−1).
func (db *DB) maxBytes(level int) int64 {
	n := db.opts.L1MaxBytes
	for i := 1; i < level; i++ {
		n *= 10
	}
	return n
}

func (db *DB) pickCompaction(v *version) *compaction {
	var c *compaction
	if db.tiered {
		c = db.pickTiered(v)
	} else {
		c = db.pickLeveled(v)
	}
	if c == nil && db.full {
		c = db.pickFull(v)
	}
	return c
}

// pickFull serves CompactAll once nothing else is due: tiered, merge every
// run into one; leveled, push the shallowest level holding data into the
// next, one compaction at a time, until one level (not L0, unless it is a
// single file) holds everything, as LevelDB's CompactRange over the whole key
// space. A file that overlaps nothing in the next level moves without a
// rewrite (the oldest L0 file, or any file of a deeper level), so data
// already in order (a sequential load) is not rewritten level by level.
func (db *DB) pickFull(v *version) *compaction {
	if db.tiered {
		if n := len(v.levels); n > 1 {
			return &compaction{first: 0, last: n}
		}
		return nil
	}
	deepest, shallowest := -1, -1
	if len(v.l0) > 0 {
		shallowest, deepest = 0, 0
	}
	for l := 1; l < numLevels; l++ {
		if len(v.levels[l-1]) > 0 {
			if shallowest < 0 {
				shallowest = l
			}
			deepest = l
		}
	}
	if shallowest < 0 || (shallowest == deepest && (deepest > 0 || len(v.l0) == 1)) {
		return nil // empty, or one level already holds every key
	}
	if shallowest == 0 {
		if c := db.moveOldestL0(v); c != nil {
			return c
		}
		c := &compaction{level: 0, inputs: [2][]*fileMeta{append([]*fileMeta(nil), v.l0...)}}
		lo, hi := keyRange(c.inputs[0])
		c.inputs[1] = overlapping(v.levels[0], lo, hi)
		return c
	}
	f := v.levels[shallowest-1][0]
	c := &compaction{level: shallowest, inputs: [2][]*fileMeta{{f}, overlapping(v.levels[shallowest], f.smallest, f.largest)}}
	c.move = len(c.inputs[1]) == 0
	return c
}

// moveOldestL0 returns a trivial move of the oldest L0 file into L1 when no
// L1 file overlaps it, as Pebble and RocksDB move L0 files: no older L0 file
// can hold its keys, and newer ones are still read before L1, so reads see
// the same versions. nil when it overlaps.
func (db *DB) moveOldestL0(v *version) *compaction {
	if len(v.l0) == 0 {
		return nil
	}
	oldest := v.l0[len(v.l0)-1]
	if len(overlapping(v.levels[0], oldest.smallest, oldest.largest)) > 0 {
		return nil
	}
	return &compaction{level: 0, inputs: [2][]*fileMeta{{oldest}}, move: true}
}

// overlapping lists the files of a level whose key range meets [lo, hi].
func overlapping(run []*fileMeta, lo, hi []byte) []*fileMeta {
	var out []*fileMeta
	for _, f := range run {
		if f.overlaps(lo, hi) {
			out = append(out, f)
		}
	}
	return out
}

// pickLeveled follows LevelDB: score L0 by file count against its trigger
// and every other level by size against its target, and compact the worst
// level if its score is ≥ 1. L0 moves its oldest file to L1 when no L1 file
// overlaps it (moveOldestL0), else compacts all its files (they overlap each
// other) with the overlapping L1 files; a deeper level compacts one file,
// chosen round-robin, with the files of the next level its range overlaps.
func (db *DB) pickLeveled(v *version) *compaction {
	best, bestScore := -1, 1.0
	if s := float64(len(v.l0)) / float64(db.opts.L0CompactTrigger); s >= bestScore {
		best, bestScore = 0, s
	}
	for l := 1; l < numLevels-1; l++ {
		if s := float64(runBytes(v.levels[l-1])) / float64(db.maxBytes(l)); s > bestScore {
			best, bestScore = l, s
		}
	}
	if best < 0 {
		return nil
	}
	c := &compaction{level: best}
	if best == 0 {
		if m := db.moveOldestL0(v); m != nil {
			return m
		}
		c.inputs[0] = append([]*fileMeta(nil), v.l0...)
	} else {
		run := v.levels[best-1]
		i := sort.Search(len(run), func(i int) bool { return bytes.Compare(run[i].smallest, db.ptr[best]) > 0 })
		if i == len(run) {
			i = 0
		}
		c.inputs[0] = []*fileMeta{run[i]}
	}
	lo, hi := keyRange(c.inputs[0])
	for _, f := range v.levels[best] {
		if f.overlaps(lo, hi) {
			c.inputs[1] = append(c.inputs[1], f)
		}
	}
	c.move = best > 0 && len(c.inputs[1]) == 0
	return c
}

func keyRange(fs []*fileMeta) (lo, hi []byte) {
	for i, f := range fs {
		if i == 0 || bytes.Compare(f.smallest, lo) < 0 {
			lo = f.smallest
		}
		if i == 0 || bytes.Compare(f.largest, hi) > 0 {
			hi = f.largest
		}
	}
	return lo, hi
}

// pickTiered is RocksDB's universal compaction, simplified: once there are
// L0CompactTrigger sorted runs, merge the newest runs whose sizes are within
// 1% of what has been accumulated (similar sizes merge; a much larger, older
// run waits); failing that, merge everything when the newer runs hold twice
// the oldest run's bytes (bounding space amplification), else merge just
// enough of the newest runs to get back under the trigger.
func (db *DB) pickTiered(v *version) *compaction {
	runs := v.levels
	n := len(runs)
	if n < db.opts.L0CompactTrigger || n < 2 {
		return nil
	}
	sum, j := runBytes(runs[0]), 1
	for j < n && runBytes(runs[j])*100 <= sum*101 {
		sum += runBytes(runs[j])
		j++
	}
	if j >= 2 {
		return &compaction{first: 0, last: j}
	}
	var newer int64
	for _, r := range runs[:n-1] {
		newer += runBytes(r)
	}
	if newer >= 2*runBytes(runs[n-1]) {
		return &compaction{first: 0, last: n}
	}
	return &compaction{first: 0, last: n - db.opts.L0CompactTrigger + 2}
}

func (db *DB) runCompaction(c *compaction) error {
	db.mu.RLock()
	v := db.v
	db.mu.RUnlock()
	start := time.Now()
	nv := v.clone()
	if c.move {
		f := c.inputs[0][0]
		if c.level == 0 {
			nv.l0 = without(nv.l0, c.inputs[0])
		} else {
			nv.levels[c.level-1] = without(nv.levels[c.level-1], c.inputs[0])
			db.setPtr(c.level, f.largest)
		}
		nv.levels[c.level] = insertSorted(nv.levels[c.level], []*fileMeta{f})
		if err := db.saveManifest(nv, db.currentLogNum()); err != nil {
			return err
		}
		db.installVersion(nv)
		db.st.moves.Add(1)
		return nil
	}
	var its []internalIterator
	var in int64
	var dropTombstones func(k []byte) bool
	if db.tiered {
		for _, r := range v.levels[c.first:c.last] {
			its = append(its, &levelIter{run: r})
			in += runBytes(r)
		}
		bottom := c.last == len(v.levels)
		dropTombstones = func([]byte) bool { return bottom }
	} else {
		for _, f := range c.inputs[0] {
			if c.level == 0 {
				its = append(its, &tableIter{t: f.t})
			}
			in += f.size
		}
		if c.level > 0 {
			its = append(its, &levelIter{run: c.inputs[0]})
		}
		its = append(its, &levelIter{run: c.inputs[1]})
		in += runBytes(c.inputs[1])
		out := c.level + 1
		dropTombstones = func(k []byte) bool { // no deeper level may hold k
			for l := out + 1; l < numLevels; l++ {
				if findFile(v.levels[l-1], k) != nil {
					return false
				}
			}
			return true
		}
	}
	outs, err := db.mergeInto(&mergeIter{its: its}, dropTombstones)
	if err != nil {
		return err
	}
	if db.crashAt("compaction:tables-written") {
		return errCrashed
	}
	// Apply the edit to the version current now, not the one picked from:
	// flushes may have added L0 files (or tiered runs) meanwhile.
	db.mu.RLock()
	nv = db.v.clone()
	db.mu.RUnlock()
	if db.tiered {
		nv.levels = replaceRuns(nv.levels, v.levels[c.first:c.last], outs)
	} else {
		if c.level == 0 {
			nv.l0 = without(nv.l0, c.inputs[0])
		} else {
			nv.levels[c.level-1] = without(nv.levels[c.level-1], c.inputs[0])
			db.setPtr(c.level, c.inputs[0][len(c.inputs[0])-1].largest)
		}
		nv.levels[c.level] = insertSorted(without(nv.levels[c.level], c.inputs[1]), outs)
	}
	if err := db.saveManifest(nv, db.currentLogNum()); err != nil {
		return err
	}
	if db.crashAt("compaction:manifest-written") {
		return errCrashed
	}
	db.installVersion(nv)
	var written int64
	for _, f := range outs {
		written += f.size
	}
	db.st.compactions.Add(1)
	db.st.compactRead.Add(in)
	db.st.compactWritten.Add(written)
	db.st.compactNanos.Add(int64(time.Since(start)))
	return nil
}

// currentLogNum is the log number the last MANIFEST recorded: a compaction
// moves no data out of the WAL, so it must not advance it.
func (db *DB) currentLogNum() uint64 { return db.manifestLog }

func (db *DB) setPtr(level int, k []byte) {
	db.mu.Lock()
	db.ptr[level] = k
	db.mu.Unlock()
}

// mergeInto writes the newest version of every key the iterator yields into
// tables of about TargetFileBytes, dropping tombstones where allowed.
func (db *DB) mergeInto(it *mergeIter, drop func([]byte) bool) ([]*fileMeta, error) {
	var outs []*fileMeta
	var tw *tableWriter
	var num uint64
	var prev []byte
	have := false
	abort := func() {
		if tw != nil {
			tw.abort()
		}
	}
	n := 0
	for it.First(); it.Valid(); it.Next() {
		if n++; n%256 == 0 && db.immPending.Load() {
			// Writers wait on a full memtable: flush it between two entries
			// of this merge rather than after it, as LevelDB does.
			if err := db.flushImm(); err != nil {
				abort()
				return nil, err
			}
		}
		k := it.Key()
		if have && bytes.Equal(k, prev) {
			continue
		}
		prev, have = append(prev[:0], k...), true
		if trailerKind(it.Trailer()) == kindDelete && drop(k) {
			continue
		}
		if tw == nil {
			num = db.allocFile()
			var err error
			if tw, err = newTableWriter(tablePath(db.opts.Dir, num), db.tableOptions()); err != nil {
				return nil, err
			}
		}
		if err := tw.add(k, it.Trailer(), it.Value()); err != nil {
			abort()
			return nil, err
		}
		if int64(tw.size()) >= db.opts.TargetFileBytes {
			f, err := db.finishTable(tw, num)
			tw = nil
			if err != nil {
				return nil, err
			}
			outs = append(outs, f)
		}
	}
	if err := it.Err(); err != nil {
		abort()
		return nil, err
	}
	if tw != nil {
		f, err := db.finishTable(tw, num)
		if err != nil {
			return nil, err
		}
		outs = append(outs, f)
	}
	return outs, nil
}

// replaceRuns swaps the merged runs (found by identity) for the output run,
// which takes the place of the newest of them.
func replaceRuns(runs, merged [][]*fileMeta, out []*fileMeta) [][]*fileMeta {
	var res [][]*fileMeta
	placed := false
	for _, r := range runs {
		isInput := false
		for _, m := range merged {
			if len(r) > 0 && len(m) > 0 && r[0] == m[0] {
				isInput = true
				break
			}
		}
		if !isInput {
			res = append(res, r)
			continue
		}
		if !placed && len(out) > 0 {
			res = append(res, out)
		}
		placed = true
	}
	return res
}

func without(run, remove []*fileMeta) []*fileMeta {
	out := run[:0:0]
	for _, f := range run {
		keep := true
		for _, r := range remove {
			if r == f {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, f)
		}
	}
	return out
}

func insertSorted(run, add []*fileMeta) []*fileMeta {
	out := append(append([]*fileMeta(nil), run...), add...)
	sort.Slice(out, func(i, j int) bool { return bytes.Compare(out[i].smallest, out[j].smallest) < 0 })
	return out
}
