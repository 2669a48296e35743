package lsm

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
)

// tinyOptions make flushes and compactions happen every few dozen writes.
func tinyOptions(dir, compaction string) Options {
	return Options{Dir: dir, Sync: syncAlways, MemtableBytes: 4 << 10, BloomBitsPerKey: 10,
		Compaction: compaction, L0CompactTrigger: 2, L0SlowdownTrigger: 4, L0StopTrigger: 6,
		L1MaxBytes: 8 << 10, BlockBytes: 256, TargetFileBytes: 4 << 10}
}

var crashPoints = []string{"flush:table-written", "flush:manifest-written", "compaction:tables-written", "compaction:manifest-written"}

// TestModel replays random put/get/delete/scan/reopen/crash sequences
// against the engine and a Go map; every read must agree with the map, and
// every acknowledged write (sync=always) must survive every crash, including
// crashes in the middle of a flush or a compaction.
func TestModel(t *testing.T) {
	for _, comp := range []string{compLeveled, compTiered} {
		for seed := uint64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprintf("%s/seed=%d", comp, seed), func(t *testing.T) {
				t.Parallel()
				runModel(t, comp, seed, 2000, nil)
			})
		}
	}
}

// TestModelStorageVariants runs the model with compressed blocks, read in
// place and through a block cache small enough to evict all the time, and
// with the compression changed at every reopen, so tables of every kind
// (raw, Snappy, Zstd) meet in
// one DB.
func TestModelStorageVariants(t *testing.T) {
	for name, variant := range map[string]func(o *Options, reopens int){
		"snappy-mmap": func(o *Options, _ int) { o.Compression = compressSnappy },
		"zstd-cache":  func(o *Options, _ int) { o.Compression, o.CacheBytes = compressZstd, 16<<10 },
		"none-cache":  func(o *Options, _ int) { o.CacheBytes = 16 << 10 },
		"mixed-reopen": func(o *Options, n int) {
			o.Compression, o.CacheBytes = []string{compressNone, compressSnappy, compressZstd}[n%3], int64(n%2)<<14
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runModel(t, compLeveled, 5, 1500, variant)
		})
	}
}

func runModel(t *testing.T, comp string, seed uint64, steps int, variant func(o *Options, reopens int)) {
	dir := t.TempDir()
	opts := tinyOptions(dir, comp)
	if variant != nil {
		variant(&opts, 0)
	}
	db, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { db.Close() }()
	r := rand.New(rand.NewPCG(seed, 7))
	model := map[string]string{}
	key := func() []byte { return []byte(fmt.Sprintf("key%04d", r.IntN(400))) }
	var crashes, reopens int
	var flushes, compactions int64
	tally := func() {
		s := db.Stats()
		flushes += s.Flushes
		compactions += s.Compactions + s.TrivialMoves
	}
	for step := 0; step < steps; step++ {
		switch p := r.IntN(965); {
		case p < 450:
			k := key()
			v := bytes.Repeat([]byte{byte('a' + step%26)}, r.IntN(120))
			v = append(v, fmt.Sprint(step)...)
			if err := db.Put(k, v); err != nil {
				t.Fatalf("step %d put: %v", step, err)
			}
			model[string(k)] = string(v)
		case p < 480:
			n := 1 + r.IntN(20)
			var ks, vs [][]byte
			for i := 0; i < n; i++ {
				ks = append(ks, key())
				vs = append(vs, []byte(fmt.Sprintf("batch%d-%d", step, i)))
			}
			if err := db.PutBatch(ks, vs); err != nil {
				t.Fatalf("step %d put batch: %v", step, err)
			}
			for i := range ks {
				model[string(ks[i])] = string(vs[i])
			}
		case p < 600:
			k := key()
			if err := db.Delete(k); err != nil {
				t.Fatalf("step %d delete: %v", step, err)
			}
			delete(model, string(k))
		case p < 850:
			k := key()
			got, ok, err := db.Get(k, nil)
			want, wok := model[string(k)]
			if err != nil || ok != wok || string(got) != want {
				t.Fatalf("step %d get %s = %q,%v,%v; want %q,%v", step, k, got, ok, err, want, wok)
			}
		case p < 950:
			checkScan(t, db, model, key(), r.IntN(30), step)
		case p < 955:
			tally()
			if err := db.Close(); err != nil {
				t.Fatalf("step %d close: %v", step, err)
			}
			reopens++
			if variant != nil {
				variant(&opts, reopens)
			}
			if db, err = Open(opts); err != nil {
				t.Fatalf("step %d reopen: %v", step, err)
			}
		case p < 960:
			tally()
			db.crash()
			crashes++
			if db, err = Open(opts); err != nil {
				t.Fatalf("step %d reopen after crash: %v", step, err)
			}
		case p < 965:
			point := crashPoints[r.IntN(len(crashPoints))]
			hook := func(p string) bool { return p == point }
			db.hook.Store(&hook)
			var err error
			if point[0] == 'f' {
				err = db.Flush()
			} else {
				err = db.CompactSync()
			}
			if err != nil && !errors.Is(err, errCrashed) {
				t.Fatalf("step %d: %v", step, err)
			}
			tally()
			db.crash()
			crashes++
			if db, err = Open(opts); err != nil {
				t.Fatalf("step %d reopen after crash at %s: %v", step, point, err)
			}
		}
	}
	checkScan(t, db, model, nil, 0, steps)
	for k, want := range model {
		got, ok, err := db.Get([]byte(k), nil)
		if err != nil || !ok || string(got) != want {
			t.Fatalf("final get %s = %q,%v,%v; want %q", k, got, ok, err, want)
		}
	}
	tally()
	if flushes < 10 || compactions < 3 {
		t.Errorf("too little background work to test anything: %d flushes, %d compactions", flushes, compactions)
	}
	s := db.Stats()
	t.Logf("%d crashes, %d reopens, %d flushes, %d compactions, %d live keys, tables %d, L0 %d",
		crashes, reopens, flushes, compactions, len(model), s.Tables, s.L0Files)
}

func checkScan(t *testing.T, db *DB, model map[string]string, start []byte, limit, step int) {
	t.Helper()
	var want []string
	for k := range model {
		if k >= string(start) {
			want = append(want, k)
		}
	}
	sort.Strings(want)
	if limit > 0 && len(want) > limit {
		want = want[:limit]
	}
	var got []string
	err := db.Scan(start, limit, func(k, v []byte) bool {
		if model[string(k)] != string(v) {
			t.Fatalf("step %d scan: %s = %q, want %q", step, k, v, model[string(k)])
		}
		got = append(got, string(k))
		return true
	})
	if err != nil {
		t.Fatalf("step %d scan: %v", step, err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("step %d scan from %q limit %d:\n got %v\nwant %v", step, start, limit, got, want)
	}
}
