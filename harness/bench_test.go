package harness

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

type noopWall struct{}

func (noopWall) Do(time.Duration, *workloads.Op) Outcome { return Outcome{Shard: NoShard} }

// BenchmarkWallNoop is the harness's cost per op: one closed-loop worker
// against a target that does nothing. Compare with BenchmarkBareLoop (goal:
// at most 2×).
func BenchmarkWallNoop(b *testing.B) {
	b.ReportAllocs()
	rep, err := RunWall(context.Background(), noopWall{}, Config{
		Source: constRate(0, 1, 1), Closed: true, Workers: 1, Ops: uint64(b.N)})
	if err != nil {
		b.Fatal(err)
	}
	if rep.Ops != uint64(b.N) {
		b.Fatalf("ran %d ops of %d", rep.Ops, b.N)
	}
	b.ReportMetric(float64(rep.Ops)/rep.Duration.Seconds(), "ops/s")
}

// BenchmarkBareLoop is the floor: draw the op as the harness's source does,
// read the clock once, record one HDR value.
func BenchmarkBareLoop(b *testing.B) {
	b.ReportAllocs()
	h := NewHistogram()
	src, _ := constRate(0, 1, 1)(workloads.Whole)
	var op workloads.Op
	t := nanotime()
	for range b.N {
		src.Next(&op)
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
