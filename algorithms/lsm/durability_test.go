package lsm

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func putN(t *testing.T, db *DB, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		if err := db.Put([]byte(fmt.Sprintf("k%05d", i)), []byte(fmt.Sprintf("value-%d", i))); err != nil {
			t.Fatal(err)
		}
	}
}

func files(t *testing.T, dir, ext string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*"+ext))
	if err != nil || len(m) == 0 {
		t.Fatalf("no %s files in %s: %v", ext, dir, err)
	}
	return m
}

func flipByte(t *testing.T, path string, off int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if off < 0 {
		off += int64(len(b))
	}
	b[off] ^= 0x40
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func wantCorrupt(t *testing.T, err error, what string) {
	t.Helper()
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), what) {
		t.Fatalf("error %v: want ErrCorrupt mentioning %q", err, what)
	}
}

// A crash under sync=always loses nothing acknowledged, and a record torn at
// the tail of the log (never acknowledged) is dropped without an error.
func TestCrashTornWALTail(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Dir: dir, Sync: syncAlways, MemtableBytes: 1 << 20, BloomBitsPerKey: 10}
	db, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	putN(t, db, 0, 100)
	db.crash()
	logs := files(t, dir, ".log")
	last := logs[len(logs)-1]
	st, _ := os.Stat(last)
	if err := os.Truncate(last, st.Size()-3); err != nil {
		t.Fatal(err)
	}
	if db, err = Open(opts); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := 0; i < 100; i++ {
		_, ok, err := db.Get([]byte(fmt.Sprintf("k%05d", i)), nil)
		if err != nil || ok != (i < 99) {
			t.Fatalf("key %d after a torn tail: found=%v err=%v", i, ok, err)
		}
	}
}

// A clean Close writes out what the WAL still buffers (sync=none, buffered).
func TestCloseKeepsUnsyncedWrites(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Dir: dir, Sync: syncNone}
	db, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	putN(t, db, 0, 50)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if db, err = Open(opts); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, ok, err := db.Get([]byte("k00049"), nil); err != nil || !ok || string(v) != "value-49" {
		t.Fatalf("after clean close: %q %v %v", v, ok, err)
	}
}

func TestCorruptWALDetected(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Dir: dir, Sync: syncAlways}
	db, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	putN(t, db, 0, 200)
	db.crash()
	flipByte(t, files(t, dir, ".log")[0], 1000)
	_, err = Open(opts)
	wantCorrupt(t, err, "checksum mismatch")
	if !strings.Contains(err.Error(), ".log") {
		t.Errorf("error %v does not name the log file", err)
	}
}

func TestCorruptSSTableDetected(t *testing.T) {
	for _, tc := range []struct {
		name string
		off  int64
		want string
		open bool // the damage is found at Open (footer, index, filter) rather than on read
	}{
		{"data block", 20, "block checksum mismatch", false},
		{"footer", -20, "footer checksum mismatch", true},
		{"magic", -3, "bad magic", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			opts := Options{Dir: dir, BloomBitsPerKey: 10}
			db, err := Open(opts)
			if err != nil {
				t.Fatal(err)
			}
			putN(t, db, 0, 500)
			if err := db.Flush(); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			flipByte(t, files(t, dir, ".sst")[0], tc.off)
			db, err = Open(opts)
			if tc.open {
				wantCorrupt(t, err, tc.want)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			_, _, err = db.Get([]byte("k00000"), nil)
			wantCorrupt(t, err, tc.want)
			wantCorrupt(t, db.Scan(nil, 0, func(k, v []byte) bool { return true }), tc.want)
			// Keys in other blocks still read correctly.
			if v, ok, err := db.Get([]byte("k00499"), nil); err != nil || !ok || string(v) != "value-499" {
				t.Fatalf("undamaged block: %q %v %v", v, ok, err)
			}
		})
	}
}

func TestCorruptManifestDetected(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	putN(t, db, 0, 10)
	db.Flush()
	db.Close()
	flipByte(t, filepath.Join(dir, "MANIFEST"), 40)
	_, err = Open(Options{Dir: dir})
	wantCorrupt(t, err, "checksum mismatch")
}

