package hashing

import (
	"fmt"
	"slices"
	"sort"
	"testing"
)

var benchSink int

// The headline: ring lookup for 100 nodes × 100 vnodes, at zero
// allocations, per hash function.
func BenchmarkRing100x100(b *testing.B) {
	nodes, _ := Nodes(100, nil)
	for _, h := range []Hash{XXHash, FNV1a, Murmur3} {
		r, _ := NewRing(nodes, 100, h)
		b.Run("hash="+h.String(), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				benchSink += r.Locate(uint64(i))
			}
		})
	}
}

// Baselines for the ring's search: the same points searched with
// sort.Search (a closure per call) and slices.BinarySearch. buraksezer/
// consistent is not available to this build, so these stand in for it.
func BenchmarkRingSearchBaselines(b *testing.B) {
	nodes, _ := Nodes(100, nil)
	r, _ := NewRing(nodes, 100, XXHash)
	pts := r.points
	b.Run("impl=ring", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			benchSink += r.Locate(uint64(i))
		}
	})
	b.Run("impl=sort.Search", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			h := XXHash.Sum64(uint64(i))
			j := sort.Search(len(pts), func(k int) bool { return pts[k] >= h })
			if j == len(pts) {
				j = 0
			}
			benchSink += int(r.owners[j])
		}
	})
	b.Run("impl=slices.BinarySearch", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			j, _ := slices.BinarySearch(pts, XXHash.Sum64(uint64(i)))
			if j == len(pts) {
				j = 0
			}
			benchSink += int(r.owners[j])
		}
	})
}

// nextPrime returns the smallest prime >= n.
func nextPrime(n int) int {
	for !isPrime(n) {
		n++
	}
	return n
}

// Lookup cost from 8 to 8192 nodes for every algorithm.
func BenchmarkLookup(b *testing.B) {
	for _, n := range []int{8, 64, 512, 4096, 8192} {
		nodes, _ := Nodes(n, nil)
		ring, _ := NewRing(nodes, 100, XXHash)
		mg, _ := NewMaglev(nodes, nextPrime(max(65537, 100*n)), XXHash)
		hrw, _ := NewRendezvous(nodes, XXHash)
		mp, _ := NewMultiProbe(nodes, 21, XXHash)
		bd, _ := NewBounded(nodes, 100, 1.25, XXHash)
		for _, c := range []struct {
			name string
			loc  Locator
		}{
			{"ring", ring}, {"jump", NewJump(n, XXHash)}, {"maglev", mg}, {"rendezvous", hrw},
			{"multiprobe", mp}, {"bounded", bd}, {"mod", NewMod(n, XXHash)},
		} {
			b.Run(fmt.Sprintf("algo=%s/nodes=%d", c.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					benchSink += c.loc.Locate(uint64(i))
				}
			})
		}
	}
}
