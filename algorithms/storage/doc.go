// Package storage drives key-value storage engines with the YCSB core
// operations (Cooper, Silberstein, Tam, Ramakrishnan, Sears: "Benchmarking
// Cloud Serving Systems with YCSB", SoCC 2010) and registers storage/map,
// the in-memory B-tree baseline. The production reference engines,
// storage/pebble (CockroachDB's Pebble v2) and storage/bbolt (etcd's bbolt),
// live in package storage/reference, so that engines built on this package
// do not compile or link them.
//
// Every engine implements KV; NewTarget maps the YCSB op kinds onto it:
//
//	Read   → Get                 (a miss is counted in read_misses, not an error)
//	Update → Put                 (value: op.Size deterministic bytes)
//	Insert → Put
//	Scan   → Scan(key, op.Size)  (ascending from the op's key)
//	RMW    → Get, then Put
//	Delete → Delete
//
// Keys are 16 bytes (EncodeKey): the key id as 8 bytes big-endian, so byte
// order is numeric order and YCSB scans are meaningful, followed by the fixed
// 8-byte suffix "ycsbrow\x00" so the key length matches YCSB's usual
// "user…" keys. Values are filled once per worker from its seeded random
// source (incompressible, as real payloads mostly are) with the key id
// stamped into their first 8 bytes.
//
// Amplification figures. Metrics first flushes an engine that buffers
// writes in memory (Flusher), after the measured phase, so that every
// engine has put all its data in files; the adapter then computes the
// figures below itself, replacing any same-named figure of the engine, so
// one key has one definition across engines:
//
//	user bytes    = key+value bytes of every Put, the load phase included,
//	                plus the key bytes of every Delete (user_bytes_written)
//	write_amp     = bytes the engine wrote to its data files (sstables from
//	                flushes and compactions; whole B+tree pages and meta
//	                pages for bbolt; 0 for storage/map) / user bytes
//	write_amp_wal = the same with write-ahead-log bytes added to the
//	                numerator (= write_amp for bbolt, which has no log)
//	space_amp     = bytes of the engine's files on disk after the flush /
//	                live user bytes (key+value of every live key, counted by
//	                a full scan). Computed by the adapter for DiskUser
//	                engines; an engine that is not one (storage/lsm) reports
//	                its own: (live sstable + current WAL bytes) / live bytes.
//	compression_ratio = bytes the engine's tables hold before block
//	                encoding and compression (internal keys — user key and
//	                8-byte trailer — plus values, as Pebble's raw key and
//	                value sizes count them) / bytes they take: counted as
//	                written by the dsbench LSM, from the live tables'
//	                properties for Pebble. Above 1: compression shrank them.
//	write_amp_logical, space_amp_logical = write_amp and space_amp times
//	                compression_ratio: amplification per logical byte, how
//	                many times each user byte was written (is stored), which
//	                compares a compressing engine with one that does not
//	read_amp      = storage units a point read consulted, on average:
//	                sstables whose blocks were searched (Bloom-filtered ones
//	                excluded) for the dsbench LSM, B+tree pages (the tree's
//	                depth) for bbolt. Pebble does not expose it; its
//	                structural bound is pebble_read_amp.
//
// Compactions still running when Metrics is called count with the bytes
// they had written by then.
//
// Like for like. The two LSMs take the same settings under the same names
// and defaults (settings.go): compression (none), cache (64 MiB of
// decompressed blocks in a block cache; the dsbench LSM reads through one
// too unless cache=0) and settle (compact: after --load, flush and compact
// every key into one level, so the measured phase starts with no
// compaction debt; Settler).
package storage
