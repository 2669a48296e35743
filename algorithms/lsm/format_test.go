package lsm

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// copyDir copies the files of src into a new temporary directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// testdata/v1db holds one table of format version 1 (before compression),
// written by the engine as it was: 300 keys k0000… with value-i-i². It must
// still read, mmap'd or through the cache, and mix with new tables.
func TestReadsFormatV1(t *testing.T) {
	for _, cache := range []int64{0, 1 << 20} {
		dir := copyDir(t, "testdata/v1db")
		db, err := Open(Options{Dir: dir, CacheBytes: cache, Compression: compressSnappy, MemtableBytes: 4 << 10, BlockBytes: 256})
		if err != nil {
			t.Fatal(err)
		}
		check := func(when string) {
			for i := 0; i < 300; i++ {
				v, ok, err := db.Get([]byte(fmt.Sprintf("k%04d", i)), nil)
				if want := fmt.Sprintf("value-%d-%d", i, i*i); err != nil || !ok || string(v) != want {
					t.Fatalf("cache %d, %s: key %d = %q %v %v", cache, when, i, v, ok, err)
				}
			}
		}
		check("opened")
		for i := 300; i < 600; i++ { // new, compressed tables beside the old one
			db.Put([]byte(fmt.Sprintf("k%04d", i)), bytes.Repeat([]byte("x"), 50))
		}
		if err := db.CompactSync(); err != nil {
			t.Fatal(err)
		}
		check("after new tables and compactions")
		db.Close()
	}
}

