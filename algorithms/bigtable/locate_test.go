package bigtable

import (
	"errors"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms/storage"
)

// fill writes one cell in each of rows [0, n) and force-splits the table
// into `tablets` tablets (the largest one each time, at its median row).
func fill(t *testing.T, tb *Table, n uint64, tablets int) {
	t.Helper()
	c := tb.NewClient(true)
	var rb [RowLen]byte
	for i := uint64(0); i < n; i++ {
		if _, _, err := c.Write(storage.EncodeKey(rb[:], i), 0, 0, []byte("value-of-the-row")); err != nil {
			t.Fatal(err)
		}
	}
	for len(tb.tablets) < tablets {
		tb.mu.RLock()
		big := tb.tablets[0]
		for _, tab := range tb.tablets {
			if tab.size.Load() > big.size.Load() {
				big = tab
			}
		}
		tb.mu.RUnlock()
		big.size.Store(tb.opts.SplitBytes + 1)
		if err := tb.split(big); err != nil {
			t.Fatal(err)
		}
	}
}

type counts struct{ misses, lookups, stale int64 }

func (c *Client) counts() counts {
	return counts{c.misses.Load(), c.lookups.Load(), c.stale.Load()}
}

// pass reads rows n-1 … 0 once each and returns the counter deltas.
func pass(t *testing.T, c *Client, n uint64) counts {
	t.Helper()
	before := c.counts()
	var rb [RowLen]byte
	for i := n; i > 0; i-- {
		got := 0
		if _, _, err := c.Read(storage.EncodeKey(rb[:], i-1), NewestOf(0), func(Cell) bool { got++; return true }); err != nil || got != 1 {
			t.Fatalf("row %d: %d cells, %v", i-1, got, err)
		}
	}
	after := c.counts()
	return counts{after.misses - before.misses, after.lookups - before.lookups, after.stale - before.stale}
}

// TestLocationCacheMissesExactlyAfterSplitsAndMoves: a cold client looks up
// each tablet once (three round trips for the first: lock-service file,
// root, METADATA; then the root once per METADATA tablet and a METADATA
// tablet once per user tablet); a warm one never misses; after a split
// exactly the two halves miss once each, after a move exactly the moved
// tablet misses once, and then nothing misses again. Without the cache every
// op takes the three round trips.
func TestLocationCacheMissesExactlyAfterSplitsAndMoves(t *testing.T) {
	clk := &testClock{}
	tb := openCells(t, 3, 1<<30, 0, []Family{{MaxVersions: 1}}, clk, nil)
	const n = 240
	fill(t, tb, n, 12)
	if len(tb.meta) < 2 {
		t.Fatalf("%d METADATA tablets: the test needs several", len(tb.meta))
	}
	c := tb.NewClient(true)
	if d := pass(t, c, n); d.misses != 12 || d.lookups != 1+int64(len(tb.meta))+12 || d.stale != 0 {
		t.Fatalf("cold pass: %+v, want 12 misses and %d lookups", d, 1+len(tb.meta)+12)
	}
	if d := pass(t, c, n); d != (counts{}) {
		t.Fatalf("warm pass: %+v, want nothing", d)
	}

	var rb [RowLen]byte
	tb.mu.RLock()
	victim := tb.locate(storage.EncodeKey(rb[:], 100))
	tb.mu.RUnlock()
	victim.size.Store(tb.opts.SplitBytes + 1)
	if err := tb.split(victim); err != nil {
		t.Fatal(err)
	}
	if d := pass(t, c, n); d.misses != 2 || d.stale != 1 {
		t.Fatalf("pass after a split: %+v, want 2 misses (both halves), 1 stale location", d)
	}
	if d := pass(t, c, n); d != (counts{}) {
		t.Fatalf("pass after the split's misses: %+v, want nothing", d)
	}

	row := storage.EncodeKey(rb[:], 17)
	from := tb.ShardOf(row)
	tb.moveTablet(row, (int(from)+1)%3)
	if d := pass(t, c, n); d.misses != 1 || d.stale != 1 {
		t.Fatalf("pass after a move: %+v, want 1 miss, 1 stale location", d)
	}
	if d := pass(t, c, n); d != (counts{}) {
		t.Fatalf("pass after the move's miss: %+v, want nothing", d)
	}

	nc := tb.NewClient(false)
	if d := pass(t, nc, n); d.misses != n || d.lookups != 3*n || d.stale != 0 {
		t.Fatalf("location_cache=false: %+v, want %d misses and %d lookups", d, n, 3*n)
	}
}

// lockLossRun runs 80 rounds of 5 ms: each round the lock service ticks
// (the master polls every 10th round) and a warm client reads every row.
// Server 1 is cut off from the lock service at 12 ms; its last KeepAlive was
// at 10 ms, so its lock is lost at 10 ms + lease = 110 ms. It returns the
// reads some server answered after its lock was lost (by the test's own
// account of the lease, not the table's), the reads that failed, and the
// table's metrics.
func lockLossRun(t *testing.T, broken bool) (staleReads, failed int, m map[string]float64) {
	clk := &testClock{}
	tb := openCells(t, 3, 1<<30, 0, []Family{{MaxVersions: 1}}, clk, func(o *Options) {
		o.Lose = &LockLoss{Server: 1, At: 12 * time.Millisecond}
		o.KeepServingWithoutLock = broken
		o.Retries = 3
	})
	const n = 120
	fill(t, tb, n, 9)
	c := tb.NewClient(true)
	pass(t, c, n)
	lostAt := (110 * time.Millisecond).Microseconds()
	var rb [RowLen]byte
	for round := 1; round <= 80; round++ {
		clk.advance(5 * time.Millisecond)
		tb.tick(round%10 == 0)
		for i := uint64(0); i < n; i++ {
			got := 0
			_, s, err := c.Read(storage.EncodeKey(rb[:], i), NewestOf(0), func(Cell) bool { got++; return true })
			switch {
			case errors.Is(err, ErrUnavailable):
				failed++
			case err != nil || got != 1:
				t.Fatalf("row %d: %d cells, %v", i, got, err)
			case s == 1 && clk.now() >= lostAt:
				staleReads++
			}
		}
	}
	return staleReads, failed, tb.Metrics()
}

// TestLostLockStopsServing: a server whose session runs out serves nothing
// afterwards; its tablets are unavailable until the master's next poll
// reassigns them, then every row is served again by the others. The broken
// variant, whose server keeps serving its loaded tablets without its lock,
// is caught serving stale clients.
func TestLostLockStopsServing(t *testing.T) {
	stale, failed, m := lockLossRun(t, false)
	if stale != 0 || m["stale_serves"] != 0 {
		t.Fatalf("server 1 served %d reads after losing its lock (stale_serves=%v)", stale, m["stale_serves"])
	}
	if failed == 0 || m["unavailable_ops"] != float64(failed) {
		t.Fatalf("no read failed between the lock loss and the reassignment (failed=%d, unavailable_ops=%v)", failed, m["unavailable_ops"])
	}
	if m["lock_losses"] != 1 || m["servers_live"] != 2 || m["server_1_tablets"] != 0 || m["tablets_reassigned"] < 3 ||
		m["tablet_moves"] < 3 || m["location_cache_misses"] < 3 {
		t.Fatalf("the master did not reassign server 1's tablets: %v", m)
	}
	if bs, _, _ := lockLossRun(t, true); bs == 0 {
		t.Fatal("the broken variant (serving without the lock) was not caught")
	}
}
