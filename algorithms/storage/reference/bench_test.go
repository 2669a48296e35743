package reference_test

import (
	"math/rand/v2"
	"testing"

	"github.com/dsbench/dsbench/algorithms/lsm"
	"github.com/dsbench/dsbench/algorithms/storage"
	"github.com/dsbench/dsbench/algorithms/storage/reference"
)

// The comparison: fill-random and read-random, 16-byte keys,
// 100-byte values, sync=none, every engine in the same run. The two LSMs
// run like for like (NOTES.md): the same block compression (a sub-benchmark
// per choice), the same 64 MiB block cache of decompressed blocks, 10-bit
// Bloom filters, and the same treatment before reads (flush, then compact
// every key into one level).

type benchEngine struct {
	name string
	open func(b *testing.B, dir string) storage.KV
}

// benchCacheBytes is the block cache both LSMs get: the storage family's
// default cache= budget.
const benchCacheBytes = 64 << 20

// benchEngines lists the engines for one compression choice: the two LSMs
// always, bbolt and the map (which do not compress) under none only.
func benchEngines(compression string) []benchEngine {
	e := []benchEngine{
		{"lsm", func(b *testing.B, dir string) storage.KV {
			db, err := lsm.Open(lsm.Options{Dir: dir, Sync: "none", BloomBitsPerKey: lsm.DefaultBloomBits,
				Compression: compression, CacheBytes: benchCacheBytes})
			if err != nil {
				b.Fatal(err)
			}
			return db
		}},
		{"pebble", func(b *testing.B, dir string) storage.KV {
			kv, err := reference.OpenPebble(reference.PebbleOptions{Dir: dir, Compression: compression,
				CacheBytes: benchCacheBytes, Settle: storage.SettleCompact})
			if err != nil {
				b.Fatal(err)
			}
			return kv
		}},
	}
	if compression != storage.CompressNone {
		return e
	}
	return append(e,
		benchEngine{"bbolt", func(b *testing.B, dir string) storage.KV {
			kv, err := reference.OpenBolt(reference.BoltOptions{Dir: dir})
			if err != nil {
				b.Fatal(err)
			}
			return kv
		}},
		benchEngine{"map", func(*testing.B, string) storage.KV { return storage.NewMap() }})
}

// benchCompressions are the sub-benchmarks' compression choices.
var benchCompressions = []string{storage.CompressNone, storage.CompressSnappy, storage.CompressZstd}

const benchKeys = 1 << 20 // key ids drawn from [0, 1M)

// BenchmarkFillRandom puts b.N random keys, flushes, and reports the write
// amplification (flush+compaction bytes / user bytes, and with the WAL).
func BenchmarkFillRandom(b *testing.B) {
	for _, comp := range benchCompressions {
		for _, e := range benchEngines(comp) {
			b.Run(comp+"/"+e.name, func(b *testing.B) { fillRandom(b, e) })
		}
	}
}

func fillRandom(b *testing.B, e benchEngine) {
	kv := e.open(b, b.TempDir())
	defer kv.Close()
	r := rand.New(rand.NewPCG(1, 2))
	pool := make([]byte, 64<<10)
	for i := range pool {
		pool[i] = byte(r.Uint32())
	}
	var key [storage.KeyLen]byte
	b.SetBytes(storage.KeyLen + 100)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		off := r.IntN(len(pool) - 100)
		if err := kv.Put(storage.EncodeKey(key[:], r.Uint64N(benchKeys)), pool[off:off+100]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportAmp(b, kv, int64(b.N)*(storage.KeyLen+100))
}

// BenchmarkReadRandom loads 200k keys, settles every engine alike (flush,
// then compact every key into one level), then reads random ones.
func BenchmarkReadRandom(b *testing.B) {
	for _, comp := range benchCompressions {
		for _, e := range benchEngines(comp) {
			b.Run(comp+"/"+e.name, func(b *testing.B) { readRandom(b, e) })
		}
	}
}

func readRandom(b *testing.B, e benchEngine) {
	const loaded = 200_000
	kv := e.open(b, b.TempDir())
	defer kv.Close()
	if err := storage.NewTarget(kv, 1).Load(loaded, 100); err != nil {
		b.Fatal(err)
	}
	settle(b, kv)
	r := rand.New(rand.NewPCG(3, 4))
	var key [storage.KeyLen]byte
	buf := make([]byte, 0, 128)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v, found, err := kv.Get(storage.EncodeKey(key[:], r.Uint64N(loaded)), buf[:0])
		if err != nil || !found || len(v) != 100 {
			b.Fatalf("get: found=%v len=%d err=%v", found, len(v), err)
		}
	}
}

type flusher interface{ Flush() error }

// flushAll puts every engine's memtable into its files, nothing more: fill
// figures count compactions still running with what they had written.
func flushAll(kv storage.KV) {
	if f, ok := kv.(flusher); ok {
		f.Flush()
	}
}

// settle leaves both LSMs in the state settle=compact leaves them: every
// key in one level, no compaction due.
func settle(b *testing.B, kv storage.KV) {
	var err error
	switch e := kv.(type) {
	case *lsm.DB:
		err = e.CompactAll()
	case storage.Settler:
		err = e.Settle()
	case flusher:
		err = e.Flush()
	}
	if err != nil {
		b.Fatal(err)
	}
}

// reportAmp flushes the memtable so every engine has written its data to
// its files, then reports write_amp (files), write_amp_wal, and for the
// LSMs write_amp per logical byte (write_amp × compression ratio: what the
// written tables held before compression, per user byte; package storage's
// doc).
func reportAmp(b *testing.B, kv storage.KV, user int64) {
	flushAll(kv)
	var written, wal, ratio float64
	switch e := kv.(type) {
	case *lsm.DB:
		s := e.Stats()
		written, wal = float64(s.FlushBytes+s.CompactionBytesWritten), float64(s.WALBytes)
		user = s.UserBytes
		if written > 0 {
			ratio = float64(s.LogicalBytesWritten) / written
		}
	case interface{ Metrics() map[string]float64 }:
		m := e.Metrics()
		written, wal, ratio = m["bytes_written"], m["wal_bytes_written"], m["compression_ratio"]
	}
	if written > 0 {
		b.ReportMetric(written/float64(user), "write-amp")
		b.ReportMetric((written+wal)/float64(user), "write-amp-wal")
	}
	if ratio > 0 {
		b.ReportMetric(written*ratio/float64(user), "write-amp-logical")
	}
}
