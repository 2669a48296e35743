package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// DefaultValueSize is the value length of an Update or Insert whose op
// carries Size 0 (the YCSB default record size).
const DefaultValueSize = 100

// loadBatch is how many records one load-phase batch holds.
const loadBatch = 1024

// Target replays YCSB ops against a KV engine. It implements harness.Target,
// harness.Forker, harness.Loader, harness.Metricser,
// harness.IntervalMetricser and io.Closer.
type Target struct {
	kv      KV
	sharder Sharder
	seed    uint64

	mu   sync.Mutex // guards root: Do on the unforked target
	root *worker

	wmu     sync.Mutex
	workers []*worker
}

var (
	_ harness.Target            = (*Target)(nil)
	_ harness.Forker            = (*Target)(nil)
	_ harness.Loader            = (*Target)(nil)
	_ harness.Metricser         = (*Target)(nil)
	_ harness.IntervalMetricser = (*Target)(nil)
	_ io.Closer                 = (*Target)(nil)
)

// NewTarget wraps kv. seed makes value bytes reproducible (workers reseed
// from the harness's per-worker source).
func NewTarget(kv KV, seed uint64) *Target {
	t := &Target{kv: kv, seed: seed}
	t.sharder, _ = kv.(Sharder)
	t.root = t.newWorker(rand.New(rand.NewPCG(seed, 0x5eed)))
	return t
}

// KV returns the wrapped engine.
func (t *Target) KV() KV { return t.kv }

// Do runs op on the shared root worker; forked workers run without a lock.
func (t *Target) Do(now time.Duration, op *workloads.Op) harness.Outcome {
	t.mu.Lock()
	out := t.root.Do(now, op)
	t.mu.Unlock()
	return out
}

// Fork gives each worker its own key, value and read buffers.
func (t *Target) Fork(worker int, r *rand.Rand) harness.Target { return t.newWorker(r) }

// Load inserts keys [0, n) with valueSize-byte values, in batches when the
// engine is a Batcher, then lets a Settler settle.
func (t *Target) Load(n uint64, valueSize int) error {
	return t.LoadContext(context.Background(), n, valueSize)
}

