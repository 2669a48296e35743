package hashing

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestRingBalanceAndWeights(t *testing.T) {
	keys := SampleKeys(100000, 1)
	nodes, _ := Nodes(10, nil)
	r, _ := NewRing(nodes, 1000, XXHash)
	if b := MeasureBalance(r, nodes, keys); b.MaxMean > 1.1 {
		t.Errorf("ring 10×1000 peak/mean = %v", b.MaxMean)
	}
	weighted, _ := Nodes(3, []float64{1, 1, 2})
	r, _ = NewRing(weighted, 1000, XXHash)
	b := MeasureBalance(r, weighted, keys)
	if b.MaxMean > 1.1 || float64(b.Counts[2])/float64(len(keys)) < 0.45 {
		t.Errorf("weighted ring counts %v (want ≈ 25/25/50%%)", b.Counts)
	}
	zero, _ := Nodes(3, []float64{1, 0, 1})
	r, _ = NewRing(zero, 100, XXHash)
	if c := MeasureBalance(r, zero, keys).Counts; c[1] != 0 {
		t.Errorf("weight-0 node got %d keys", c[1])
	}
}

// Identical IDs hash to identical points: every one collides, and the tie
// goes to the earlier entry instead of silently depending on sort order.
func TestRingCollisions(t *testing.T) {
	r, err := NewRing([]Node{{ID: 5, Weight: 1}, {ID: 5, Weight: 1}, {ID: 6, Weight: 1}}, 64, XXHash)
	if err != nil {
		t.Fatal(err)
	}
	if r.Collisions != 64 || r.Points() != 128 {
		t.Fatalf("collisions %d points %d, want 64 and 128", r.Collisions, r.Points())
	}
	for _, k := range SampleKeys(2000, 2) {
		if r.Locate(k) == 1 {
			t.Fatal("a dropped colliding point still owns keys")
		}
	}
}

func TestRendezvousWeights(t *testing.T) {
	keys := SampleKeys(60000, 4)
	nodes, _ := Nodes(4, []float64{1, 2, 0, 3})
	h, _ := NewRendezvous(nodes, XXHash)
	b := MeasureBalance(h, nodes, keys)
	if b.Counts[2] != 0 || b.MaxMean > 1.05 {
		t.Errorf("weighted HRW counts %v (want 1:2:0:3), peak/share %v", b.Counts, b.MaxMean)
	}
}

// Each node fills the table by a permutation of all M slots, and turn-taking
// gives every node ⌊M/n⌋ or ⌈M/n⌉ entries.
func TestMaglevTable(t *testing.T) {
	for _, c := range []struct{ n, m int }{{1, 7}, {3, 7}, {7, 7}, {10, 251}, {10, 65537}, {100, 4099}} {
		nodes, _ := Nodes(c.n, nil)
		g, err := NewMaglev(nodes, c.m, XXHash)
		if err != nil {
			t.Fatal(err)
		}
		lo, hi := c.m/c.n, (c.m+c.n-1)/c.n
		for i, e := range g.Entries(c.n) {
			if e < lo || e > hi {
				t.Errorf("n=%d M=%d: node %d has %d entries, want %d…%d", c.n, c.m, i, e, lo, hi)
			}
		}
	}
	// The permutation property itself: offset + j·skip mod a prime M visits
	// every slot once for any skip in [1, M−1].
	for _, skip := range []uint64{1, 2, 250} {
		seen := make([]bool, 251)
		for j := uint64(0); j < 251; j++ {
			seen[(17+j*skip)%251] = true
		}
		for s, ok := range seen {
			if !ok {
				t.Fatalf("skip %d never visits slot %d", skip, s)
			}
		}
	}
	nodes, _ := Nodes(3, nil)
	for _, m := range []int{65536, 1, 9} {
		if _, err := NewMaglev(nodes, m, XXHash); err == nil || !strings.Contains(err.Error(), "not prime") {
			t.Errorf("table=%d: err = %v, want a not-prime error", m, err)
		}
	}
	if _, err := NewMaglev(nodes, 2, XXHash); err == nil {
		t.Error("table smaller than nodes accepted")
	}
}

