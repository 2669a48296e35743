package lsm

import (
	"errors"
	"fmt"
	"time"
)

// Options configure a DB. Zero fields take the documented defaults.
type Options struct {
	Dir string // required
	// Sync is when a write reaches the OS and the disk:
	//   - "always": the WAL record is fsynced before the write returns;
	//   - "batch": records wait in a 64 KiB user-space buffer, and a
	//     background goroutine writes and fsyncs them every BatchInterval;
	//   - "none" (default): as Pebble's NoSync, a write returns once its
	//     record is in the user-space buffer, and a background goroutine
	//     hands buffered records to the OS at once (write(2)), never fsyncs:
	//     a process crash loses only records of the last moments, a machine
	//     crash more;
	//   - "buffered": records wait in the 64 KiB user-space buffer until it
	//     fills (or a memtable rotation or Close): a process crash loses up
	//     to 64 KiB of acknowledged writes. No other engine here has it.
	Sync string
	// BatchInterval bounds how stale the log may be under Sync "batch": a
	// background goroutine fsyncs the log this often when it has unsynced
	// bytes (default 2 ms). Writes acknowledged in the last interval may be
	// lost in a machine crash.
	BatchInterval   time.Duration
	MemtableBytes   int    // default 4 MiB
	BloomBitsPerKey int    // 0 = no filter; DefaultBloomBits (10) ≈ 1% false positives
	Compaction      string // "leveled" | "tiered" (default "leveled")
	// Compression of data blocks: "none" (default), "snappy" or "zstd"
	// (compress.go). Tables written under another choice stay readable.
	Compression string
	// CacheBytes > 0 reads tables with pread through a block cache holding
	// that many bytes of checked, decompressed data blocks (cache.go), as
	// Pebble and LevelDB do; 0 memory-maps them and reads blocks in place,
	// the OS page cache serving as the cache (a compressed block is then
	// decompressed on every read).
	CacheBytes                                         int64
	L0CompactTrigger, L0SlowdownTrigger, L0StopTrigger int   // 4, 8, 12
	L1MaxBytes                                         int64 // 10 MiB; each level ×10
	BlockBytes                                         int   // 4 KiB
	TargetFileBytes                                    int64 // 2 MiB
}

// DefaultBloomBits is the filter size the storage/lsm target uses by default:
// 10 bits per key give about 1% false positives. Options.BloomBitsPerKey = 0
// means no filter, as the API contract says.
const DefaultBloomBits = 10

const (
	syncAlways = "always"
	syncBatch  = "batch"
	syncNone   = "none"
	syncBuffer = "buffered"

	compLeveled = "leveled"
	compTiered  = "tiered"

	numLevels = 7 // L0 … L6
)

func (o *Options) withDefaults() (Options, error) {
	r := *o
	if r.Dir == "" {
		return r, errors.New("lsm: Options.Dir is required")
	}
	switch r.Sync {
	case "":
		r.Sync = syncNone
	case syncAlways, syncBatch, syncNone, syncBuffer:
	default:
		return r, fmt.Errorf("lsm: sync=%q (valid: always|batch|none|buffered)", r.Sync)
	}
	switch r.Compression {
	case "":
		r.Compression = compressNone
	case compressNone, compressSnappy, compressZstd:
	default:
		return r, fmt.Errorf("lsm: compression=%q (valid: none|snappy|zstd)", r.Compression)
	}
	if r.CacheBytes < 0 {
		return r, fmt.Errorf("lsm: CacheBytes=%d (valid: ≥ 0)", r.CacheBytes)
	}
	switch r.Compaction {
	case "":
		r.Compaction = compLeveled
	case compLeveled, compTiered:
	default:
		return r, fmt.Errorf("lsm: compaction=%q (valid: leveled|tiered)", r.Compaction)
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&r.MemtableBytes, 4<<20)
	def(&r.L0CompactTrigger, 4)
	def(&r.L0SlowdownTrigger, 8)
	def(&r.L0StopTrigger, 12)
	def(&r.BlockBytes, 4<<10)
	if r.L1MaxBytes == 0 {
		r.L1MaxBytes = 10 << 20
	}
	if r.TargetFileBytes == 0 {
		r.TargetFileBytes = 2 << 20
	}
	if r.BatchInterval == 0 {
		r.BatchInterval = 2 * time.Millisecond
	}
	switch {
	case r.MemtableBytes < 1<<10:
		return r, fmt.Errorf("lsm: MemtableBytes=%d (valid: ≥ 1024)", r.MemtableBytes)
	case r.BloomBitsPerKey < 0 || r.BloomBitsPerKey > 64:
		return r, fmt.Errorf("lsm: BloomBitsPerKey=%d (valid: 0 … 64)", r.BloomBitsPerKey)
	case r.L0CompactTrigger < 1 || r.L0SlowdownTrigger < r.L0CompactTrigger || r.L0StopTrigger < r.L0SlowdownTrigger:
		return r, fmt.Errorf("lsm: L0 triggers %d/%d/%d (valid: 1 ≤ compact ≤ slowdown ≤ stop)",
			r.L0CompactTrigger, r.L0SlowdownTrigger, r.L0StopTrigger)
	case r.BlockBytes < 64:
		return r, fmt.Errorf("lsm: BlockBytes=%d (valid: ≥ 64)", r.BlockBytes)
	case r.L1MaxBytes < 1<<10 || r.TargetFileBytes < 1<<10:
		return r, fmt.Errorf("lsm: L1MaxBytes=%d TargetFileBytes=%d (valid: ≥ 1024)", r.L1MaxBytes, r.TargetFileBytes)
	}
	return r, nil
}
