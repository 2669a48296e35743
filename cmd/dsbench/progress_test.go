package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vbauerster/mpb/v8"

	"github.com/dsbench/dsbench/harness"
)

// syncBuffer is a bytes.Buffer safe for mpb's rendering goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitOrFail fails when mpb's Wait does not return: a bar that neither
// completed nor aborted would hang the CLI.
func waitOrFail(t *testing.T, bp *barProgress) {
	t.Helper()
	done := make(chan struct{})
	go func() { bp.wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("mpb Wait did not return: a bar neither completed nor aborted")
	}
}

// TestTimedBar: a wall-clock --duration run draws elapsed against total and
// completes; failed and op-count runs complete or abort too, so Wait
// returns; a stderr that is not a terminal gets plain lines, no bar.
func TestTimedBar(t *testing.T) {
	var out syncBuffer
	bp := &barProgress{p: mpb.New(mpb.WithOutput(&out), mpb.WithWidth(160), mpb.WithAutoRefresh(), mpb.WithRefreshRate(10*time.Millisecond))}
	timed := bp.StartTimed("builtin/noop [ycsb-c, wall]", 0, 4, 0, 0, 300*time.Millisecond)
	for i := range 4 {
		timed.Set(uint64(i * 1000))
		time.Sleep(30 * time.Millisecond)
	}
	timed.Done(&harness.Report{Ops: 4000, Duration: 300 * time.Millisecond})
	bp.StartTimed("builtin/sleep [default, virtual]", 1, 4, 1000, 0, 0).Done(&harness.Report{Ops: 1000})
	bp.StartTimed("testonly/fail [ycsb-c, wall]", 2, 4, 0, 0, time.Second).Abort()
	warm := bp.StartTimed("builtin/noop [ycsb-b, wall]", 3, 4, 0, 100*time.Millisecond, 200*time.Millisecond)
	warm.Set(0)
	time.Sleep(50 * time.Millisecond)
	warm.Set(0)
	time.Sleep(50 * time.Millisecond)
	warm.Set(500)
	warm.Done(&harness.Report{Ops: 700, Duration: 200 * time.Millisecond})
	cut := bp.StartTimed("builtin/noop [ycsb-a, wall]", 3, 4, 0, 0, 10*time.Second)
	cut.Set(10)
	cut.Done(&harness.Report{Ops: 10, Duration: 2 * time.Second, Interrupted: true})
	waitOrFail(t, bp)
	s := out.String()
	for _, want := range []string{
		"[1/4] builtin/noop", "300ms / 300ms", "4k ops,", " done", // the full length once it ended
		"[3/4] testonly/fail", " failed",
		"2s / 10s", " interrupted", // stops where the run stopped
		"warm-up", "300ms / 300ms", "700 ops", // warm-up + measured
	} {
		if !strings.Contains(s, want) {
			t.Errorf("bar output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "10s / 10s") {
		t.Errorf("an interrupted run's bar was filled:\n%s", s)
	}
	if _, ok := newProgress(&bytes.Buffer{}, false).(*lineProgress); !ok {
		t.Error("a stderr that is not a terminal must get lines, not bars")
	}
}
