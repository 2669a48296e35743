package lsm

import (
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// Writers overwrite their keys with increasing counters while readers and
// scanners run through flushes and compactions. A reader must never see a
// key go backwards or vanish (a flush that retired the memtable before its
// table was visible would show exactly that).
func TestConcurrentMonotonicReads(t *testing.T) {
	for _, comp := range []string{compLeveled, compTiered} {
		t.Run(comp, func(t *testing.T) {
			opts := tinyOptions(t.TempDir(), comp)
			opts.Sync = syncNone
			opts.MemtableBytes = 16 << 10
			db, err := Open(opts)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			const writers, keys, rounds = 2, 50, 40
			key := func(w, k int) []byte { return []byte(fmt.Sprintf("w%d-k%03d", w, k)) }
			var wg sync.WaitGroup
			done := make(chan struct{})
			for w := 0; w < writers; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					var v [64]byte
					for r := 1; r <= rounds; r++ {
						for k := 0; k < keys; k++ {
							binary.BigEndian.PutUint64(v[:], uint64(r))
							if err := db.Put(key(w, k), v[:]); err != nil {
								t.Error(err)
								return
							}
						}
					}
				}(w)
			}
			var rg sync.WaitGroup
			for rd := 0; rd < 2; rd++ {
				rg.Add(1)
				go func() {
					defer rg.Done()
					seen := map[string]uint64{}
					var buf []byte
					for i := 0; ; i++ {
						select {
						case <-done:
							return
						default:
						}
						k := key(i%writers, i%keys)
						var ok bool
						var err error
						buf, ok, err = db.Get(k, buf[:0])
						if err != nil {
							t.Error(err)
							return
						}
						if !ok {
							if seen[string(k)] > 0 {
								t.Errorf("%s vanished after round %d", k, seen[string(k)])
								return
							}
							continue
						}
						r := binary.BigEndian.Uint64(buf)
						if r < seen[string(k)] {
							t.Errorf("%s went back from round %d to %d; now: %s", k, seen[string(k)], r, db.debugWhere(k))
							return
						}
						seen[string(k)] = r
						if i%50 == 0 {
							n := 0
							if err := db.Scan(key(0, 0), 20, func(k, v []byte) bool { n++; return true }); err != nil {
								t.Error(err)
								return
							}
						}
					}
				}()
			}
			wg.Wait()
			close(done)
			rg.Wait()
			if err := db.CompactSync(); err != nil {
				t.Fatal(err)
			}
			for w := 0; w < writers; w++ {
				for k := 0; k < keys; k++ {
					v, ok, err := db.Get(key(w, k), nil)
					if err != nil || !ok || binary.BigEndian.Uint64(v) != rounds {
						t.Fatalf("final %s: %v %v", key(w, k), ok, err)
					}
				}
			}
			if s := db.Stats(); s.Flushes < 5 || s.Compactions == 0 {
				t.Fatalf("not enough background work: %+v", s)
			}
		})
	}
}

func TestGetAndScanDoNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	db, err := Open(Options{Dir: t.TempDir(), BloomBitsPerKey: 10, MemtableBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	putN(t, db, 0, 3000)
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	putN(t, db, 3000, 3100)
	buf := make([]byte, 0, 64)
	keys := [][]byte{[]byte("k00010"), []byte("k03050"), []byte("k99999")}
	i := 0
	if a := testing.AllocsPerRun(1000, func() {
		buf, _, _ = db.Get(keys[i%3], buf[:0])
		i++
	}); a != 0 {
		t.Errorf("Get: %.1f allocs/op", a)
	}
	fn := func(k, v []byte) bool { return true }
	if a := testing.AllocsPerRun(200, func() { db.Scan(keys[0], 50, fn) }); a != 0 {
		t.Errorf("Scan: %.1f allocs/op", a)
	}
	if a := testing.AllocsPerRun(1000, func() { db.Put(keys[1], keys[0]) }); a != 0 {
		t.Errorf("Put: %.1f allocs/op", a)
	}
}

func TestOptionsRejected(t *testing.T) {
	for _, o := range []Options{
		{},
		{Dir: "x", Sync: "sometimes"},
		{Dir: "x", Compaction: "random"},
		{Dir: "x", BloomBitsPerKey: -1},
		{Dir: "x", L0CompactTrigger: 8, L0SlowdownTrigger: 4},
		{Dir: "x", MemtableBytes: 10},
	} {
		if _, err := Open(o); err == nil {
			t.Errorf("Open(%+v) accepted", o)
		}
	}
	_, err := Open(Options{Dir: "x", Sync: "sometimes"})
	if err == nil || !strings.Contains(err.Error(), "always|batch|none") {
		t.Errorf("error %v does not list the valid choices", err)
	}
}
