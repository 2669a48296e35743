package dynamo

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dsbench/dsbench/algorithms/hashing"
)

// The paper's Figure 3: D1 [Sx,1] → D2 [Sx,2] → D3 [Sx,2][Sy,1] and
// D4 [Sx,2][Sz,1] (concurrent siblings) → D5 [Sx,3][Sy,1][Sz,1].
func TestVectorClocksFigure3(t *testing.T) {
	const x, y, z = 0, 1, 2
	d1 := VC{x: 1}
	d2 := VC{x: 2}
	d3 := VC{x: 2, y: 1}
	d4 := VC{x: 2, y: 0, z: 1}
	d5 := VC{x: 3, y: 1, z: 1}
	cases := []struct {
		a, b VC
		want Order
	}{
		{d1, d2, Before}, {d2, d1, After}, {d2, d3, Before}, {d3, d4, Concurrent}, {d4, d3, Concurrent},
		{d3, d5, Before}, {d4, d5, Before}, {d5, d5, Equal}, {nil, d1, Before}, {VC{0, 0, 0}, nil, Equal},
	}
	for _, c := range cases {
		if got := Compare(c.a, c.b); got != c.want {
			t.Errorf("Compare(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	// Syntactic reconciliation keeps D3 and D4 as siblings; D5, written with
	// the merged context, replaces both.
	var vs []Version
	for i, c := range []VC{d1, d2, d3, d4} {
		vs, _ = AddVersion(vs, Version{ID: uint64(i + 1), Clock: c}, nil)
	}
	if len(vs) != 2 || vs[0].ID != 3 || vs[1].ID != 4 {
		t.Fatalf("siblings after D1…D4: %v", vs)
	}
	if m := Merge(d3, d4, 3); Compare(m, VC{2, 1, 1}) != Equal {
		t.Errorf("Merge(D3, D4) = %v", m)
	}
	var removed []Version
	vs, changed := AddVersion(vs, Version{ID: 5, Clock: d5}, &removed)
	if !changed || len(vs) != 1 || vs[0].ID != 5 || len(removed) != 2 {
		t.Errorf("after D5: %v (removed %v)", vs, removed)
	}
	if _, changed := AddVersion(vs, Version{ID: 2, Clock: d2}, nil); changed {
		t.Error("an old version was added back")
	}
}

// AddVersion against a reference: the stored set is exactly the maximal
// versions of everything added (none descends from another, and every
// added version is covered).
func TestAddVersionModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 300; trial++ {
		var vs, all []Version
		for i := 0; i < 12; i++ {
			c := VC{uint32(r.IntN(3)), uint32(r.IntN(3)), uint32(r.IntN(3))}
			v := Version{ID: uint64(i + 1), Clock: c}
			all = append(all, v)
			vs, _ = AddVersion(vs, v, nil)
		}
		for _, a := range all {
			if !Covers(vs, a.Clock) {
				t.Fatalf("version %v not covered by %v", a, vs)
			}
		}
		for i, a := range vs {
			for j, b := range vs {
				if i != j && Descends(a.Clock, b.Clock) {
					t.Fatalf("%v descends from sibling %v", a, b)
				}
			}
		}
	}
}

// The preference list is the clockwise walk from the key's range keeping
// each node once; its first node is hashing.Ring's owner of the key.
func TestPreferenceList(t *testing.T) {
	const nodes, vnodes = 7, 20
	ring, err := NewRing(nodes, vnodes, hashing.XXHash)
	if err != nil {
		t.Fatal(err)
	}
	hn, _ := hashing.Nodes(nodes, nil)
	ref, err := hashing.NewRing(hn, vnodes, hashing.XXHash)
	if err != nil {
		t.Fatal(err)
	}
	// Brute force: every point with its owner, sorted.
	type pt struct {
		at    uint64
		owner int8
	}
	var pts []pt
	for i := 0; i < nodes; i++ {
		for v := 0; v < vnodes; v++ {
			pts = append(pts, pt{hashing.XXHash.Sum128(uint64(i), ringPointSalt|uint64(v)), int8(i)})
		}
	}
	slices.SortFunc(pts, func(a, b pt) int {
		if a.at < b.at {
			return -1
		}
		if a.at > b.at {
			return 1
		}
		return 0
	})
	for key := uint64(0); key < 2000; key++ {
		rg := ring.Range(key)
		pref := ring.Pref(rg)
		if int(pref[0]) != ref.Locate(key) {
			t.Fatalf("key %d: first of preference list %d, hashing.Ring owner %d", key, pref[0], ref.Locate(key))
		}
		h := hashing.XXHash.Sum64(key)
		start := 0
		for start < len(pts) && pts[start].at < h {
			start++
		}
		var want []int8
		for j := 0; len(want) < nodes; j++ {
			o := pts[(start+j)%len(pts)].owner
			if !slices.Contains(want, o) {
				want = append(want, o)
			}
		}
		if !slices.Equal(pref, want) {
			t.Fatalf("key %d: preference list %v, want %v", key, pref, want)
		}
	}
}

// Diff finds exactly the leaves whose contents differ.
func TestMerkleDiff(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 200; trial++ {
		leaves := 1 << (1 + r.IntN(7))
		a, b := NewMerkle(leaves), NewMerkle(leaves)
		la, lb := make([]uint64, leaves), make([]uint64, leaves)
		for i := 0; i < 50; i++ {
			l, d := r.IntN(leaves), r.Uint64()
			a.Toggle(l, d)
			la[l] ^= d
			if r.IntN(4) != 0 { // most writes reach both replicas
				b.Toggle(l, d)
				lb[l] ^= d
			}
		}
		var want []int
		for l := range la {
			if la[l] != lb[l] {
				want = append(want, l)
			}
		}
		got, levels := a.Diff(b, nil)
		if !slices.Equal(got, want) {
			t.Fatalf("leaves %d: diff %v, want %v", leaves, got, want)
		}
		if (len(want) == 0) != (a.Root() == b.Root()) || (len(want) == 0 && levels != 1) {
			t.Fatalf("roots %x %x with diff %v, levels %d", a.Root(), b.Root(), want, levels)
		}
	}
}

// Two stores that received the same versions in different orders hold the
// same sets and the same Merkle trees: anti-entropy finds nothing to sync.
func TestStoreOrderIndependent(t *testing.T) {
	ring, _ := NewRing(4, 8, hashing.XXHash)
	r := rand.New(rand.NewPCG(5, 6))
	type put struct {
		key uint64
		v   Version
	}
	var puts []put
	seen := map[[4]uint32]bool{} // a clock names one write (coordinators never reissue a counter)
	for i := 0; i < 500; i++ {
		c := VC{uint32(r.IntN(4)), uint32(r.IntN(4)), uint32(r.IntN(4)), uint32(r.IntN(4))}
		if seen[[4]uint32(c)] {
			continue
		}
		seen[[4]uint32(c)] = true
		puts = append(puts, put{uint64(r.IntN(40)), Version{ID: uint64(i + 1), Clock: c}})
	}
	a, b := NewStore(ring.Ranges(), 16), NewStore(ring.Ranges(), 16)
	for _, p := range puts {
		a.Put(p.key, ring.KeyHash(p.key), ring.Range(p.key), p.v)
	}
	r.Shuffle(len(puts), func(i, j int) { puts[i], puts[j] = puts[j], puts[i] })
	for _, p := range puts {
		b.Put(p.key, ring.KeyHash(p.key), ring.Range(p.key), p.v)
	}
	for rg := 0; rg < ring.Ranges(); rg++ {
		if d, _ := a.Part(rg).Diff(b.Part(rg), nil); len(d) != 0 {
			t.Fatalf("range %d: leaves %v differ", rg, d)
		}
	}
	for k := uint64(0); k < 40; k++ {
		if !CoversAll(a.Get(k), b.Get(k)) || !CoversAll(b.Get(k), a.Get(k)) || len(a.Get(k)) != len(b.Get(k)) {
			t.Fatalf("key %d: %v vs %v", k, a.Get(k), b.Get(k))
		}
	}
	// One more version on a only: exactly its leaf differs.
	k := uint64(7)
	a.Put(k, ring.KeyHash(k), ring.Range(k), Version{ID: 9999, Clock: VC{9, 9, 9, 9}})
	d, _ := a.Part(ring.Range(k)).Diff(b.Part(ring.Range(k)), nil)
	if len(d) != 1 || d[0] != a.Part(0).Leaf(ring.KeyHash(k)) {
		t.Fatalf("diff %v", d)
	}
}

func TestQuorum(t *testing.T) {
	q := NewQuorum(2, 3)
	if q.Reply(true) || q.Done {
		t.Fatal("decided on one of two")
	}
	if !q.Reply(true) || !q.Succ {
		t.Fatal("not decided on the second ack")
	}
	if q.Reply(true) || !q.AllIn() || q.Expire() {
		t.Fatal("a late reply or the deadline changed a decided quorum")
	}
	q = NewQuorum(3, 3)
	if !q.Reply(true) == false || !q.Reply(false) || q.Succ {
		t.Fatal("a failure that makes 3 of 3 impossible did not decide")
	}
	if q = NewQuorum(2, 1); !q.Done || q.Succ {
		t.Fatal("a quorum of 2 over 1 replica is not failed at once")
	}
	q = NewQuorum(2, 3)
	q.Reply(true)
	if !q.Expire() || q.Succ {
		t.Fatal("the deadline did not fail an open quorum")
	}
}