// LoadContext is Load, stopping between batches (and in a settle that
// takes a context) once ctx is done: Ctrl-C during a long --load.
func (t *Target) LoadContext(ctx context.Context, n uint64, valueSize int) error {
	if valueSize < 0 {
		return fmt.Errorf("storage: load value size %d < 0", valueSize)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	w := t.root
	w.ensureValue(valueSize)
	batcher, _ := t.kv.(Batcher)
	keyBuf := make([]byte, loadBatch*KeyLen)
	valBuf := make([]byte, loadBatch*valueSize)
	keys := make([][]byte, 0, loadBatch)
	vals := make([][]byte, 0, loadBatch)
	for base := uint64(0); base < n; base += loadBatch {
		if err := ctx.Err(); err != nil {
			return err
		}
		keys, vals = keys[:0], vals[:0]
		for i := 0; i < loadBatch && base+uint64(i) < n; i++ {
			k := EncodeKey(keyBuf[i*KeyLen:], base+uint64(i))
			v := valBuf[i*valueSize : (i+1)*valueSize]
			copy(v, w.value(base+uint64(i), valueSize))
			keys, vals = append(keys, k), append(vals, v)
		}
		var err error
		if batcher != nil {
			err = batcher.PutBatch(keys, vals)
		} else {
			for i := range keys {
				if err = t.kv.Put(keys[i], vals[i]); err != nil {
					break
				}
			}
		}
		if err != nil {
			return fmt.Errorf("storage: load at key %d: %w", base, err)
		}
		w.puts.Add(uint64(len(keys)))
		w.putBytes.Add(uint64(len(keys) * (KeyLen + valueSize)))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if s, ok := t.kv.(ContextSettler); ok {
		if err := s.SettleContext(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("storage: settling after the load: %w", err)
		}
	} else if s, ok := t.kv.(Settler); ok {
		if err := s.Settle(); err != nil {
			return fmt.Errorf("storage: settling after the load: %w", err)
		}
	}
	return nil
}

// Flusher is implemented by engines that buffer writes in memory (a
// memtable): Metrics flushes them first, after the measured phase, so every
// engine has put all its data in files before amplification is computed.
type Flusher interface {
	Flush() error
}

// adapterFigures are the keys the adapter defines (package doc) for every
// engine alike; an engine's own figure under one of these names is replaced.
var adapterFigures = []string{"write_amp", "write_amp_wal", "write_amp_logical", "space_amp_logical"}

// Metrics flushes the engine (Flusher), merges the engine's figures with the
// adapter's counters and derives the amplification figures defined in the
// package doc. The adapter's write_amp and write_amp_wal take precedence
// over an engine's same-named figure, so one key has one definition across
// engines; so does space_amp for engines that are DiskUsers.
func (t *Target) Metrics() map[string]float64 {
	m := map[string]float64{}
	var flushErr error
	if f, ok := t.kv.(Flusher); ok {
		flushErr = f.Flush()
	}
	if e, ok := t.kv.(harness.Metricser); ok {
		for k, v := range e.Metrics() {
			m[k] = v
		}
	}
	if flushErr != nil {
		m["flush_failed"] = 1
	}
	var c counters
	t.wmu.Lock() // t.workers holds the root worker too
	for _, w := range t.workers {
		c.add(w)
	}
	t.wmu.Unlock()
	m["user_puts"] = float64(c.puts)
	m["user_deletes"] = float64(c.deletes)
	m["user_bytes_written"] = float64(c.putBytes)
	m["read_misses"] = float64(c.misses)
	m["scan_rows"] = float64(c.scanRows)
	for _, k := range adapterFigures {
		delete(m, k)
	}
	if bw, ok := m["bytes_written"]; ok && c.putBytes > 0 {
		m["write_amp"] = bw / float64(c.putBytes)
		m["write_amp_wal"] = (bw + m["wal_bytes_written"]) / float64(c.putBytes)
	}
	if du, ok := t.kv.(DiskUser); ok {
		delete(m, "space_amp")
		disk, err := du.DiskUsage()
		live, err2 := LiveBytes(t.kv)
		if err == nil && err2 == nil {
			m["disk_bytes"] = float64(disk)
			m["live_bytes"] = float64(live)
			if live > 0 {
				m["space_amp"] = float64(disk) / float64(live)
			}
		}
	}
	// Per logical byte: what the written (and the stored) bytes held before
	// block encoding and compression, so that a compressing engine's
	// figures compare with an uncompressed one's (package doc).
	if r := m["compression_ratio"]; r > 0 {
		if wa, ok := m["write_amp"]; ok {
			m["write_amp_logical"] = wa * r
		}
		if sa, ok := m["space_amp"]; ok {
			m["space_amp_logical"] = sa * r
		}
	}
	return m
}

// LiveBytes sums key+value bytes over every live key by a full scan.
func LiveBytes(kv KV) (int64, error) {
	var n int64
	err := kv.Scan(nil, 0, func(k, v []byte) bool { n += int64(len(k) + len(v)); return true })
	return n, err
}

// IntervalMetrics passes the engine's gauges through.
func (t *Target) IntervalMetrics() map[string]float64 {
	if e, ok := t.kv.(harness.IntervalMetricser); ok {
		return e.IntervalMetrics()
	}
	return nil
}

// Close closes the engine.
func (t *Target) Close() error { return t.kv.Close() }

func (t *Target) newWorker(r *rand.Rand) *worker {
	w := &worker{t: t, r: r}
	w.visit = w.onRow
	w.ensureValue(DefaultValueSize)
	w.get = make([]byte, 0, 256)
	t.wmu.Lock()
	t.workers = append(t.workers, w)
	t.wmu.Unlock()
	return w
}

// errKind holds one preallocated error per op kind the adapter does not
// serve, so a wrong workload costs no allocation per op.
var errKind = func() (e [workloads.NumKinds]error) {
	for k := range e {
		e[k] = fmt.Errorf("storage: op kind %s: %w (valid: read, update, insert, scan, rmw, delete)", workloads.Kind(k), ErrUnsupportedKind)
	}
	return
}()

// ErrUnsupportedKind is wrapped by the error of an op kind outside YCSB's.
var ErrUnsupportedKind = errors.New("unsupported op kind")
