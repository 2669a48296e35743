package harness

import (
	"context"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

type noopWall struct{}

func (noopWall) Do(time.Duration, *workloads.Op) Outcome { return Outcome{Shard: NoShard} }

// BenchmarkWallNoop is the harness's cost per op: one closed-loop worker
// against a target that does nothing, fed the cheapest op stream (sequential
// reads) so that the workload's own draw cost does not count. Compare with
// BenchmarkFloor in the same run (goal: at most 1.25×).
func BenchmarkWallNoop(b *testing.B) {
	b.ReportAllocs()
	rep, err := RunWall(context.Background(), noopWall{}, Config{
		Source: seqRate(0), Closed: true, Workers: 1, Ops: uint64(b.N)})
	if err != nil {
		b.Fatal(err)
	}
	if rep.Ops != uint64(b.N) {
		b.Fatalf("ran %d ops of %d", rep.Ops, b.N)
	}
	b.ReportMetric(float64(rep.Ops)/rep.Duration.Seconds(), "ops/s")
}

// BenchmarkFloor is the least a timed op can cost: exactly one clock read and
// one HDR record.
func BenchmarkFloor(b *testing.B) {
	b.ReportAllocs()
	h := NewHistogram()
	t := nanotime()
	for range b.N {
		now := nanotime()
		_ = h.RecordValue(now - t)
		t = now
	}
}

func benchSim(b *testing.B, target SimTarget, closed bool) {
	b.ReportAllocs()
	start, cpu := time.Now(), cpuTime()
	rep, err := RunSim(context.Background(), target, Config{
		Source: constRate(1e6, 16, 1), Closed: closed, Workers: 4, Ops: uint64(b.N), Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	reportRate(b, float64(rep.Events), start, cpu)
}

// reportRate reports events per wall-clock second and, where the OS says,
// per CPU-second (the figure that holds on a machine shared with other jobs).
func reportRate(b *testing.B, events float64, start time.Time, cpu time.Duration) {
	b.ReportMetric(events/time.Since(start).Seconds(), "events/s")
	if c := cpuTime() - cpu; c > 0 && cpu > 0 {
		b.ReportMetric(events/c.Seconds(), "events/cpu-s")
	}
}

// BenchmarkSimNoop: one event per op (the arrival), the whole RunSim path.
func BenchmarkSimNoop(b *testing.B) { benchSim(b, noopSim{}, false) }

// BenchmarkSimClosed: closed loop, one event per op (the client's next send).
func BenchmarkSimClosed(b *testing.B) { benchSim(b, noopSim{}, true) }

// BenchmarkSimQueue: a 4-server queue, two events per op.
func BenchmarkSimQueue(b *testing.B) { benchSim(b, newFIFO(4, 3*time.Microsecond), false) }

// BenchmarkWorldHeap is the event heap alone with 1000 events pending: each
// event schedules one more at a random later time.
func BenchmarkWorldHeap(b *testing.B) {
	b.ReportAllocs()
	w := NewWorld(1, nil)
	r := rand.New(rand.NewPCG(1, 1))
	var fn EventFunc
	fn = func(w *World, _ *Request, _ int64) {
		w.After(time.Duration(r.IntN(1000000)), fn, nil, 0)
	}
	for range 1000 {
		w.At(time.Duration(r.IntN(1000000)), fn, nil, 0)
	}
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime()
	for range b.N {
		w.Step()
	}
	reportRate(b, float64(b.N), start, cpu)
}

// openRate is the rate of the open-loop benchmarks: the goal is to
// keep 8M ops/s on an idle 2-core machine.
const openRate = 8e6

// BenchmarkOpen asks the open loop for b.N no-op ops at openRate, beside a
// minimal pacer (one goroutine, runtime.Gosched until each op's time, one
// clock read at the send and one at the end, one HDR record) asked the same:
// the achieved rates of the two, in one run, are the figure (goal: dsbench
// at least 0.9× the pacer). dsbench also records service time and send lag,
// and keeps a pool ready for a target that blocks.
func BenchmarkOpen(b *testing.B) {
	b.Run("dsbench", func(b *testing.B) {
		b.ReportAllocs()
		rep, err := RunWall(context.Background(), noopWall{}, Config{Source: seqRate(openRate), Ops: uint64(b.N)})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(rep.Ops)/rep.Duration.Seconds(), "ops/s")
		b.ReportMetric(float64(rep.SendLag.ValueAtQuantile(99)), "lag-p99-ns")
	})
	b.Run("pacer", func(b *testing.B) {
		b.ReportAllocs()
		h := NewHistogram()
		lag := NewHistogram()
		src := &seqSource{rate: openRate}
		var tgt Target = noopWall{}
		var op workloads.Op
		start := nanotime()
		var done int64
		for range b.N {
			src.Next(&op)
			at := start + int64(op.At)
			now := nanotime()
			for now < at {
				runtime.Gosched()
				now = nanotime()
			}
			tgt.Do(time.Duration(now-start), &op)
			done = nanotime()
			_ = h.RecordValue(done - at)
			_ = lag.RecordValue(now - at)
		}
		b.ReportMetric(float64(b.N)/(float64(done-start)/1e9), "ops/s")
		b.ReportMetric(float64(lag.ValueAtQuantile(99)), "lag-p99-ns")
	})
}

// BenchmarkSimMemory is the peak heap of a virtual-time run of 1e6 and 1e7
// ops (a FIFO server, 1 ms service, 500 ops/s: the 1e7 run covers 20,000
// virtual seconds), sampled every 2 ms while it runs. Memory follows the
// fixed number of intervals (MaxIntervals), not ops or virtual time: the
// two figures should be about equal (issue 13 measured 54 and 280 MB RSS).
// Run with -benchtime 1x.
func BenchmarkSimMemory(b *testing.B) {
	for _, c := range []struct {
		name string
		ops  uint64
	}{{"ops=1e6", 1e6}, {"ops=1e7", 1e7}} {
		b.Run(c.name, func(b *testing.B) {
			var peak uint64
			for range b.N {
				runtime.GC()
				stop := make(chan struct{})
				done := make(chan uint64)
				go func() { done <- peakHeap(stop) }()
				_, err := RunSim(context.Background(), newFIFO(1, time.Millisecond), Config{
					Source: constRate(500, 16, 1), Ops: c.ops, Seed: 1})
				close(stop)
				peak = max(peak, <-done)
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}

// peakHeap samples the heap's live and unswept bytes until stop closes.
func peakHeap(stop chan struct{}) uint64 {
	var peak uint64
	var ms runtime.MemStats
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for {
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
		select {
		case <-stop:
			return peak
		case <-t.C:
		}
	}
}
