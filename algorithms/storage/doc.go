// Package storage drives key-value storage engines with the YCSB core
// operations (Cooper, Silberstein, Tam, Ramakrishnan, Sears: "Benchmarking
// Cloud Serving Systems with YCSB", SoCC 2010) and registers the reference
// engines of the storage family: storage/map (in-memory B-tree baseline),
// storage/pebble (CockroachDB's Pebble v2) and storage/bbolt (etcd's bbolt).
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
// Amplification figures, where an engine exposes what they need:
//
//	write_amp     = bytes the engine wrote to storage files (flushes and
//	                compactions; B+tree pages for bbolt) / user bytes written
//	write_amp_wal = the same with write-ahead-log bytes added to the numerator
//	space_amp     = bytes on disk / live user bytes (key+value, counted by a
//	                full scan when Metrics is called at the end of a run)
//	read_amp      = engine-specific; each engine documents its own
//
// user bytes written = key+value bytes of every Put, the load phase included.
package storage
