// Package schemaless models Uber's Schemaless datastore (Uber Engineering,
// "Designing Schemaless, Uber Engineering's Scalable Datastore Using MySQL",
// parts 1–3, 2016) over dsbench's LSM engine, and registers the target
// storage/schemaless.
//
// Cells. Data is a set of immutable cells (row key, column name, ref key) →
// body. A write never overwrites: it appends a cell with a higher ref key,
// and a read returns the cell with the highest ref key of the row's column.
// Ref keys come from one monotonic counter, so a later write always wins.
// The YCSB adapter's Put writes column "base"; Delete appends a tombstone
// cell (Schemaless has no in-place delete), after which reads miss.
//
// Shards. A row lives on shard xxhash(row) mod shards=, each shard a storage
// node with its own LSM. A cell is stored under row ‖ column ‖ 0x00 ‖
// ^refkey, so the newest cell of a column sorts first and a read is a
// one-row scan. Row keys are storage.KeyLen bytes, so byte order of cell
// keys is row order. A YCSB scan gathers from every shard and merges (rows
// are hash-partitioned: a range scan cannot go to one shard).
//
// Buffered writes. When a shard is down, a write goes to the buffer table of
// a secondary shard ((s+1) mod shards) and is acknowledged; when the shard
// comes back, the first op that sees it up copies the buffered cells into it
// (and into its change log) and deletes them from the buffer. Reads and
// scans that need a down shard fail with ErrShardDown: Schemaless reads go
// to the master only. down=s with down_at= and down_for= make shard s
// unavailable during [down_at, down_at+down_for) of the run, judged by the
// latest op time the store has seen (the harness's now, never the clock).
//
// Triggers. Every shard keeps an in-process append-only change log of the
// cells it committed, with offsets. One trigger consumer per shard follows
// its log in a background goroutine, reading each cell back from the shard
// as Uber's trigger workers do, and commits its offset. Lag is the number of
// cells between a shard's log end and its consumer, sampled at every append:
// trigger_lag_max and trigger_lag_mean. Close drains buffers and consumers
// and checks cells_triggered == cells_written and that every cell was seen
// exactly once (cells_lost must be 0; Close returns an error otherwise).
package schemaless
