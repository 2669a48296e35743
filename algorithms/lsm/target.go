package lsm

import (
	"context"
	"fmt"
	"os"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/storage"
	"github.com/dsbench/dsbench/harness"
)

// Params of the storage/lsm target. sync defaults to none, as the fill and
// read benchmarks of LevelDB and Pebble run, so the figures measure the
// engine rather than the disk's fsync latency. compression, cache and
// settle are the storage family's shared settings, with the same defaults
// as storage/pebble's.
var Params = []algorithms.Param{
	{Name: "dir", Type: algorithms.String, Default: "",
		Doc: "database directory; empty = a temporary directory removed after the run", Dir: true},
	{Name: "sync", Type: algorithms.Enum, Default: syncNone, Choices: []string{syncAlways, syncBatch, syncNone, syncBuffer},
		Doc: "always = fsync every write; batch = fsync every 2 ms; none = records handed to the OS by a background goroutine, no fsync (Pebble's NoSync); buffered = a 64 KiB user-space buffer a process crash loses"},
	storage.CompressionParam,
	storage.CacheParam,
	storage.SettleParam,
	algorithms.Param{Name: "memtable", Type: algorithms.Int, Default: "4194304",
		Doc: "memtable bytes before it is flushed to L0"}.Range(4<<10, 1<<30),
	algorithms.Param{Name: "bloom_bits", Type: algorithms.Int, Default: "10",
		Doc: "Bloom filter bits per key; 0 = no filter"}.Range(0, 64),
	{Name: "compaction", Type: algorithms.Enum, Default: compLeveled, Choices: []string{compLeveled, compTiered},
		Doc: "leveled (LevelDB) or tiered (size-tiered, RocksDB universal)"},
}

func init() {
	algorithms.Register(algorithms.Info{
		Name:        "storage/lsm",
		Description: "dsbench's LSM tree: WAL, skiplist memtable, SSTables with Bloom filters, leveled or tiered compaction",
		Params:      Params,
		Workload:    storage.TourWorkload,
		Loads:       true,
		NewWall: func(env algorithms.Env) (harness.Target, error) {
			e, err := OpenEngine(env.Params)
			if err != nil {
				return nil, err
			}
			return storage.NewTarget(e, env.Seed), nil
		},
	})
}

// Engine is a DB behind the storage family's KV interface, with the
// figures of the package documentation as metrics.
type Engine struct {
	*DB
	dir    string
	owned  bool
	settle string
}

var (
	_ storage.KV                = (*Engine)(nil)
	_ harness.Metricser         = (*Engine)(nil)
	_ harness.IntervalMetricser = (*Engine)(nil)
	_ storage.Settler           = (*Engine)(nil)
)

// OpenEngine opens a DB from the target's parameters.
func OpenEngine(p algorithms.Params) (*Engine, error) {
	dir, owned := p.String("dir"), false
	if dir == "" {
		d, err := os.MkdirTemp("", "dsbench-lsm-*")
		if err != nil {
			return nil, fmt.Errorf("storage/lsm: temporary directory: %w", err)
		}
		dir, owned = d, true
	}
	db, err := Open(Options{
		Dir:             dir,
		Sync:            p.String("sync"),
		MemtableBytes:   p.Int("memtable"),
		BloomBitsPerKey: p.Int("bloom_bits"),
		Compaction:      p.String("compaction"),
		Compression:     p.String("compression"),
		CacheBytes:      int64(p.Int("cache")),
	})
	if err != nil {
		if owned {
			os.RemoveAll(dir)
		}
		return nil, fmt.Errorf("storage/lsm: %w", err)
	}
	return &Engine{DB: db, dir: dir, owned: owned, settle: p.String("settle")}, nil
}

// Settle does what the settle parameter says once the load is in.
func (e *Engine) Settle() error { return e.SettleContext(context.Background()) }

// SettleContext is Settle, abandoned (the compactions go on until Close)
// when ctx is done.
func (e *Engine) SettleContext(ctx context.Context) error {
	switch e.settle {
	case storage.SettleFlush:
		return e.Flush()
	case storage.SettleCompact:
		return e.CompactAllContext(ctx)
	}
	return nil
}

// Close closes the DB and removes a temporary directory.
func (e *Engine) Close() error {
	err := e.DB.Close()
	if e.owned {
		if rerr := os.RemoveAll(e.dir); err == nil {
			err = rerr
		}
	}
	return err
}

// Metrics reports the amplification and compaction figures. Under the
// storage family's names, write_amp counts data files only (= Stats'
// WriteAmpNoWAL) and write_amp_wal adds the WAL (= Stats' WriteAmp); the
// adapter recomputes both from its own user-byte count. space_amp scans
// every key, which is why it is computed here, at the end of a run.
func (e *Engine) Metrics() map[string]float64 {
	s := e.Stats()
	m := map[string]float64{
		"write_amp":                 s.WriteAmpNoWAL, // the storage family's definition: data files only
		"write_amp_wal":             s.WriteAmp,
		"write_amp_no_wal":          s.WriteAmpNoWAL,
		"read_amp":                  s.ReadAmp,
		"bytes_flushed":             float64(s.FlushBytes),
		"bytes_compacted":           float64(s.CompactionBytesWritten),
		"bytes_compaction_read":     float64(s.CompactionBytesRead),
		"bytes_written":             float64(s.FlushBytes + s.CompactionBytesWritten),
		"wal_bytes_written":         float64(s.WALBytes),
		"flushes":                   float64(s.Flushes),
		"compactions":               float64(s.Compactions),
		"trivial_moves":             float64(s.TrivialMoves),
		"compaction_s":              s.CompactionTime.Seconds(),
		"stalls":                    float64(s.Stalls),
		"stall_s":                   s.StallTime.Seconds(),
		"bloom_true_positive_rate":  s.BloomTruePositiveRate,
		"bloom_false_positive_rate": s.BloomFalsePositiveRate,
		"l0_files":                  float64(s.L0Files),
		"sstables":                  float64(s.Tables),
		"live_sst_bytes":            float64(s.LiveSSTBytes),
		"logical_bytes_written":     float64(s.LogicalBytesWritten),
	}
	if w := s.FlushBytes + s.CompactionBytesWritten; w > 0 {
		m["compression_ratio"] = float64(s.LogicalBytesWritten) / float64(w)
	}
	if n := s.CacheHits + s.CacheMisses; n > 0 {
		m["block_cache_hit_rate"] = float64(s.CacheHits) / float64(n)
	}
	if sa, err := e.SpaceAmp(); err == nil {
		m["space_amp"] = sa
	}
	return m
}

// IntervalMetrics samples the gauges that show compaction debt building up.
func (e *Engine) IntervalMetrics() map[string]float64 {
	s := e.Stats()
	return map[string]float64{
		"l0_files":                 float64(s.L0Files),
		"memtable_bytes":           float64(s.MemtableBytes),
		"pending_compaction_bytes": float64(s.PendingCompactionBytes),
	}
}
