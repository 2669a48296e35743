// Package lsm is a durable log-structured merge-tree key-value engine, after
// O'Neil et al., "The Log-Structured Merge-Tree (LSM-Tree)" (1996), in the
// shape LevelDB and RocksDB gave it:
//
//   - a write-ahead log in 32 KiB blocks whose records carry a CRC32C
//     (Castagnoli), a length and a FULL/FIRST/MIDDLE/LAST type (wal.go);
//   - an arena-backed skiplist memtable, rotated into an immutable memtable
//     that a background goroutine flushes into an L0 SSTable (skiplist.go,
//     flush.go);
//   - SSTables of ~4 KiB data blocks with restart points and prefix
//     compression, one Bloom filter block (double hashing), an index block
//     and a footer with a magic number; every block carries a CRC32C
//     (block.go, bloom.go, table.go);
//   - an atomically replaced MANIFEST naming the live files (manifest.go);
//   - leveled compaction (L0 trigger 4, slowdown 8, stop 12, L1 = 10 MiB,
//     ×10 per level, inputs picked by key-range overlap) and a size-tiered
//     variant in the style of RocksDB's universal compaction
//     (compaction.go);
//   - a merging iterator over memtables and levels for scans (merge.go).
//
// Amplification figures (Stats) are defined as follows.
//
//	WriteAmp      = (WAL bytes + flush bytes + compaction bytes written) / user bytes written
//	WriteAmpNoWAL = (flush bytes + compaction bytes written) / user bytes written
//	ReadAmp       = SSTable files consulted per point read (mean); a table
//	                the Bloom filter rules out is not counted
//	SpaceAmp()    = (live SSTable bytes + live WAL bytes) / live user bytes,
//	                where live user bytes is the key+value size of the newest
//	                version of every live key, measured by a full scan (LiveBytes)
//
// User bytes written is len(key)+len(value) of every Put and len(key) of
// every Delete. The storage/lsm target reports them under the storage
// family's names: write_amp (data files only, = WriteAmpNoWAL),
// write_amp_wal (= WriteAmp), read_amp, space_amp.
//
// Durability: Sync "always" fsyncs the WAL before a write returns; "batch"
// fsyncs it every Options.BatchInterval (2 ms) from a background goroutine
// (no group commit); "none", as Pebble's NoSync, has a background goroutine
// hand each buffered record to the OS right after its write returns, no
// fsync; "buffered" leaves a 64 KiB user-space buffer that fills, a clean
// Close or a memtable rotation pushes to the OS. PutBatch writes many puts
// as one WAL record: all or nothing after a crash.
//
// Data blocks may be compressed (Options.Compression: Snappy or Zstd, the
// codecs Pebble uses; compress.go) and read through a block cache of
// Options.CacheBytes (cache.go) instead of a memory map.
//
// The engine runs on the wall clock: it uses goroutines and time for its own
// background work and for stall accounting only. Flush and CompactSync let
// tests force that work deterministically.
package lsm
