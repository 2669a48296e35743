// Package bigtable models Bigtable (Chang et al., "Bigtable: A Distributed
// Storage System for Structured Data", OSDI 2006) over dsbench's LSM engine,
// and registers the target storage/bigtable.
//
// Data model (cell.go): rows × column families × timestamped versions; a
// cell version is one LSM entry keyed row|family|qualifier|^timestamp, and
// every family has a GC rule (newest MaxVersions, younger than TTL) that
// hides versions from reads at once and drops them at major compactions.
// Clients (client.go) find tablets through the METADATA hierarchy (meta.go:
// lock-service file → root tablet → METADATA tablets → user tablets) and
// cache locations; a stale one costs a refused request and a new lookup.
// Servers hold locks in a lock service (lock.go, over coordination.Tree); a
// server whose lease runs out stops serving and the master reassigns its
// tablets, reopened from their commit logs; a standby master takes over
// when the master's lease runs out. The cluster vocabulary's fault words
// (crash, crash_at, restart_at, partition=isolate:…) drive these on the
// table's wall clock. NOTES.md has the op mapping, metrics and
// measurements.
//
// The row space is split into tablets, contiguous row ranges [start, end),
// each stored in its own LSM (package lsm) in its own directory: the
// memtable, SSTables and commit log of one tablet.
//
// Tablet size. A tablet's size is the bytes written into it (key+value of
// each Put, key of each Delete) since it was created or last major-compacted,
// plus the live bytes it then held: like the SSTables of a real tablet it
// grows with overwrites and shrinks at a major compaction. A tablet splits
// when its size passes split= bytes.
//
// Split. The tablet's live rows are scanned, the median row (a row, never
// a cell inside one) becomes the
// boundary, and the rows at or above it are copied into a new tablet's LSM;
// the parent keeps [start, median). Bigtable's children share the parent's
// SSTables instead of copying; here the copy is counted in split_bytes and in
// bytes_written. The parent's rows above the boundary stay in its SSTables,
// invisible because every read is bounded by the tablet's range, until its
// next major compaction drops them — as Bigtable's children drop the other
// half of the shared SSTables. A split holds the table's tablet map
// exclusively, so every op waits for it (Bigtable's tablet is briefly
// unavailable too).
//
// Compactions. The three kinds of the paper map as follows:
//
//	minor   — the LSM flushing its memtable to an SSTable (memtable= bytes)
//	          and the flush before a tablet moves; counted from lsm Stats
//	merging — the LSM's own compactions, which merge SSTables (lsm Stats)
//	major   — modelled on top: after major= bytes written to a tablet, its
//	          live rows in range are rewritten into a fresh LSM and the old
//	          one is deleted, dropping every deletion marker and every row
//	          left behind by splits.
//
// One deviation: the LSM's leveled compaction may already drop a tombstone
// when it reaches the bottom level, which Bigtable's merging compactions do
// not; only the major compaction is guaranteed to leave none.
//
// Servers and balance. servers= in-process tablet servers. A new tablet goes
// to the server with the fewest tablets; after every split, while the most
// loaded server holds more than one tablet more than the least loaded one,
// its least-written tablet moves (after a minor compaction, as a Bigtable
// server compacts a tablet before unloading it). Balance is by tablet count,
// as Bigtable's master does, not by traffic: so a hot tablet under Zipfian
// keys stays hot on its server, and Outcome.Shard = server makes the skew
// visible in the fairness figures.
package bigtable
