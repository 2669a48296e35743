package reference_test

import (
	"math/rand/v2"
	"testing"

	"github.com/dsbench/dsbench/algorithms/lsm"
	"github.com/dsbench/dsbench/algorithms/storage"
	"github.com/dsbench/dsbench/algorithms/storage/reference"
)

// The comparison: fill-random and read-random, 16-byte keys,
// 100-byte values, sync=none, every engine in the same run.

type benchEngine struct {
	name string
	open func(b *testing.B, dir string) storage.KV
}

func benchEngines() []benchEngine {
	return []benchEngine{
		{"lsm", func(b *testing.B, dir string) storage.KV {
			db, err := lsm.Open(lsm.Options{Dir: dir, Sync: "none", BloomBitsPerKey: lsm.DefaultBloomBits})
			if err != nil {
				b.Fatal(err)
			}
			return db
		}},
		{"pebble", func(b *testing.B, dir string) storage.KV {
			kv, err := reference.OpenPebble(reference.PebbleOptions{Dir: dir})
			if err != nil {
				b.Fatal(err)
			}
			return kv
		}},
		{"bbolt", func(b *testing.B, dir string) storage.KV {
			kv, err := reference.OpenBolt(reference.BoltOptions{Dir: dir})
			if err != nil {
				b.Fatal(err)
			}
			return kv
		}},
		{"map", func(*testing.B, string) storage.KV { return storage.NewMap() }},
	}
}

const benchKeys = 1 << 20 // key ids drawn from [0, 1M)

// BenchmarkFillRandom puts b.N random keys, flushes, and reports the write
// amplification (flush+compaction bytes / user bytes, and with the WAL).
func BenchmarkFillRandom(b *testing.B) {
	for _, e := range benchEngines() {
		b.Run(e.name, func(b *testing.B) {
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
		})
	}
}

// BenchmarkReadRandom loads 200k keys, flushes, then reads random ones.
func BenchmarkReadRandom(b *testing.B) {
	const loaded = 200_000
	for _, e := range benchEngines() {
		b.Run(e.name, func(b *testing.B) {
			kv := e.open(b, b.TempDir())
			defer kv.Close()
			if err := storage.NewTarget(kv, 1).Load(loaded, 100); err != nil {
				b.Fatal(err)
			}
			flushAll(kv)
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
		})
	}
}

type flusher interface{ Flush() error }

func flushAll(kv storage.KV) {
	if f, ok := kv.(flusher); ok {
		f.Flush()
	}
	if c, ok := kv.(interface{ CompactSync() error }); ok {
		c.CompactSync()
	}
}

// reportAmp flushes the memtable so every engine has written its data to
// its files, then reports write_amp (files) and write_amp_wal.
func reportAmp(b *testing.B, kv storage.KV, user int64) {
	flushAll(kv)
	var written, wal float64
	switch e := kv.(type) {
	case *lsm.DB:
		s := e.Stats()
		written, wal = float64(s.FlushBytes+s.CompactionBytesWritten), float64(s.WALBytes)
		user = s.UserBytes
	case interface{ Metrics() map[string]float64 }:
		m := e.Metrics()
		written, wal = m["bytes_written"], m["wal_bytes_written"]
	}
	if written > 0 {
		b.ReportMetric(written/float64(user), "write-amp")
		b.ReportMetric((written+wal)/float64(user), "write-amp-wal")
	}
}
