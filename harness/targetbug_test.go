package harness

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// panicTarget panics on its n-th op (counted over all workers).
type panicTarget struct {
	n    int64
	seen *atomic.Int64
}

func (p panicTarget) Do(time.Duration, *workloads.Op) Outcome {
	if p.seen.Add(1) == p.n {
		panic("deliberate failure in the target")
	}
	return Outcome{Shard: NoShard}
}

// A target that panics in a wall-clock worker fails the run with
// ErrTargetBug (the CLI's exit 3), naming the panic, instead of killing the
// process with Go's exit status 2 — in the closed loop (in the warm-up and
// in the measured phase) and in the open loop's pool.
func TestWallWorkerPanicIsATargetBug(t *testing.T) {
	for name, cfg := range map[string]Config{
		"closed":        {Closed: true, Workers: 3, Ops: 10000},
		"closed-warmup": {Closed: true, Workers: 3, Ops: 10000, WarmupOps: 5000},
		"open":          {Workers: 4, Ops: 10000},
	} {
		cfg.Source = constRate(0, 1, 1)
		if name == "open" {
			cfg.Source = constRate(100000, 1, 1)
		}
		cfg.Seed = 1
		done := make(chan error, 1)
		go func() {
			_, err := RunWall(context.Background(), panicTarget{n: 100, seen: new(atomic.Int64)}, cfg)
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, ErrTargetBug) || !strings.Contains(err.Error(), "deliberate failure") {
				t.Errorf("%s: error %v, want ErrTargetBug naming the panic", name, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: the run hung after a worker panicked", name)
		}
	}
}

// lossySim never completes its ops: the run ends with ErrTargetBug once a
// day of virtual time passed with ops in flight and nothing moving, instead
// of running forever on its own timer.
type lossySim struct{}

func (lossySim) Start(w *World, req *Request) {}
func (lossySim) Setup(w *World)               { w.At(0, tick, nil, 0) }

func tick(w *World, _ *Request, _ int64) { w.After(time.Second, tick, nil, 0) }

func TestSimLostOpsIsATargetBug(t *testing.T) {
	_, err := RunSim(context.Background(), lossySim{}, Config{Source: constRate(1000, 1, 1), Ops: 10, Seed: 1})
	if !errors.Is(err, ErrTargetBug) || !strings.Contains(err.Error(), "10 ops were still in flight") {
		t.Errorf("error %v, want ErrTargetBug counting 10 lost ops", err)
	}
}
