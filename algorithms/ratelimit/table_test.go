package ratelimit

import (
	"math/rand/v2"
	"testing"
	"time"
)

// checkIndex verifies that every held key is found at its own entry by a
// probe from its home slot, and that the index holds exactly n entries.
func checkIndex(t *testing.T, tab *table[Limiter]) {
	t.Helper()
	seen := 0
	for _, s := range tab.slots {
		if s != 0 {
			seen++
		}
	}
	if seen != tab.n {
		t.Fatalf("index holds %d slots, table %d keys", seen, tab.n)
	}
	mask := len(tab.slots) - 1
	for e := 0; e < tab.n; e++ {
		i := tab.home(tab.keys[e])
		for tab.slots[i] != uint64(tab.keys[e])<<32|uint64(e+1) {
			if tab.slots[i] == 0 {
				t.Fatalf("key %d (entry %d) unreachable from its home slot", tab.keys[e], e)
			}
			i = (i + 1) & mask
		}
	}
}

func newBucketTable(capacity int) *table[Limiter] {
	return newTable(capacity, func() Limiter { l, _ := NewTokenBucket(1, 1); return l })
}

// Against a model (a map of the keys held): a key stays until evicted,
// memory never grows past the capacity, every entry stays reachable.
func TestTableEvictsWithBoundedMemory(t *testing.T) {
	const capacity = 100
	tab := newBucketTable(capacity)
	held := map[uint32]int{}
	r := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 50_000; i++ {
		key := uint32(r.IntN(400))
		if i%3 == 0 {
			key = 1_000_000 + uint32(i) // a stream of one-off keys
		}
		evBefore := tab.evictions
		e := tab.get(key, time.Duration(i))
		if want, ok := held[key]; ok {
			if e != want || tab.evictions != evBefore {
				t.Fatalf("op %d: held key %d moved from entry %d to %d", i, key, want, e)
			}
		} else {
			for k, ent := range held {
				if ent == e {
					delete(held, k) // the victim
				}
			}
			held[key] = e
		}
		if tab.keys[e] != key || len(held) > capacity || tab.len() > capacity {
			t.Fatalf("op %d: entry %d holds key %d, want %d; %d keys held", i, e, tab.keys[e], key, len(held))
		}
		if i%997 == 0 {
			checkIndex(t, tab)
		}
	}
	if tab.evictions == 0 || len(tab.vals) != capacity {
		t.Fatalf("%d evictions, %d limiters: want evictions and exactly %d limiters", tab.evictions, len(tab.vals), capacity)
	}
	checkIndex(t, tab)
}

// CLOCK gives a key that is used again a second chance: a hot key survives a
// scan of one-off keys ten times the table's size.
func TestTableKeepsHotKey(t *testing.T) {
	tab := newBucketTable(64)
	hot := tab.get(7, 0)
	for i := 0; i < 640; i++ {
		tab.get(uint32(1000+i), 0)
		if e := tab.get(7, 0); e != hot {
			t.Fatalf("hot key evicted after %d one-off keys", i)
		}
	}
}

// An evicted key's limiter is reset and reused: a full bucket for the new
// key and no allocation once the table is full.
func TestTableReuseAllocatesNothing(t *testing.T) {
	tab := newBucketTable(1000)
	for i := 0; i < 1000; i++ {
		tab.vals[tab.get(uint32(i), 0)].Allow(0) // drain every bucket
	}
	next := uint32(1000)
	allocs := testing.AllocsPerRun(10_000, func() {
		e := tab.get(next, time.Millisecond)
		if !tab.vals[e].Allow(time.Millisecond) {
			t.Fatal("a reused limiter was not reset to a full bucket")
		}
		next++
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per evicting lookup, want 0", allocs)
	}
}
