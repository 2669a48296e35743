package lsm

import (
	"sync/atomic"
	"time"
)

type counters struct {
	userBytes, walBytes, flushBytes       atomic.Int64
	compactRead, compactWritten           atomic.Int64
	flushes, compactions, moves           atomic.Int64
	flushNanos, compactNanos              atomic.Int64
	stalls, stallNanos                    atomic.Int64
	gets, filesConsulted                  atomic.Int64
	bloomNeg, bloomTruePos, bloomFalsePos atomic.Int64
	logicalWritten                        atomic.Int64
}

func (c *counters) stall(d time.Duration) {
	c.stalls.Add(1)
	c.stallNanos.Add(int64(d))
}

// Stats is a snapshot of the engine's counters and shape. The ratio fields
// follow the package documentation's definitions.
type Stats struct {
	UserBytes              int64 // key+value bytes of every Put, key bytes of every Delete
	WALBytes               int64 // bytes appended to the WAL, headers and padding included
	FlushBytes             int64 // bytes of L0 tables written by flushes
	CompactionBytesRead    int64
	CompactionBytesWritten int64
	// LogicalBytesWritten is the key+value bytes of every entry written to
	// tables by flushes and compactions, keys as internal keys (user key +
	// 8-byte trailer): what FlushBytes + CompactionBytesWritten hold before
	// block encoding and compression.
	LogicalBytesWritten int64
	Flushes             int64
	Compactions         int64 // merges that rewrote data
	TrivialMoves        int64 // files moved to the next level without a rewrite
	FlushTime           time.Duration
	CompactionTime      time.Duration
	Stalls              int64 // writes delayed by the slowdown trigger or stopped
	StallTime           time.Duration

	L0Files      int     // leveled: L0 files; tiered: sorted runs
	LevelFiles   []int   // files per run after L0 (levels L1…, or tiered runs newest first)
	LevelBytes   []int64 // bytes per run after L0
	LiveSSTBytes int64   // bytes of every live table
	Tables       int

	// Block cache (Options.CacheBytes > 0): lookups that hit and missed, and
	// the bytes it holds.
	CacheHits, CacheMisses, CacheBytes int64

	MemtableBytes          int64 // arena bytes of the mutable and immutable memtables
	PendingCompactionBytes int64 // leveled: bytes over each level's target plus L0 past its trigger; tiered: bytes of runs past the trigger

	Gets           int64
	FilesConsulted int64 // tables whose blocks a Get read (Bloom-filtered tables excluded)
	// Bloom outcomes over tables whose key range held the looked-up key:
	// BloomNegatives were skipped, true and false positives were searched and
	// did or did not hold the key.
	BloomNegatives, BloomTruePositives, BloomFalsePositives int64

	WriteAmp      float64 // (WAL + flush + compaction bytes written) / user bytes
	WriteAmpNoWAL float64 // (flush + compaction bytes written) / user bytes
	ReadAmp       float64 // FilesConsulted / Gets
	// BloomFalsePositiveRate = false positives / (false positives + negatives):
	// of the tables that did not hold the key, the fraction the filter let through.
	BloomFalsePositiveRate float64
	// BloomTruePositiveRate = true positives / (true + false positives): of the
	// tables the filter let through, the fraction that held the key.
	BloomTruePositiveRate float64
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Stats returns the current counters. It does not scan data; see SpaceAmp.
func (db *DB) Stats() Stats {
	c := &db.st
	s := Stats{
		UserBytes: c.userBytes.Load(), WALBytes: c.walBytes.Load(), FlushBytes: c.flushBytes.Load(),
		CompactionBytesRead: c.compactRead.Load(), CompactionBytesWritten: c.compactWritten.Load(),
		Flushes: c.flushes.Load(), Compactions: c.compactions.Load(), TrivialMoves: c.moves.Load(),
		FlushTime: time.Duration(c.flushNanos.Load()), CompactionTime: time.Duration(c.compactNanos.Load()),
		Stalls: c.stalls.Load(), StallTime: time.Duration(c.stallNanos.Load()),
		Gets: c.gets.Load(), FilesConsulted: c.filesConsulted.Load(),
		BloomNegatives: c.bloomNeg.Load(), BloomTruePositives: c.bloomTruePos.Load(), BloomFalsePositives: c.bloomFalsePos.Load(),
		LogicalBytesWritten: c.logicalWritten.Load(),
	}
	if db.cache != nil {
		s.CacheHits, s.CacheMisses, s.CacheBytes = db.cache.hits.Load(), db.cache.misses.Load(), db.cache.usedBytes()
	}
	written := s.FlushBytes + s.CompactionBytesWritten
	s.WriteAmp = ratio(written+s.WALBytes, s.UserBytes)
	s.WriteAmpNoWAL = ratio(written, s.UserBytes)
	s.ReadAmp = ratio(s.FilesConsulted, s.Gets)
	s.BloomFalsePositiveRate = ratio(s.BloomFalsePositives, s.BloomFalsePositives+s.BloomNegatives)
	s.BloomTruePositiveRate = ratio(s.BloomTruePositives, s.BloomTruePositives+s.BloomFalsePositives)

	db.mu.RLock()
	v := db.v
	if v == nil {
		db.mu.RUnlock()
		return s
	}
	v.refs.Add(1)
	s.MemtableBytes = int64(db.mem.bytes())
	if db.imm != nil {
		s.MemtableBytes += int64(db.imm.bytes())
	}
	db.mu.RUnlock()
	defer db.unrefVersion(v)
	s.L0Files = db.l0Count(v)
	s.Tables = v.fileCount()
	s.LiveSSTBytes = v.totalBytes()
	for _, r := range v.levels {
		s.LevelFiles = append(s.LevelFiles, len(r))
		s.LevelBytes = append(s.LevelBytes, runBytes(r))
	}
	if db.tiered {
		for _, r := range v.levels[min(len(v.levels), db.opts.L0CompactTrigger-1):] {
			s.PendingCompactionBytes += runBytes(r)
		}
	} else {
		if len(v.l0) >= db.opts.L0CompactTrigger {
			s.PendingCompactionBytes += runBytes(v.l0)
		}
		for l := 1; l < numLevels-1; l++ {
			if over := runBytes(v.levels[l-1]) - db.maxBytes(l); over > 0 {
				s.PendingCompactionBytes += over
			}
		}
	}
	return s
}

// LiveBytes scans the whole DB and returns the key+value bytes of the newest
// version of every live key: the denominator of space amplification.
func (db *DB) LiveBytes() (int64, error) {
	var n int64
	err := db.Scan(nil, 0, func(k, v []byte) bool { n += int64(len(k) + len(v)); return true })
	return n, err
}

// SpaceAmp is (live SSTable bytes + WAL bytes on disk) / LiveBytes. It scans
// every key, so call it at the end of a run, not per op.
func (db *DB) SpaceAmp() (float64, error) {
	live, err := db.LiveBytes()
	if err != nil {
		return 0, err
	}
	s := db.Stats()
	db.writeMu.Lock()
	wal := int64(0)
	if !db.closed.Load() {
		wal = db.wal.written
	}
	db.writeMu.Unlock()
	return ratio(s.LiveSSTBytes+wal, live), nil
}
