package gfs

import (
	"testing"

	"github.com/dsbench/dsbench/algorithms/algotest"
)

// A clone copies its source when the chunk's bytes have arrived, but the
// primary learns of the new replica a round trip later: appends it orders
// meanwhile reach the new replica only through the primary's sync. With a
// 5 ms network and a chunk appended to 400 times a second the window is
// wide; without the sync the checker finds a replica missing an
// acknowledged append.
func TestCloneSyncedByPrimary(t *testing.T) {
	for _, noSync := range []bool{false, true} {
		bad := 0
		for seed := uint64(1); seed <= 4; seed++ {
			s := build(t, small(map[string]string{"crash": "random", "crash_at": "1s", "nodes": "5", "dataset": "0.02",
				"chunk_size": "4", "packet": "4", "delay": "const:d=5ms"}), 0)
			s.noSync = noSync
			run(t, s, "mix=rmw:1 keys=uniform:n=1 size=const:n=16384 clients=8 arrival=poisson:rate=400", algotest.Options{Ops: 4000, Seed: seed})
			if s.rereplicated == 0 {
				t.Fatalf("seed %d: nothing re-replicated", seed)
			}
			if _, err := s.check(); err != nil {
				if !noSync {
					t.Fatalf("seed %d: %v", seed, err)
				}
				bad++
			}
		}
		if noSync && bad == 0 {
			t.Errorf("without the primary's sync no seed lost an append on a cloned replica: the test does not reach the window")
		}
	}
}
