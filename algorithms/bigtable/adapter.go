package bigtable

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dsbench/dsbench/algorithms/storage"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// Target runs YCSB ops against the data model (NOTES.md "Ops"): each
// harness worker is one Client with its own location cache.
//
//	read    the newest version of every column of one random family of the row
//	update  a new version of one random cell family:qualifier of the row
//	insert  as update
//	scan    op.Size rows from the row on, newest versions of one random family
//	rmw     read, then update
//	delete  every version of every cell of the row
//
// The load writes column c0 of every family of rows 0 … n−1 directly into
// the tablets (no lookups, no round trips).
type Target struct {
	tb      *OwnedTable
	fams    int
	cols    int
	cache   bool
	seed    uint64
	mu      sync.Mutex // guards root
	root    *worker
	wmu     sync.Mutex
	workers []*worker
}

var (
	_ harness.Target            = (*Target)(nil)
	_ harness.Forker            = (*Target)(nil)
	_ harness.Loader            = (*Target)(nil)
	_ harness.ContextLoader     = (*Target)(nil)
	_ harness.Metricser         = (*Target)(nil)
	_ harness.IntervalMetricser = (*Target)(nil)
	_ io.Closer                 = (*Target)(nil)
)

// NewTarget wraps tb (opened with its families) with cols qualifiers per
// family; cache false disables the clients' location caches.
func NewTarget(tb *OwnedTable, cols int, cache bool, seed uint64) *Target {
	tg := &Target{tb: tb, fams: len(tb.opts.Families), cols: cols, cache: cache, seed: seed}
	tg.root = tg.newWorker(rand.New(rand.NewPCG(seed, 0xb16)))
	return tg
}

type worker struct {
	tg    *Target
	c     *Client
	r     *rand.Rand
	row   [RowLen]byte
	val   []byte
	visit func(Cell) bool
	cells int

	puts, deletes, putBytes, misses, scanRows, reads atomic.Int64
}

func (tg *Target) newWorker(r *rand.Rand) *worker {
	w := &worker{tg: tg, c: tg.tb.NewClient(tg.cache), r: r}
	w.visit = func(Cell) bool { w.cells++; return true }
	tg.wmu.Lock()
	tg.workers = append(tg.workers, w)
	tg.wmu.Unlock()
	return w
}

// Fork gives each harness worker its own client (location cache) and buffers.
func (tg *Target) Fork(_ int, r *rand.Rand) harness.Target { return tg.newWorker(r) }

// Do runs op on the root worker.
func (tg *Target) Do(now time.Duration, op *workloads.Op) harness.Outcome {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.root.Do(now, op)
}

// Do maps one YCSB op onto the data model.
func (w *worker) Do(_ time.Duration, op *workloads.Op) harness.Outcome {
	row := storage.EncodeKey(w.row[:], op.Key)
	var s int
	var err error
	switch op.Kind {
	case workloads.Read:
		s, err = w.read(row)
	case workloads.Update, workloads.Insert:
		s, err = w.write(row, op)
	case workloads.Scan:
		limit := max(int(op.Size), 1)
		var rows int
		rows, s, err = w.c.Scan(row, nil, limit, NewestOf(w.r.IntN(w.tg.fams)), w.visit)
		w.scanRows.Add(int64(rows))
	case workloads.RMW:
		if s, err = w.read(row); err == nil {
			s, err = w.write(row, op)
		}
	case workloads.Delete:
		if s, err = w.c.DeleteRow(row); err == nil {
			w.deletes.Add(1)
		}
	default:
		return harness.Outcome{Shard: harness.NoShard, Err: storage.ErrUnsupportedKind}
	}
	shard := int32(s)
	if s < 0 {
		shard = harness.NoShard
	}
	return harness.Outcome{Shard: shard, Err: err}
}

func (w *worker) read(row []byte) (int, error) {
	w.cells = 0
	_, s, err := w.c.Read(row, NewestOf(w.r.IntN(w.tg.fams)), w.visit)
	w.reads.Add(1)
	if err == nil && w.cells == 0 {
		w.misses.Add(1)
	}
	return s, err
}