// fill writes n compressible records and compacts.
func fill(t *testing.T, o Options, n int) *DB {
	t.Helper()
	db, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		v := fmt.Sprintf("value %d of a record whose bytes repeat: %s", i, bytes.Repeat([]byte("abcd"), 20))
		if err := db.Put([]byte(fmt.Sprintf("k%06d", i)), []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.CompactSync(); err != nil {
		t.Fatal(err)
	}
	return db
}

// Compressed tables are smaller, every entry is counted at least once in the
// logical bytes written whatever the compression, and the data reads back the
// same through the cache and in place.
func TestCompressionShrinksTables(t *testing.T) {
	sizes := map[string]int64{}
	for _, c := range []string{compressNone, compressSnappy, compressZstd} {
		for _, cache := range []int64{0, 64 << 10} {
			db := fill(t, Options{Dir: t.TempDir(), Compression: c, CacheBytes: cache, MemtableBytes: 64 << 10}, 5000)
			s := db.Stats()
			sizes[c] = s.LiveSSTBytes
			if min := s.UserBytes + 5000*8; s.LogicalBytesWritten < min { // each entry once, with its 8-byte trailer
				t.Errorf("%s: %d logical bytes written, fewer than the %d the entries hold", c, s.LogicalBytesWritten, min)
			}
			for i := 0; i < 5000; i += 7 {
				v, ok, err := db.Get([]byte(fmt.Sprintf("k%06d", i)), nil)
				if err != nil || !ok || !bytes.HasPrefix(v, []byte(fmt.Sprintf("value %d ", i))) {
					t.Fatalf("%s cache %d: key %d = %q %v %v", c, cache, i, v, ok, err)
				}
			}
			if cache > 0 {
				if s := db.Stats(); s.CacheMisses == 0 || s.CacheBytes > cache || s.CacheBytes == 0 {
					t.Errorf("%s: cache misses %d, holding %d of %d bytes", c, s.CacheMisses, s.CacheBytes, cache)
				}
			}
			db.Close()
		}
	}
	t.Logf("live table bytes: %v", sizes)
	if sizes[compressSnappy] > sizes[compressNone]/2 || sizes[compressZstd] > sizes[compressNone]/2 {
		t.Errorf("tables of very repetitive values: %v; compression should at least halve them", sizes)
	}
}

// A flipped bit in a compressed block is reported, not decompressed into
// garbage, whether read in place or through the cache.
func TestCorruptCompressedBlockDetected(t *testing.T) {
	for _, cache := range []int64{0, 1 << 20} {
		dir := t.TempDir()
		db := fill(t, Options{Dir: dir, Compression: compressSnappy, MemtableBytes: 1 << 20, CacheBytes: cache}, 2000)
		db.Close()
		for _, f := range files(t, dir, ".sst") {
			flipByte(t, f, 100)
		}
		db, err := Open(Options{Dir: dir, Compression: compressSnappy, CacheBytes: cache})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = db.Get([]byte("k000000"), nil)
		wantCorrupt(t, err, "checksum mismatch")
		db.Close()
	}
}

// The block cache never holds more than its budget.
func TestBlockCacheBudget(t *testing.T) {
	c := newBlockCache(64 << 10)
	for i := range 1000 {
		c.put(cacheKey(1, i), make([]byte, 1000))
		if i%7 == 0 {
			c.get(cacheKey(1, i/2))
		}
	}
	if u := c.usedBytes(); u > 64<<10 || u < 32<<10 {
		t.Errorf("the cache holds %d bytes of a 64 KiB budget", u)
	}
	if _, ok := c.get(cacheKey(1, 999)); !ok {
		t.Error("the newest block was evicted")
	}
	if _, ok := c.get(cacheKey(1, 0)); ok {
		t.Error("the oldest block is still there")
	}
}

// CompactAll leaves every key in one level (tiered: one run) and nothing due.
func TestCompactAll(t *testing.T) {
	for _, style := range []string{compLeveled, compTiered} {
		o := tinyOptions(t.TempDir(), style)
		o.Sync = syncNone
		db, err := Open(o)
		if err != nil {
			t.Fatal(err)
		}
		putN(t, db, 0, 3000)
		for i := 0; i < 3000; i += 5 {
			db.Delete([]byte(fmt.Sprintf("k%05d", i)))
		}
		if err := db.CompactAll(); err != nil {
			t.Fatal(err)
		}
		s := db.Stats()
		nonEmpty := 0
		for _, n := range s.LevelFiles {
			if n > 0 {
				nonEmpty++
			}
		}
		if style == compLeveled && (s.L0Files != 0 || nonEmpty != 1) || style == compTiered && s.L0Files != 1 {
			t.Errorf("%s: after CompactAll L0 %d, files per level %v", style, s.L0Files, s.LevelFiles)
		}
		for i := 0; i < 3000; i++ {
			_, ok, err := db.Get([]byte(fmt.Sprintf("k%05d", i)), nil)
			if err != nil || ok != (i%5 != 0) {
				t.Fatalf("%s: key %d found=%v err=%v", style, i, ok, err)
			}
		}
		db.Close()
	}
}

// A sequential load's L0 tables overlap nothing below them, so they move to
// L1 without a rewrite (as in Pebble and RocksDB), and CompactAll leaves one
// level having written no compaction bytes: its write amplification is the
// flushes' alone. Random keys still merge.
func TestOrderedTablesMoveDown(t *testing.T) {
	db, err := Open(Options{Dir: t.TempDir(), Sync: syncNone, MemtableBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	putN(t, db, 0, 20000)
	if err := db.CompactAll(); err != nil {
		t.Fatal(err)
	}
	s := db.Stats()
	if s.Flushes < 8 || s.TrivialMoves < s.Flushes-1 || s.CompactionBytesWritten != 0 || s.L0Files != 0 {
		t.Errorf("sequential load: %d flushes, %d moves, %d compaction bytes, %d L0 files", s.Flushes, s.TrivialMoves, s.CompactionBytesWritten, s.L0Files)
	}
	for i := 0; i < 20000; i += 97 {
		if v, ok, err := db.Get([]byte(fmt.Sprintf("k%05d", i)), nil); err != nil || !ok || string(v) != fmt.Sprintf("value-%d", i) {
			t.Fatalf("key %d: %q %v %v", i, v, ok, err)
		}
	}
}