// Compaction must not drop a tombstone while a deeper level still holds an
// older version of the key, or the key would come back to life.
func TestTombstoneNotResurrected(t *testing.T) {
	dir := t.TempDir()
	opts := tinyOptions(dir, compLeveled)
	opts.Sync = syncNone
	db, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	putN(t, db, 0, 2000)
	if err := db.CompactSync(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2000; i += 3 {
		if err := db.Delete([]byte(fmt.Sprintf("k%05d", i))); err != nil {
			t.Fatal(err)
		}
	}
	putN(t, db, 5000, 7000) // push the tombstones down through the levels
	if err := db.CompactSync(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2000; i++ {
		_, ok, err := db.Get([]byte(fmt.Sprintf("k%05d", i)), nil)
		if err != nil || ok != (i%3 != 0) {
			t.Fatalf("key %d: found=%v err=%v", i, ok, err)
		}
	}
	s := db.Stats()
	if s.Compactions == 0 || len(s.LevelFiles) < 2 || s.LevelFiles[1] == 0 {
		t.Fatalf("data never reached L2: %+v", s)
	}
}

// Values larger than a 32 KiB WAL block are split into FIRST/MIDDLE/LAST
// fragments and reassembled on replay; with sync=batch a clean Close keeps
// every write.
func TestLargeValuesAcrossWALBlocks(t *testing.T) {
	for _, mode := range []string{syncAlways, syncBatch} {
		dir := t.TempDir()
		opts := Options{Dir: dir, Sync: mode, MemtableBytes: 1 << 20}
		db, err := Open(opts)
		if err != nil {
			t.Fatal(err)
		}
		big := func(i int) []byte {
			v := make([]byte, 70_000+i*1000)
			for j := range v {
				v[j] = byte(i + j*31)
			}
			return v
		}
		for i := 0; i < 5; i++ {
			if err := db.Put([]byte(fmt.Sprint("big", i)), big(i)); err != nil {
				t.Fatal(err)
			}
		}
		if mode == syncAlways {
			db.crash()
		} else if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if db, err = Open(opts); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 5; i++ {
			v, ok, err := db.Get([]byte(fmt.Sprint("big", i)), nil)
			if err != nil || !ok || string(v) != string(big(i)) {
				t.Fatalf("%s: big%d: found=%v err=%v len=%d", mode, i, ok, err, len(v))
			}
		}
		db.Close()
	}
}

// A directory written under one compaction style reopens under the other.
func TestReopenSwitchesCompactionStyle(t *testing.T) {
	dir := t.TempDir()
	styles := []string{compLeveled, compTiered, compLeveled}
	for round, style := range styles {
		opts := tinyOptions(dir, style)
		opts.Sync = syncNone
		db, err := Open(opts)
		if err != nil {
			t.Fatal(err)
		}
		putN(t, db, round*500, round*500+1500) // overlaps the previous round
		if err := db.CompactSync(); err != nil {
			t.Fatal(err)
		}
		n := 0
		if err := db.Scan(nil, 0, func(k, v []byte) bool { n++; return true }); err != nil {
			t.Fatal(err)
		}
		if want := round*500 + 1500; n != want {
			t.Fatalf("%s after round %d: %d keys, want %d", style, round, n, want)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// Close must not deadlock with the batch syncer, which takes the write lock
// on every tick.
func TestBatchSyncCloseDoesNotDeadlock(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Dir: dir, Sync: syncBatch, BatchInterval: time.Microsecond}
	for i := 0; i < 30; i++ {
		db, err := Open(opts)
		if err != nil {
			t.Fatal(err)
		}
		putN(t, db, i*10, i*10+10)
		done := make(chan error, 1)
		go func() { done <- db.Close() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Close deadlocked with the batch syncer")
		}
	}
	db, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, ok, err := db.Get([]byte("k00299"), nil); err != nil || !ok || string(v) != "value-299" {
		t.Fatalf("last write after 30 reopen cycles: %q %v %v", v, ok, err)
	}
}

// An entry or a batch larger than the memtable gets a memtable of its own.
func TestWritesLargerThanTheMemtable(t *testing.T) {
	opts := Options{Dir: t.TempDir(), MemtableBytes: 4 << 10, Sync: syncAlways}
	db, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 20<<10)
	for i := range big {
		big[i] = byte(i)
	}
	if err := db.Put([]byte("big"), big); err != nil {
		t.Fatal(err)
	}
	var ks, vs [][]byte
	for i := 0; i < 500; i++ {
		ks = append(ks, []byte(fmt.Sprintf("b%04d", i)))
		vs = append(vs, []byte(fmt.Sprintf("v%d", i)))
	}
	if err := db.PutBatch(ks, vs); err != nil {
		t.Fatal(err)
	}
	db.crash()
	if db, err = Open(opts); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, ok, err := db.Get([]byte("big"), nil); err != nil || !ok || string(v) != string(big) {
		t.Fatalf("big value: %v %v %d", ok, err, len(v))
	}
	n := 0
	if err := db.Scan([]byte("b0"), 0, func(k, v []byte) bool { n++; return true }); err != nil || n != 501 {
		t.Fatalf("scan after batch: %d keys, %v", n, err)
	}
}

// sync=none hands every record to the OS from a background goroutine right
// after the write returns (Pebble's NoSync), so once it has caught up a
// process crash loses nothing acknowledged; sync=buffered keeps up to 64 KiB
// in user space until the buffer fills, which a process crash loses.
func TestSyncNoneVersusBuffered(t *testing.T) {
	for mode, wantAll := range map[string]bool{syncNone: true, syncBuffer: false} {
		dir := t.TempDir()
		opts := Options{Dir: dir, Sync: mode, MemtableBytes: 1 << 20}
		db, err := Open(opts)
		if err != nil {
			t.Fatal(err)
		}
		putN(t, db, 0, 100)
		// Give the hand-off its moment: sync=none's buffer empties, while
		// sync=buffered's stays full however long it waits.
		if mode == syncBuffer {
			time.Sleep(50 * time.Millisecond)
		}
		for deadline := time.Now().Add(5 * time.Second); mode == syncNone && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			db.writeMu.Lock()
			pending := len(db.wal.buf)
			db.writeMu.Unlock()
			if pending == 0 {
				break
			}
		}
		db.crash()
		if db, err = Open(opts); err != nil {
			t.Fatal(err)
		}
		found := 0
		for i := 0; i < 100; i++ {
			if _, ok, _ := db.Get([]byte(fmt.Sprintf("k%05d", i)), nil); ok {
				found++
			}
		}
		db.Close()
		if (found == 100) != wantAll {
			t.Errorf("sync=%s: %d of 100 acknowledged writes survived a process crash", mode, found)
		}
	}
}
