package lsm

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
)

func TestSkiplistOrderAndVersions(t *testing.T) {
	s := newSkiplist(1 << 20)
	r := rand.New(rand.NewPCG(1, 2))
	want := map[string]uint64{}
	for seq := uint64(1); seq <= 5000; seq++ {
		k := []byte{byte(r.IntN(256)), byte(r.IntN(8))}
		var v [8]byte
		binary.LittleEndian.PutUint64(v[:], seq)
		s.add(k, makeTrailer(seq, kindValue), v[:])
		want[string(k)] = seq
	}
	for k, seq := range want {
		v, kd, ok := s.get([]byte(k))
		if !ok || kd != kindValue || binary.LittleEndian.Uint64(v) != seq {
			t.Fatalf("get %x: want newest seq %d, got %x", k, seq, v)
		}
	}
	it := skipIter{s: s}
	var prevK []byte
	var prevT uint64
	n := 0
	for it.First(); it.Valid(); it.Next() {
		if n > 0 && compareInternal(prevK, prevT, it.Key(), it.Trailer()) >= 0 {
			t.Fatalf("out of order at %d", n)
		}
		prevK, prevT = it.Key(), it.Trailer()
		n++
	}
	if n != 5000 || s.count.Load() != 5000 {
		t.Fatalf("iterated %d entries", n)
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	it.SeekGE([]byte(keys[len(keys)/2]))
	if !bytes.Equal(it.Key(), []byte(keys[len(keys)/2])) {
		t.Fatal("SeekGE missed an existing key")
	}
}

// Inserting allocates nothing: entries live in the arena.
func TestSkiplistInsertAllocs(t *testing.T) {
	s := newSkiplist(64 << 20)
	key := make([]byte, 16)
	val := make([]byte, 100)
	i := uint64(0)
	allocs := testing.AllocsPerRun(10000, func() {
		i++
		binary.BigEndian.PutUint64(key, i*0x9e3779b97f4a7c15)
		s.add(key, makeTrailer(i, kindValue), val)
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocs per insert", allocs)
	}
}

// Readers never miss a key whose insert finished, however the single writer's
// concurrent inserts interleave with their search (a seek that re-read a
// next pointer after comparing once returned a newer, smaller node and hid
// the key).
func TestSkiplistConcurrentReadersSeeFinishedInserts(t *testing.T) {
	const n = 30000
	s := newSkiplist(8 << 20)
	r := rand.New(rand.NewPCG(5, 6))
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = binary.BigEndian.AppendUint64(nil, r.Uint64())
	}
	var done atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rr := rand.New(rand.NewPCG(seed, 1))
			for {
				d := done.Load()
				if d == n {
					return
				}
				if d == 0 {
					continue
				}
				i := rr.Int64N(d)
				if _, _, ok := s.get(keys[i]); !ok {
					t.Errorf("key %d of %d finished inserts not found", i, d)
					return
				}
			}
		}(uint64(g))
	}
	for i, k := range keys {
		s.add(k, makeTrailer(uint64(i+1), kindValue), k)
		done.Store(int64(i + 1))
	}
	wg.Wait()
}
