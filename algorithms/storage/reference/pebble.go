package reference

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/sstable"

	"github.com/dsbench/dsbench/algorithms/storage"
)

// PebbleOptions configures a Pebble engine. The zero value of Compression,
// CacheBytes and Settle means the storage family's defaults (none, 64 MiB,
// compact), the same as storage/lsm's.
type PebbleOptions struct {
	Dir  string // "" = a temporary directory, removed on Close
	Sync bool   // fsync the WAL on every write (pebble.Sync) or not (pebble.NoSync)
	// Compression of every level's blocks: storage.CompressNone, Snappy or
	// Zstd (Pebble's ZSTD profile, level 3).
	Compression string
	CacheBytes  int64  // block cache bytes; 0 = the default 64 MiB; < 0 = none
	Settle      string // after a load: storage.SettleNone, Flush or Compact
}

// Pebble is CockroachDB's Pebble v2 (a RocksDB-style LSM) behind storage.KV,
// with Pebble's default options apart from a silent logger, 10-bit Bloom
// filters, and the storage family's compression and block cache.
type Pebble struct {
	db     *pebble.DB
	dir    string
	owned  bool
	wo     *pebble.WriteOptions
	settle string

	stalls    atomic.Int64
	stallNs   atomic.Int64
	stallFrom atomic.Int64 // unix ns of the open stall, 0 when none
}

var (
	_ storage.KV       = (*Pebble)(nil)
	_ storage.Batcher  = (*Pebble)(nil)
	_ storage.DiskUser = (*Pebble)(nil)
	_ storage.Flusher  = (*Pebble)(nil)
	_ storage.Settler  = (*Pebble)(nil)
)

// OpenPebble opens (or creates) a Pebble database.
func OpenPebble(o PebbleOptions) (*Pebble, error) {
	dir, owned, err := storage.OpenDir(o.Dir, "pebble")
	if err != nil {
		return nil, err
	}
	p := &Pebble{dir: dir, owned: owned, wo: pebble.NoSync, settle: o.Settle}
	if p.settle == "" {
		p.settle = storage.SettleCompact
	}
	if o.Sync {
		p.wo = pebble.Sync
	}
	// Stall time is the engine's own accounting of its write stalls, read
	// from the clock as Pebble itself does; it never feeds a decision.
	el := &pebble.EventListener{
		WriteStallBegin: func(pebble.WriteStallBeginInfo) {
			p.stalls.Add(1)
			p.stallFrom.Store(time.Now().UnixNano())
		},
		WriteStallEnd: func() {
			if from := p.stallFrom.Swap(0); from != 0 {
				p.stallNs.Add(time.Now().UnixNano() - from)
			}
		},
	}
	opts := &pebble.Options{Logger: quietLogger{}, EventListener: el}
	// Bloom filters of 10 bits per key on every level, as storage/lsm has
	// by default: without them Pebble's point reads of absent keys consult
	// every overlapping table, and a read comparison would be unfair.
	opts.Levels[0].FilterPolicy = bloom.FilterPolicy(10)
	profile, err := pebbleCompression(o.Compression)
	if err != nil {
		if owned {
			os.RemoveAll(dir)
		}
		return nil, err
	}
	for i := range opts.Levels {
		opts.Levels[i].Compression = func() *sstable.CompressionProfile { return profile }
	}
	// The family's block cache budget (64 MiB by default, against Pebble's
	// 8 MiB), the same bytes storage/lsm's block cache gets for data blocks.
	// Pebble also charges its memtables to the block cache (Cache.Reserve,
	// up to MemTableStopWritesThreshold memtables of MemTableSize), which
	// would leave a small budget nothing for blocks (cache=1MiB cached none
	// at all); storage/lsm's memtables are not charged to its cache, so
	// Pebble's cache gets that reservation on top of the budget.
	opts.MemTableSize = pebbleMemtableBytes
	opts.MemTableStopWritesThreshold = pebbleMemtables
	cacheBytes := o.CacheBytes
	switch {
	case cacheBytes == 0:
		cacheBytes = pebbleCacheBytes
	case cacheBytes < 0:
		cacheBytes = 0
	}
	if cacheBytes > 0 {
		cacheBytes += pebbleMemtableBytes * pebbleMemtables
	}
	cache := pebble.NewCache(cacheBytes)
	defer cache.Unref() // Open takes its own reference
	opts.Cache = cache
	p.db, err = pebble.Open(dir, opts)
	if err != nil {
		if owned {
			os.RemoveAll(dir)
		}
		return nil, fmt.Errorf("storage/pebble: open %s: %w", dir, err)
	}
	return p, nil
}

