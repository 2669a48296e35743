package harness

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// peakTarget answers at once and records the most goroutines alive at any op.
type peakTarget struct{ peak atomic.Int64 }

func (t *peakTarget) Do(time.Duration, *workloads.Op) Outcome {
	n := int64(runtime.NumGoroutine())
	for {
		p := t.peak.Load()
		if n <= p || t.peak.CompareAndSwap(p, n) {
			return Outcome{Shard: NoShard}
		}
	}
}

// TestWallOpenPoolStaysSmall: a target that answers at once needs one
// goroutine sending while another leads, so the pool must not grow with the
// rate. A goroutine that has finished its op but not yet come back to the
// stream's lock (runnable, not yet scheduled) is not busy: counting it as
// busy grew the pool to thousands of idle goroutines at 100k ops/s on a
// loaded machine, and their scheduling then delayed the schedule it exists to
// keep.
func TestWallOpenPoolStaysSmall(t *testing.T) {
	tg := &peakTarget{}
	before := runtime.NumGoroutine()
	rep, err := RunWall(context.Background(), tg, Config{Source: constRate(100000, 1, 1), Ops: 50000})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Ops != 50000 {
		t.Fatalf("%d ops", rep.Ops)
	}
	pool := tg.peak.Load() - int64(before)
	t.Logf("peak pool ≈ %d goroutines; latency p50 %v p99 %v", pool, time.Duration(rep.Latency.ValueAtQuantile(50)), time.Duration(rep.Latency.ValueAtQuantile(99)))
	if pool > 100 { // measured: 12-19 on a loaded 2-core machine; 1,400-3,000 before the fix
		t.Errorf("the open-loop pool grew to ≈%d goroutines for a target that answers at once", pool)
	}
}