func (w *worker) write(row []byte, op *workloads.Op) (int, error) {
	n := int(op.Size)
	if n == 0 {
		n = storage.DefaultValueSize
	}
	_, s, err := w.c.Write(row, w.r.IntN(w.tg.fams), w.r.IntN(w.tg.cols), w.value(row, n))
	if err == nil {
		w.puts.Add(1)
		w.putBytes.Add(int64(CellKeyLen + n))
	}
	return s, err
}

const valuePool = 64 << 10

// value returns n random bytes at an offset chosen by the row.
func (w *worker) value(row []byte, n int) []byte {
	if len(w.val) < valuePool+n {
		old := len(w.val)
		w.val = append(w.val, make([]byte, valuePool+n-old)...)
		for i := old; i < len(w.val); i++ {
			w.val[i] = byte(w.r.Uint32())
		}
	}
	k := binary.BigEndian.Uint64(row[RowLen-8:])
	off := int((k * 0x9E3779B97F4A7C15 >> 32) % uint64(len(w.val)-n+1))
	return w.val[off : off+n]
}

// Load writes cell c0 of every family of rows [0, n) into the tablets.
func (tg *Target) Load(n uint64, valueSize int) error {
	return tg.LoadContext(context.Background(), n, valueSize)
}

// LoadContext is Load, stopping every 1024 rows once ctx is done (Ctrl-C
// during a long --load).
func (tg *Target) LoadContext(ctx context.Context, n uint64, valueSize int) error {
	if valueSize < 0 {
		return fmt.Errorf("storage/bigtable: load value size %d < 0", valueSize)
	}
	tg.mu.Lock()
	defer tg.mu.Unlock()
	w := tg.root
	var rb [RowLen]byte
	var kb [CellKeyLen]byte
	for i := uint64(0); i < n; i++ {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		row := storage.EncodeKey(rb[:], i)
		v := w.value(row, valueSize)
		for f := 0; f < tg.fams; f++ {
			k := CellKey(kb[:], row, f, 0, tg.tb.stamp())
			if err := tg.tb.Put(k, v); err != nil {
				return fmt.Errorf("storage/bigtable: load at row %d: %w", i, err)
			}
			w.puts.Add(1)
			w.putBytes.Add(int64(CellKeyLen + valueSize))
		}
	}
	return nil
}

// Metrics flushes every tablet, then reports the table's figures, the
// clients' location figures and the amplification figures of
// algorithms/storage/NOTES.md computed over cell versions: write_amp =
// bytes written to SSTables / key+value bytes of every version written;
// space_amp = disk bytes / key+value bytes of the versions still visible.
func (tg *Target) Metrics() map[string]float64 {
	m := map[string]float64{}
	if err := tg.tb.Flush(); err != nil {
		m["flush_failed"] = 1
	}
	for k, v := range tg.tb.Metrics() {
		m[k] = v
	}
	var puts, dels, bytes, misses, scans, reads int64
	tg.wmu.Lock()
	for _, w := range tg.workers {
		puts += w.puts.Load()
		dels += w.deletes.Load()
		bytes += w.putBytes.Load()
		misses += w.misses.Load()
		scans += w.scanRows.Load()
		reads += w.reads.Load()
	}
	tg.wmu.Unlock()
	m["user_puts"] = float64(puts)
	m["user_deletes"] = float64(dels)
	m["user_bytes_written"] = float64(bytes)
	m["read_misses"] = float64(misses)
	m["scan_rows"] = float64(scans)
	if bytes > 0 {
		m["write_amp"] = m["bytes_written"] / float64(bytes)
		m["write_amp_wal"] = (m["bytes_written"] + m["wal_bytes_written"]) / float64(bytes)
	}
	disk, err := tg.tb.DiskUsage()
	live, err2 := tg.tb.LiveCellBytes()
	if err == nil && err2 == nil {
		m["disk_bytes"] = float64(disk)
		m["live_bytes"] = float64(live)
		if live > 0 {
			m["space_amp"] = float64(disk) / float64(live)
		}
	}
	return m
}

// IntervalMetrics samples the tablet count and the live servers.
func (tg *Target) IntervalMetrics() map[string]float64 { return tg.tb.IntervalMetrics() }

// Close closes the table.
func (tg *Target) Close() error { return tg.tb.Close() }
