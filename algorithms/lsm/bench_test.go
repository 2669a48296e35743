package lsm

import (
	"encoding/binary"
	"testing"
)

// The benchmarks follow LevelDB's db_bench: 16-byte keys, 100-byte values,
// sync=none, default options (4 MiB memtable, 10 bits/key Bloom filter,
// leveled compaction). BenchKey and benchValue are the whole workload, so a
// Pebble benchmark can mirror them exactly.

const (
	benchValueSize = 100
	benchReadKeys  = 200_000
)

// BenchKey writes the 16-byte key of random draw i: a 64-bit mix of i, big
// endian, then i itself, so keys are unique and uniformly spread.
func BenchKey(dst []byte, i uint64) []byte {
	dst = dst[:16]
	x := i*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
	x ^= x >> 31
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	binary.BigEndian.PutUint64(dst, x)
	binary.BigEndian.PutUint64(dst[8:], i)
	return dst
}

func benchValue() []byte {
	v := make([]byte, benchValueSize)
	for i := range v {
		v[i] = byte(i*7 + 3)
	}
	return v
}

func reportAmp(b *testing.B, db *DB) {
	s := db.Stats()
	b.ReportMetric(s.WriteAmp, "write-amp")
	b.ReportMetric(s.WriteAmpNoWAL, "write-amp-no-wal")
	b.ReportMetric(float64(s.Stalls)/float64(max(b.N, 1)), "stalls/op")
}

// BenchmarkFillRandom: random-order puts into an empty DB.
func BenchmarkFillRandom(b *testing.B) {
	db, err := Open(Options{Dir: b.TempDir(), Sync: syncNone, BloomBitsPerKey: DefaultBloomBits})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var key [16]byte
	val := benchValue()
	b.SetBytes(16 + benchValueSize)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := db.Put(BenchKey(key[:], uint64(i)), val); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportAmp(b, db)
}

// BenchmarkReadRandom: point reads of present keys after loading
// benchReadKeys keys and letting compaction settle.
func BenchmarkReadRandom(b *testing.B) {
	db, err := Open(Options{Dir: b.TempDir(), Sync: syncNone, BloomBitsPerKey: DefaultBloomBits})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var key [16]byte
	val := benchValue()
	for i := 0; i < benchReadKeys; i++ {
		if err := db.Put(BenchKey(key[:], uint64(i)), val); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.CompactSync(); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, benchValueSize)
	b.ReportAllocs()
	b.ResetTimer()
	x := uint64(1)
	for i := 0; i < b.N; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		var ok bool
		buf, ok, err = db.Get(BenchKey(key[:], x%benchReadKeys), buf[:0])
		if err != nil || !ok {
			b.Fatalf("get: %v %v", ok, err)
		}
	}
	b.StopTimer()
	b.ReportMetric(db.Stats().ReadAmp, "read-amp")
}

// BenchmarkScan100: 100-key range scans (YCSB E's shape) over the read set.
func BenchmarkScan100(b *testing.B) {
	db, err := Open(Options{Dir: b.TempDir(), Sync: syncNone, BloomBitsPerKey: DefaultBloomBits})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var key [16]byte
	val := benchValue()
	for i := 0; i < benchReadKeys/4; i++ {
		db.Put(BenchKey(key[:], uint64(i)), val)
	}
	if err := db.CompactSync(); err != nil {
		b.Fatal(err)
	}
	n := 0
	fn := func(k, v []byte) bool { n++; return true }
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := db.Scan(BenchKey(key[:], uint64(i)), 100, fn); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMemtableInsert: the skiplist insert alone into default-sized (4
// MiB) memtables, a fresh one whenever the last is full; 0 allocs/op is
// the goal (the arena of a fresh memtable is allocated off the clock).
func BenchmarkMemtableInsert(b *testing.B) {
	s := newSkiplist(4 << 20)
	var key [16]byte
	val := benchValue()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if !s.fits(entrySpace(16, benchValueSize)) {
			b.StopTimer()
			s = newSkiplist(4 << 20)
			b.StartTimer()
		}
		s.add(BenchKey(key[:], uint64(i)), makeTrailer(uint64(i), kindValue), val)
	}
}
