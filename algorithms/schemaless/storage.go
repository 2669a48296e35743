package schemaless

import (
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/dsbench/dsbench/algorithms/lsm"
	"github.com/dsbench/dsbench/algorithms/storage"
)

var (
	_ storage.Flusher  = (*Store)(nil)
	_ storage.DiskUser = (*Store)(nil)
)

// Flush settles the store (drains the buffered writes into their shards)
// and flushes every shard's cells and buffer table; the storage adapter
// calls it at the end of a run, before computing amplification.
func (st *Store) Flush() error {
	if err := st.settle(); err != nil {
		return err
	}
	for _, s := range st.shards {
		for _, kv := range []storage.KV{s.data, s.buffer} {
			if f, ok := kv.(storage.Flusher); ok {
				if err := f.Flush(); err != nil {
					return fmt.Errorf("schemaless: flush shard %d: %w", s.id, err)
				}
			}
		}
	}
	return nil
}

// DiskUsage sums the files of every shard's directories.
func (st *Store) DiskUsage() (int64, error) {
	var n int64
	err := filepath.WalkDir(st.opts.Dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // a file removed by a compaction meanwhile
		}
		if info, ierr := d.Info(); ierr == nil && info.Mode().IsRegular() {
			n += info.Size()
		}
		return nil
	})
	return n, err
}

// engineFigures sums the LSM figures of every shard's engines: the storage
// adapter turns bytes_written and wal_bytes_written into write_amp and
// write_amp_wal, whose numerators thus include the cell key and flag bytes
// Schemaless adds to every row.
func (st *Store) engineFigures(m map[string]float64) {
	var written, wal, flushes, compactions, stalls int64
	for _, s := range st.shards {
		for _, kv := range []storage.KV{s.data, s.buffer} {
			e, ok := kv.(interface{ Stats() lsm.Stats })
			if !ok {
				return // not LSMs: no figures
			}
			x := e.Stats()
			written += x.FlushBytes + x.CompactionBytesWritten
			wal += x.WALBytes
			flushes += x.Flushes
			compactions += x.Compactions
			stalls += x.Stalls
		}
	}
	m["bytes_written"] = float64(written)
	m["wal_bytes_written"] = float64(wal)
	m["flushes"] = float64(flushes)
	m["compactions"] = float64(compactions)
	m["stalls"] = float64(stalls)
}
