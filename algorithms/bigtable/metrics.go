package bigtable

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"

	"github.com/dsbench/dsbench/algorithms/lsm"
)

// engineStats sums the LSM figures the table reports.
type engineStats struct {
	mu                                  sync.Mutex
	flushes, compactions, written, wal  int64
	flushBytes, compactionBytes, stalls int64
}

func (e *engineStats) add(s lsm.Stats) {
	e.flushes += s.Flushes
	e.compactions += s.Compactions
	e.flushBytes += s.FlushBytes
	e.compactionBytes += s.CompactionBytesWritten
	e.wal += s.WALBytes
	e.stalls += s.Stalls
}

type statser interface{ Stats() lsm.Stats }

// retire folds the figures of an engine about to be closed into the table's.
func (t *Table) retire(db any) {
	t.retired.mu.Lock()
	if s, ok := db.(statser); ok {
		t.retired.add(s.Stats())
	}
	t.retired.mu.Unlock()
	if c, ok := db.(interface{ Close() error }); ok {
		c.Close()
	}
}

// Metrics reports splits, moves, the three kinds of compaction, per-server
// load and the bytes the engines wrote (the storage adapter turns
// bytes_written into write_amp).
func (t *Table) Metrics() map[string]float64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	t.retired.mu.Lock()
	sum := engineStats{flushes: t.retired.flushes, compactions: t.retired.compactions,
		wal: t.retired.wal, flushBytes: t.retired.flushBytes,
		compactionBytes: t.retired.compactionBytes, stalls: t.retired.stalls}
	t.retired.mu.Unlock()
	for _, tab := range t.tablets {
		if s, ok := tab.db.(statser); ok {
			sum.add(s.Stats())
		}
	}
	m := map[string]float64{
		"tablets":             float64(len(t.tablets)),
		"splits":              float64(t.splits.Load()),
		"split_bytes":         float64(t.splitBytes.Load()),
		"tablet_moves":        float64(t.moves.Load()),
		"minor_compactions":   float64(sum.flushes),
		"merging_compactions": float64(sum.compactions),
		"major_compactions":   float64(t.majors.Load()),
		"major_bytes":         float64(t.majorBytes.Load()),
		"bytes_written":       float64(sum.flushBytes + sum.compactionBytes),
		"wal_bytes_written":   float64(sum.wal),
		"stalls":              float64(sum.stalls),
	}
	counts := t.tabletCounts()
	var total, max float64
	for s := range t.serverOps {
		ops := float64(t.serverOps[s].Load())
		m[fmt.Sprintf("server_%d_ops", s)] = ops
		m[fmt.Sprintf("server_%d_tablets", s)] = float64(counts[s])
		total += ops
		if ops > max {
			max = ops
		}
	}
	if total > 0 {
		m["server_ops_max_mean"] = max / (total / float64(len(t.serverOps)))
	}
	return m
}

// IntervalMetrics samples the tablet count.
func (t *Table) IntervalMetrics() map[string]float64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return map[string]float64{"tablets": float64(len(t.tablets))}
}

// DiskUsage sums every tablet directory.
func (t *Table) DiskUsage() (int64, error) {
	var n int64
	err := filepath.WalkDir(t.opts.Dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // a tablet directory removed by a compaction meanwhile
		}
		if info, ierr := d.Info(); ierr == nil && info.Mode().IsRegular() {
			n += info.Size()
		}
		return nil
	})
	return n, err
}