// No node ever holds more than ⌈c·m/n⌉ of m placements, even when every key
// is the same (the worst skew), and with nodes leaving and releases.
func TestBoundedNeverExceedsCapacity(t *testing.T) {
	for _, c := range []float64{1.01, 1.25, 2} {
		for _, hot := range []bool{false, true} {
			nodes, _ := Nodes(7, nil)
			b, err := NewBounded(nodes, 50, c, XXHash)
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(uint64(c*100), 1))
			for m := 1; m <= 5000; m++ {
				key := r.Uint64()
				if hot {
					key = 42
				}
				if b.Acquire(key) < 0 {
					t.Fatal("no node with room")
				}
				bound := int64(math.Ceil(c * float64(m) / 7))
				for i := range nodes {
					if b.Load(i) > bound {
						t.Fatalf("c=%v hot=%v m=%d: node %d load %d > ⌈c·m/n⌉ = %d", c, hot, m, i, b.Load(i), bound)
					}
				}
			}
		}
	}
	nodes, _ := Nodes(3, nil)
	b, _ := NewBounded(nodes, 10, 1.25, XXHash)
	b.SetAvailable(0, false)
	b.SetAvailable(1, false)
	for i := 0; i < 100; i++ {
		if n := b.Acquire(uint64(i)); n != 2 {
			t.Fatalf("acquire went to %d with only node 2 available", n)
		}
	}
	b.Release(2)
	if b.Total() != 99 || b.Load(2) != 99 {
		t.Fatalf("after release: total %d load %d", b.Total(), b.Load(2))
	}
	b.SetAvailable(2, false)
	if b.Acquire(1) != -1 {
		t.Fatal("acquire with no available node did not return -1")
	}
	if _, err := NewBounded(nodes, 10, 1, XXHash); err == nil {
		t.Fatal("c=1 accepted")
	}
}

func TestMultiProbeBalance(t *testing.T) {
	keys := SampleKeys(100000, 6)
	nodes, _ := Nodes(10, nil)
	one, _ := NewMultiProbe(nodes, 1, XXHash)
	many, _ := NewMultiProbe(nodes, 21, XXHash)
	b1, b21 := MeasureBalance(one, nodes, keys), MeasureBalance(many, nodes, keys)
	t.Logf("peak/mean: 1 probe %.3f, 21 probes %.3f", b1.MaxMean, b21.MaxMean)
	if b21.MaxMean > 1.15 || b21.MaxMean >= b1.MaxMean {
		t.Errorf("21 probes peak/mean %.3f (1 probe %.3f); the paper reports ≈ 1.05", b21.MaxMean, b1.MaxMean)
	}
}

// Lookups of the immutable structures allocate nothing.
func TestLookupsDoNotAllocate(t *testing.T) {
	nodes, _ := Nodes(100, nil)
	ring, _ := NewRing(nodes, 100, XXHash)
	mg, _ := NewMaglev(nodes, 65537, XXHash)
	hrw, _ := NewRendezvous(nodes, Murmur3)
	mp, _ := NewMultiProbe(nodes, 21, FNV1a)
	for name, loc := range map[string]Locator{"ring": ring, "jump": NewJump(100, XXHash), "maglev": mg, "rendezvous": hrw, "multiprobe": mp, "mod": NewMod(100, XXHash)} {
		k := uint64(0)
		if a := testing.AllocsPerRun(1000, func() { k++; loc.Locate(k) }); a != 0 {
			t.Errorf("%s: %v allocs per lookup", name, a)
		}
	}
}

// The table against a literal transcription of the paper's Pseudocode 1
// (Eisenbud et al., NSDI'16, §3.4): explicit permutation[i][j] =
// (offset + j·skip) mod M with offset = h1 mod M and skip = h2 mod (M−1) + 1,
// and nodes taking turns to claim their next free preferred slot.
func TestMaglevMatchesPseudocode(t *testing.T) {
	for _, c := range []struct {
		n, m int
		h    Hash
	}{{3, 7, XXHash}, {5, 251, FNV1a}, {10, 4099, Murmur3}, {7, 65537, XXHash}} {
		nodes, _ := Nodes(c.n, nil)
		g, err := NewMaglev(nodes, c.m, c.h)
		if err != nil {
			t.Fatal(err)
		}
		M := uint64(c.m)
		perm := make([][]uint64, c.n)
		for i := range perm {
			offset := c.h.Sum128(nodes[i].ID, maglevOffsetSalt) % M
			skip := c.h.Sum128(nodes[i].ID, maglevSkipSalt)%(M-1) + 1
			perm[i] = make([]uint64, M)
			for j := range perm[i] {
				perm[i][j] = (offset + uint64(j)*skip) % M
			}
		}
		next := make([]int, c.n)
		entry := make([]int32, M)
		for j := range entry {
			entry[j] = -1
		}
		for filled := 0; filled < c.m; {
			for i := 0; i < c.n && filled < c.m; i++ {
				s := perm[i][next[i]]
				for entry[s] >= 0 {
					next[i]++
					s = perm[i][next[i]]
				}
				entry[s] = int32(i)
				next[i]++
				filled++
			}
		}
		if !slices.Equal(g.table, entry) {
			t.Errorf("n=%d M=%d %v: table differs from the paper's pseudocode", c.n, c.m, c.h)
		}
	}
}