// pebbleCacheBytes is storage/pebble's default block cache size; the
// memtable settings are Pebble's defaults, named because the cache is sized
// from them.
const (
	pebbleCacheBytes    = 64 << 20
	pebbleMemtableBytes = 4 << 20
	pebbleMemtables     = 2
)

// pebbleCompression maps the family's compression names onto Pebble's
// profiles.
func pebbleCompression(name string) (*sstable.CompressionProfile, error) {
	switch name {
	case "", storage.CompressNone:
		return sstable.NoCompression, nil
	case storage.CompressSnappy:
		return sstable.SnappyCompression, nil
	case storage.CompressZstd:
		return sstable.ZstdCompression, nil
	}
	return nil, fmt.Errorf("storage/pebble: compression=%q (valid: none|snappy|zstd)", name)
}

// Settle does what the settle option says once a load is in: compact
// flushes, then compacts every key into the bottom level (Pebble's manual
// Compact over the whole key space), leaving no compaction debt.
func (p *Pebble) Settle() error { return p.SettleContext(context.Background()) }

// SettleContext is Settle; Pebble's manual compaction stops when ctx is done.
func (p *Pebble) SettleContext(ctx context.Context) error {
	switch p.settle {
	case storage.SettleFlush:
		return p.db.Flush()
	case storage.SettleCompact:
		if err := p.db.Flush(); err != nil {
			return err
		}
		return p.db.Compact(ctx, []byte{}, allKeysEnd, true)
	}
	return nil
}

// allKeysEnd is above every key the storage adapter writes (KeyLen bytes).
var allKeysEnd = bytes.Repeat([]byte{0xff}, storage.KeyLen+1)

// Get appends key's value to buf.
func (p *Pebble) Get(key, buf []byte) ([]byte, bool, error) {
	v, closer, err := p.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return buf, false, nil
	}
	if err != nil {
		return buf, false, err
	}
	buf = append(buf, v...)
	return buf, true, closer.Close()
}

// Put sets key.
func (p *Pebble) Put(key, value []byte) error { return p.db.Set(key, value, p.wo) }

// Delete writes a tombstone for key.
func (p *Pebble) Delete(key []byte) error { return p.db.Delete(key, p.wo) }

// PutBatch commits the puts as one batch (one WAL record).
func (p *Pebble) PutBatch(keys, values [][]byte) error {
	b := p.db.NewBatch()
	defer b.Close()
	for i := range keys {
		if err := b.Set(keys[i], values[i], nil); err != nil {
			return err
		}
	}
	return b.Commit(p.wo)
}

// Scan iterates from start through a Pebble iterator.
func (p *Pebble) Scan(start []byte, limit int, fn func(key, value []byte) bool) error {
	it, err := p.db.NewIter(nil)
	if err != nil {
		return err
	}
	n := 0
	for ok := it.SeekGE(start); ok && (limit <= 0 || n < limit); ok = it.Next() {
		v, err := it.ValueAndErr()
		if err != nil {
			it.Close()
			return err
		}
		n++
		if !fn(it.Key(), v) {
			break
		}
	}
	return it.Close()
}

// Flush writes the memtable to an L0 sstable now.
func (p *Pebble) Flush() error { return p.db.Flush() }

