package bigtable

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms/lsm"
	"github.com/dsbench/dsbench/workloads"
)

// TestAdapterConcurrentWithLockLoss drives the YCSB adapter from four
// workers (run it with -race) while a ticker goroutine advances the table's
// clock by 1 ms per Tick and server 2 is cut off from the lock service at
// 30 ms: ops fail only as unavailable, no server serves after its lease ran
// out, the master reassigns server 2's tablets, and every op after the
// reassignment succeeds. (The clock is the test's so that a loaded machine
// cannot starve the KeepAlives.)
// TestLoadStopsWhenCancelled: a cancelled context stops the load phase.
func TestLoadStopsWhenCancelled(t *testing.T) {
	tb, err := Open(t.TempDir(), Options{Servers: 2, SplitBytes: 1 << 30,
		Open: LSMOpener(lsm.Options{MemtableBytes: 1 << 20}), Families: []Family{{MaxVersions: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	tg := NewTarget(tb, 1, true, 1)
	defer tg.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := tg.LoadContext(ctx, 1e6, 10); !errors.Is(err, context.Canceled) {
		t.Fatalf("load after cancel: %v", err)
	}
	if n := tg.Metrics()["user_puts"]; n != 0 {
		t.Fatalf("%v versions loaded after cancel", n)
	}
}

func TestAdapterConcurrentWithLockLoss(t *testing.T) {
	m := adapterRun(t, func(o *Options) { o.Lose = &LockLoss{Server: 2, At: 30 * time.Millisecond} })
	if m["stale_serves"] != 0 || m["lock_losses"] != 1 || m["servers_live"] != 2 || m["server_2_tablets"] != 0 || m["tablets_reassigned"] < 1 {
		t.Fatalf("lock loss not handled: %v", m)
	}
}

// TestAdapterConcurrentWithCrashes: the same four workers while server 2
// crashes at 30 ms and restarts at 50 ms, and while the master crashes at
// 20 ms and server 2 loses its lock at 30 ms (the standby takes over).
func TestAdapterConcurrentWithCrashes(t *testing.T) {
	m := adapterRun(t, func(o *Options) {
		o.Crash = &Crash{Server: 2, At: 30 * time.Millisecond, RestartAt: 50 * time.Millisecond}
	})
	if m["stale_serves"] != 0 || m["server_crashes"] != 1 || m["server_restarts"] != 1 || m["servers_live"] != 3 ||
		m["tablets_reassigned"] < 1 || m["double_assignments"] != 0 {
		t.Fatalf("crash and restart not handled: %v", m)
	}
	m = adapterRun(t, func(o *Options) {
		o.Crash = &Crash{Master: true, At: 20 * time.Millisecond}
		o.Lose = &LockLoss{Server: 2, At: 30 * time.Millisecond}
	})
	if m["stale_serves"] != 0 || m["master_failovers"] != 1 || m["servers_live"] != 2 || m["server_2_tablets"] != 0 || m["double_assignments"] != 0 {
		t.Fatalf("master failover not handled: %v", m)
	}
}

// adapterRun is TestAdapterConcurrentWithLockLoss's run with the faults
// tweak sets; it returns the target's metrics.
func adapterRun(t *testing.T, tweak func(*Options)) map[string]float64 {
	fams := []Family{{MaxVersions: 2}, {MaxVersions: 1}}
	clk := &testClock{}
	o := Options{Servers: 3, SplitBytes: 48 << 10, MajorBytes: 16 << 10,
		Open:     LSMOpener(lsm.Options{MemtableBytes: 16 << 10, BloomBitsPerKey: 10}),
		Families: fams, MetaRows: 3, Lease: 20 * time.Millisecond, Backoff: 200 * time.Microsecond, Retries: 1000,
		Clock: clk.now}
	tweak(&o)
	tb, err := Open(t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	tg := NewTarget(tb, 3, true, 1)
	defer tg.Close()
	if err := tg.Load(600, 50); err != nil {
		t.Fatal(err)
	}
	const end, settled = 80_000, 60_000 // µs: the run's end; the reassignment is done by then
	done := make(chan struct{})
	go func() {
		defer close(done)
		for clk.now() < end {
			clk.advance(time.Millisecond)
			tb.Tick()
			time.Sleep(300 * time.Microsecond)
		}
	}()
	var wg sync.WaitGroup
	var mu sync.Mutex
	late := 0
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			x := tg.Fork(w, rand.New(rand.NewPCG(uint64(w), 7)))
			r := rand.New(rand.NewPCG(uint64(w), 8))
			kinds := []workloads.Kind{workloads.Read, workloads.Update, workloads.Scan, workloads.RMW}
			for clk.now() < end {
				op := workloads.Op{Kind: kinds[r.IntN(len(kinds))], Key: r.Uint64N(600), Size: 50}
				if op.Kind == workloads.Scan {
					op.Size = 5
				}
				out := x.Do(0, &op)
				if out.Err != nil && !errors.Is(out.Err, ErrUnavailable) {
					t.Errorf("%v: %v", op.Kind, out.Err)
					return
				}
				if out.Err != nil && clk.now() > settled {
					mu.Lock()
					late++
					mu.Unlock()
				}
			}
		}(w)
	}
	wg.Wait()
	<-done
	m := tg.Metrics()
	if late > 0 {
		t.Fatalf("%d ops failed long after the reassignment", late)
	}
	if m["splits"] < 1 || m["versions_gcd"] < 1 || m["location_cache_misses"] < 1 {
		t.Fatalf("the test did not exercise splits, GC and lookups: %v", m)
	}
	return m
}
