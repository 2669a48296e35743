package storage

import "context"

import "github.com/dsbench/dsbench/algorithms"

// The settings every LSM engine of the family takes under the same names and
// with the same meaning, so that `storage/lsm` and `storage/pebble` compare
// like for like by default (NOTES.md, "Like for like"): the same block
// compression, the same block cache budget, and the same state at the start
// of the measured phase.
var (
	CompressionParam = algorithms.Param{Name: "compression", Type: algorithms.Enum, Default: CompressNone,
		Choices: []string{CompressNone, CompressSnappy, CompressZstd},
		Doc:     "data block compression: none, snappy or zstd (level 3), the same codecs in both LSMs"}
	CacheParam = algorithms.Param{Name: "cache", Type: algorithms.Int, Default: "67108864",
		Doc: "block cache bytes of decompressed data blocks (64 MiB); 0 = none: storage/lsm then memory-maps its tables, storage/pebble reads every block from its file"}.Range(0, 1<<40)
	SettleParam = algorithms.Param{Name: "settle", Type: algorithms.Enum, Default: SettleCompact,
		Choices: []string{SettleNone, SettleFlush, SettleCompact},
		Doc:     "after --load: compact = flush and compact every key into one level (no compaction debt left), flush = flush the memtable only, none"}
)

// Compression and settle choices.
const (
	CompressNone   = "none"
	CompressSnappy = "snappy"
	CompressZstd   = "zstd"

	SettleNone    = "none"
	SettleFlush   = "flush"
	SettleCompact = "compact"
)

// Settler is implemented by engines that settle after the load phase, as
// their settle parameter says: Target.Load calls it once every record is in,
// so that the measured phase does not start in the middle of the load's
// flushes and compactions.
type Settler interface {
	Settle() error
}

// ContextSettler is a Settler that stops settling when ctx is done (its
// flushes and compactions may take minutes after a large load).
type ContextSettler interface {
	SettleContext(ctx context.Context) error
}
