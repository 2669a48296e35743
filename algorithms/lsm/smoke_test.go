package lsm

import (
	"fmt"
	"testing"
)

func TestSmoke(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(Options{Dir: dir, MemtableBytes: 4 << 10, BloomBitsPerKey: 10, L1MaxBytes: 16 << 10, TargetFileBytes: 4 << 10, BlockBytes: 256})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5000; i++ {
		if err := db.Put([]byte(fmt.Sprintf("k%06d", i)), []byte(fmt.Sprintf("v%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.CompactSync(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5000; i++ {
		v, ok, err := db.Get([]byte(fmt.Sprintf("k%06d", i)), nil)
		if err != nil || !ok || string(v) != fmt.Sprintf("v%d", i) {
			t.Fatalf("get %d: %q %v %v", i, v, ok, err)
		}
	}
	n := 0
	db.Scan(nil, 0, func(k, v []byte) bool { n++; return true })
	t.Logf("%+v scanned %d", db.Stats(), n)
	db.Close()
	db, err = Open(Options{Dir: dir, MemtableBytes: 4 << 10})
	if err != nil {
		t.Fatal(err)
	}
	v, ok, err := db.Get([]byte("k004999"), nil)
	t.Log(string(v), ok, err)
	db.Close()
}
