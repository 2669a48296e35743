package main

import (
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// SIGHUP and SIGTERM stop a run as Ctrl-C does: what was measured is
// written, exit 130, within a second.
func TestStopSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT} {
		// Our own handler first, so a signal that comes before dsbench's
		// is caught here (the test then fails) instead of killing the test.
		guard := make(chan os.Signal, 4)
		signal.Notify(guard, sig)
		out := filepath.Join(t.TempDir(), "r.json")
		type result struct {
			code int
			errs string
		}
		done := make(chan result, 1)
		go func() {
			code, _, errs := cli(t, "run", "builtin/noop", "-d", "30s", "-q", "-o", out)
			done <- result{code, errs}
		}()
		time.Sleep(500 * time.Millisecond)
		sent := time.Now()
		syscall.Kill(os.Getpid(), sig)
		select {
		case r := <-done:
			if r.code != exitInterrupted {
				t.Errorf("%v: exit %d, want 130\n%s", sig, r.code, r.errs)
			}
			if el := time.Since(sent); el > time.Second {
				t.Errorf("%v: stopped %v after the signal", sig, el)
			}
			if _, err := os.Stat(out); err != nil {
				t.Errorf("%v: what was measured was not written: %v", sig, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%v: the run did not stop", sig)
		}
		signal.Stop(guard)
	}
}
