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

// A closed loop against a zero-time target stopped only by a duration
// never advances virtual time; the run must end with an error, not spin.
func TestSimClosedZeroTimeEndsWithError(t *testing.T) {
	done := make(chan error, 1)
	go func() {
		_, err := RunSim(context.Background(), zeroTime{}, Config{
			Source: func(workloads.Part) (workloads.Source, error) { return closedSource{}, nil },
			Closed: true, Duration: time.Second, Seed: 1,
		})
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "virtual time stopped") {
			t.Fatalf("err = %v, want a stalled-virtual-time error", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("RunSim spun for a minute on a run whose virtual time cannot advance")
	}
}

// closedSource yields reads forever.
type closedSource struct{}

func (closedSource) Next(op *workloads.Op) bool {
	*op = workloads.Op{Kind: workloads.Read}
	return true
}
