package lsm

import (
	"encoding/binary"
	"testing"
)

// At 10 bits per key the false-positive rate should be about 1% (0.82% in
// theory for k = 7); a filter never rejects a key it holds.
func TestBloomFalsePositiveRate(t *testing.T) {
	for _, tc := range []struct {
		bits   int
		lo, hi float64
	}{{10, 0.005, 0.015}, {6, 0.03, 0.08}, {20, 0, 0.001}} {
		const n = 20000
		hashes := make([]uint64, n)
		var k [8]byte
		for i := range hashes {
			binary.BigEndian.PutUint64(k[:], uint64(i))
			hashes[i] = bloomHash(k[:])
		}
		f := appendBloom(nil, hashes, tc.bits)
		for _, h := range hashes {
			if !bloomMayContain(f, h) {
				t.Fatal("false negative")
			}
		}
		fp := 0
		const probes = 200000
		for i := n; i < n+probes; i++ {
			binary.BigEndian.PutUint64(k[:], uint64(i))
			if bloomMayContain(f, bloomHash(k[:])) {
				fp++
			}
		}
		rate := float64(fp) / probes
		if rate < tc.lo || rate > tc.hi {
			t.Errorf("%d bits/key: false-positive rate %.4f, want [%.3f, %.3f]", tc.bits, rate, tc.lo, tc.hi)
		}
	}
}

// The engine's own Bloom counters agree: looking up absent keys in a
// flushed DB at 10 bits/key lets about 1% through.
func TestBloomStatsInEngine(t *testing.T) {
	db, err := Open(Options{Dir: t.TempDir(), BloomBitsPerKey: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var k [16]byte
	for i := 0; i < 20000; i++ {
		binary.BigEndian.PutUint64(k[:], uint64(2*i))
		db.Put(k[:], k[:])
	}
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20000; i++ {
		binary.BigEndian.PutUint64(k[:], uint64(2*i+1))
		if _, ok, err := db.Get(k[:], nil); ok || err != nil {
			t.Fatalf("absent key found: %v", err)
		}
	}
	s := db.Stats()
	if s.BloomFalsePositiveRate < 0.003 || s.BloomFalsePositiveRate > 0.02 || s.BloomNegatives < 19000 {
		t.Fatalf("bloom stats %+v", s)
	}
	if s.ReadAmp > 0.05 {
		t.Fatalf("read amp %.3f for absent keys: the filter is not skipping tables", s.ReadAmp)
	}
}