// DiskUsage is Pebble's own count of the bytes its files take.
func (p *Pebble) DiskUsage() (int64, error) { return int64(p.db.Metrics().DiskSpaceUsage()), nil }

// Metrics reports Pebble's figures under the names of the package doc:
// bytes_written = sstable (and blob) bytes written by flushes and
// compactions over all levels; wal_bytes_written = WAL bytes;
// pebble_read_amp = Pebble's ReadAmp (L0 sublevels + non-empty lower levels:
// the most sstables a point read may have to consult, a bound at the end of
// the run, not the measured mean the package doc's read_amp is, so it has
// its own name); pebble_write_amp = Pebble's own Total().WriteAmp(), whose
// denominator is WAL bytes rather than user bytes.
func (p *Pebble) Metrics() map[string]float64 {
	m := p.db.Metrics()
	var written uint64
	for i := range m.Levels {
		l := &m.Levels[i]
		written += l.TableBytesFlushed + l.TableBytesCompacted + l.BlobBytesFlushed + l.BlobBytesCompacted
	}
	total := m.Total()
	out := map[string]float64{
		"bytes_written":     float64(written),
		"wal_bytes_written": float64(m.WAL.BytesWritten),
		"pebble_write_amp":  total.WriteAmp(),
		"pebble_read_amp":   float64(m.ReadAmp()),
		"flushes":           float64(m.Flush.Count),
		"compactions":       float64(m.Compact.Count),
		"compaction_s":      m.Compact.Duration.Seconds(),
		"stalls":            float64(p.stalls.Load()),
		"stall_s":           time.Duration(p.stallNs.Load()).Seconds(),
		"l0_files":          float64(m.Levels[0].TablesCount),
		"sstables":          float64(total.TablesCount),
	}
	if hits, misses := m.BlockCache.Hits, m.BlockCache.Misses; hits+misses > 0 {
		out["block_cache_hit_rate"] = float64(hits) / float64(hits+misses)
	}
	// Pebble counts the bytes its tables take, not what they hold: the
	// ratio of raw key+value bytes to file bytes over the live tables
	// (their properties) stands for that of everything written.
	if r := p.compressionRatio(); r > 0 {
		out["compression_ratio"] = r
		out["logical_bytes_written"] = float64(written) * r
	}
	return out
}

// compressionRatio is Σ (raw key + raw value bytes) / Σ file bytes over the
// live tables, 0 when there are none.
func (p *Pebble) compressionRatio() float64 {
	levels, err := p.db.SSTables(pebble.WithProperties())
	if err != nil {
		return 0
	}
	var raw, size uint64
	for _, l := range levels {
		for _, t := range l {
			if t.Properties != nil {
				raw += t.Properties.RawKeySize + t.Properties.RawValueSize
				size += t.Size
			}
		}
	}
	if size == 0 {
		return 0
	}
	return float64(raw) / float64(size)
}

// IntervalMetrics samples the gauges that show compaction debt building up.
func (p *Pebble) IntervalMetrics() map[string]float64 {
	m := p.db.Metrics()
	return map[string]float64{
		"l0_files":              float64(m.Levels[0].TablesCount),
		"l0_sublevels":          float64(m.Levels[0].Sublevels),
		"compaction_debt_bytes": float64(m.Compact.EstimatedDebt),
		"memtable_bytes":        float64(m.MemTable.Size),
	}
}

// Close closes the database and removes a temporary directory.
func (p *Pebble) Close() error {
	err := p.db.Close()
	if p.owned {
		if rerr := os.RemoveAll(p.dir); err == nil {
			err = rerr
		}
	}
	return err
}

// quietLogger keeps Pebble off the terminal: no package below cmd prints.
type quietLogger struct{}

func (quietLogger) Infof(string, ...interface{})  {}
func (quietLogger) Errorf(string, ...interface{}) {}
func (quietLogger) Fatalf(format string, args ...interface{}) {
	panic(fmt.Sprintf("pebble: "+format, args...))
}
