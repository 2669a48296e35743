package harness

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// zeroTime completes every op at once, in zero virtual time.
type zeroTime struct{}

func (zeroTime) Start(w *World, req *Request) { w.Complete(req, Outcome{Shard: NoShard}) }

// lowerStall makes the stall check fire after n events at one instant for
// the rest of the test, so the tests do not depend on the machine's speed.
func lowerStall(t *testing.T, n int) {
	old := stalledSteps
	stalledSteps = n
	t.Cleanup(func() { stalledSteps = old })
}

func zeroTimeClosed(cfg Config) (*Report, error) {
	cfg.Source = func(workloads.Part) (workloads.Source, error) { return closedSource{}, nil }
	cfg.Closed, cfg.Seed = true, 1
	return RunSim(context.Background(), zeroTime{}, cfg)
}

// A closed loop against a zero-time target stopped only by a duration
// never advances virtual time; the run must end with an error, not spin.
func TestSimClosedZeroTimeEndsWithError(t *testing.T) {
	lowerStall(t, 1<<14)
	// No wall-clock watchdog: how long 2^14 events take depends on the
	// machine (a 60 s watchdog failed under -race on a loaded one), and a
	// run that never ends is caught by go test's -timeout all the same.
	_, err := zeroTimeClosed(Config{Duration: time.Second})
	if err == nil || !strings.Contains(err.Error(), "virtual time stopped") {
		t.Fatalf("err = %v, want a stalled-virtual-time error", err)
	}
}

// Regression (issue 13): an op count bounds the run, so any number of events
// at one instant is fine — `dsbench run builtin/noop --clock virtual --ops
// 8.5e6` failed with "virtual time stopped" past 2^23 events.
func TestSimOpsBoundIsNotAStall(t *testing.T) {
	lowerStall(t, 1<<14)
	rep, err := zeroTimeClosed(Config{Ops: 4 << 14})
	if err != nil {
		t.Fatalf("a run bounded by --ops stopped: %v", err)
	}
	if rep.Ops != 4<<14 {
		t.Errorf("%d ops, want %d", rep.Ops, 4<<14)
	}
	// A warm-up bounded only by time can still stall, whatever bounds the
	// measured phase.
	if _, err := zeroTimeClosed(Config{Ops: 10, Warmup: time.Second}); err == nil || !strings.Contains(err.Error(), "virtual time stopped") {
		t.Errorf("a time-only warm-up at one instant: err = %v, want the stall error", err)
	}
	if rep, err := zeroTimeClosed(Config{Ops: 10, WarmupOps: 4 << 14}); err != nil || rep.WarmupOps != 4<<14 {
		t.Errorf("a counted warm-up: err = %v, warm-up %d", err, rep.WarmupOps)
	}
}

// closedSource yields reads forever.
type closedSource struct{}

func (closedSource) Next(op *workloads.Op) bool {
	*op = workloads.Op{Kind: workloads.Read}
	return true
}
