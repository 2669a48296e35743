package storage

// KV is a key-value storage engine as the YCSB adapter drives it. Every
// method may be called from many goroutines at once.
type KV interface {
	// Get appends the value of key to buf and returns it; found is false
	// when the key is absent (not an error).
	Get(key, buf []byte) (value []byte, found bool, err error)
	// Put sets key to value. Neither slice is retained after it returns.
	Put(key, value []byte) error
	// Delete removes key; deleting an absent key is not an error.
	Delete(key []byte) error
	// Scan calls fn for up to limit live keys >= start in ascending order
	// (limit <= 0: no limit) and stops early when fn returns false. The
	// slices are valid only during the call.
	Scan(start []byte, limit int, fn func(key, value []byte) bool) error
	// Close releases the engine (and removes a temporary directory it owns).
	Close() error
}

// Batcher is implemented by engines that apply many puts more cheaply
// together than one by one (one transaction, one WAL record); the load
// phase uses it.
type Batcher interface {
	PutBatch(keys, values [][]byte) error
}

// DiskUser is implemented by engines that live on disk; the adapter divides
// its answer by the live user bytes to report space_amp.
type DiskUser interface {
	DiskUsage() (int64, error)
}

// Sharder is implemented by engines spread over several servers or shards
// (Bigtable, Schemaless); the adapter reports ShardOf(key) as the op's
// Outcome.Shard.
type Sharder interface {
	ShardOf(key []byte) int32
}
