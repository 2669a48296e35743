package main

import (
	"os"
	"os/signal"
	"path/filepath"
	"strings"
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

// Ctrl-C stops a long load phase (between batches, and in the settle's
// compactions) and a long target construction within a second: exit 130,
// the run written as interrupted, the load's temporary directory removed.
func TestInterruptLoadAndBuild(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for _, c := range []struct {
		name string
		args []string
	}{
		{"load", []string{"run", "storage/lsm", "--load", "20000000", "-n", "10", "-q"}},
		// 1.3M ring points: a construction of seconds (the nodes=65536 at
		// 100 vnodes took 31–53 s; it would keep this test process busy after).
		{"build", []string{"run", "hashing/ring", "-p", "nodes=65536", "-p", "vnodes=20", "-n", "10", "-q"}},
	} {
		guard := make(chan os.Signal, 4)
		signal.Notify(guard, syscall.SIGINT)
		out := filepath.Join(t.TempDir(), "r.json")
		type result struct {
			code int
			errs string
		}
		done := make(chan result, 1)
		go func() {
			code, _, errs := cli(t, append(c.args, "-o", out)...)
			done <- result{code, errs}
		}()
		time.Sleep(time.Second) // the load runs for minutes, the ring is built for ~7 s (here, loaded)
		sent := time.Now()
		syscall.Kill(os.Getpid(), syscall.SIGINT)
		select {
		case r := <-done:
			if r.code != exitInterrupted {
				t.Errorf("%s: exit %d, want 130\n%s", c.name, r.code, r.errs)
			}
			if el := time.Since(sent); el > time.Second {
				t.Errorf("%s: stopped %v after Ctrl-C", c.name, el)
			}
			if b, err := os.ReadFile(out); err != nil || !strings.Contains(string(b), `"interrupted": true`) {
				t.Errorf("%s: the run was not written as interrupted: %v", c.name, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: Ctrl-C did not stop it", c.name)
		}
		signal.Stop(guard)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) > 0 {
		t.Errorf("left in the temporary directory: %v", left)
	}
}
