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
		tab.mu.RLock() // a major compaction or a recovery may swap db
		if s, ok := tab.db.(statser); ok {
			sum.add(s.Stats())
		}
		tab.mu.RUnlock()
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
	m["versions_gcd"] = float64(t.gcd.Load())
	m["versions_gcd_bytes"] = float64(t.gcdBytes.Load())
	m["meta_tablets"] = float64(len(t.meta))
	m["meta_splits"] = float64(t.metaSplits.Load())
	m["meta_moves"] = float64(t.metaMoves.Load())
	m["lock_losses"] = float64(t.lockLosses.Load())
	m["tablets_reassigned"] = float64(t.reassigned.Load())
	m["stale_serves"] = float64(t.staleServes.Load())
	m["servers_live"] = float64(t.liveServers())
	for s := range t.srv {
		if st := &t.srv[s]; st.reclaims > 0 {
			m[fmt.Sprintf("server_%d_reassign_delay_ms", s)] = float64(st.reassignDelay) / 1e3 // from the end of its (last dead) lease to the master deleting its file and reassigning its tablets
		}
	}
	f := &t.faults
	m["double_assignments"] = float64(f.double)
	if c := t.opts.Crash; c != nil {
		m["server_crashes"] = float64(f.crashes)
		if !c.Master {
			m["crashed_server"] = float64(c.Server)
		}
	}
	if t.opts.Crash != nil || t.opts.Isolate != nil {
		m["server_restarts"] = float64(f.restarts)
	}
	if c := t.opts.Crash; c != nil && c.Master {
		m["master_failovers"] = float64(t.master.failovers)
		m["master_unassigned_found"] = float64(t.master.unassignedFd)
		if t.master.failovers > 0 {
			m["master_failover_ms"] = float64(t.master.failoverUs) / 1e3 / float64(t.master.failovers)
		}
	}
	f.rmu.Lock()
	if f.recovered > 0 {
		m["tablets_recovered"] = float64(f.recovered)
		m["recovery_ms_total"] = float64(f.recoverUs) / 1e3
		m["recovery_ms_max"] = float64(f.recoverMax) / 1e3
		m["recovery_errors"] = float64(f.recoverErr)
	}
	f.rmu.Unlock()
	var ops, lookups, misses, stale, staleMeta, unavail, waits int64
	t.cmu.Lock()
	for _, c := range t.clients {
		ops += c.ops.Load()
		lookups += c.lookups.Load()
		misses += c.misses.Load()
		stale += c.stale.Load()
		staleMeta += c.staleMeta.Load()
		unavail += c.unavailable.Load()
		waits += c.waits.Load()
	}
	t.cmu.Unlock()
	if len(t.clients) > 0 {
		m["location_lookups"] = float64(lookups)
		m["location_cache_misses"] = float64(misses)
		m["stale_locations"] = float64(stale)
		m["stale_meta_locations"] = float64(staleMeta)
		m["unavailable_ops"] = float64(unavail)
		m["unavailable_waits"] = float64(waits)
		m["unavailable_wait_s"] = float64(waits) * t.opts.Backoff.Seconds()
		if ops > 0 {
			m["lookups_per_op"] = float64(lookups) / float64(ops)
		}
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
	return map[string]float64{"tablets": float64(len(t.tablets)), "servers_live": float64(t.liveServers())}
}

// LiveCellBytes sums key+value bytes over every version the GC rules still
// keep (what a reader can see), by a scan of every tablet.
func (t *Table) LiveCellBytes() (int64, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	now := t.now()
	var n int64
	var g gcRule
	for _, tab := range t.tablets {
		g.reset(t.opts.Families, now)
		tab.mu.RLock()
		err := tab.scanRangeOf(tab.db, tab.start, func(k, v []byte) bool {
			if _, keep := g.rank(k); keep {
				n += int64(len(k) + len(v))
			}
			return true
		})
		tab.mu.RUnlock()
		if err != nil {
			return n, err
		}
	}
	return n, nil
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
