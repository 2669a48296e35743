package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/dsbench/dsbench/results"
)

// stopSignals are the signals that stop a command as Ctrl-C does: SIGTERM
// (kill, a scheduler) and SIGHUP (a closed terminal) included, so each
// writes what was measured instead of dying with no output.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// interruptible returns a context cancelled by the first stop signal: the
// run ends between ops and what was measured is written (exit 130). A
// second signal exits at once with 130, removing any temporary output file
// first, for a user who will not wait for the writes.
func interruptible(parent context.Context, stderr io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, stopSignals...)
	done := make(chan struct{})
	go func() {
		select {
		case <-ch:
		case <-done:
			return
		}
		fmt.Fprintln(stderr, "\ndsbench: interrupted: writing what was measured (interrupt again to exit at once)")
		cancel()
		select {
		case <-ch:
			results.RemoveTemps()
			fmt.Fprintln(stderr, "dsbench: interrupted twice: exiting without writing")
			os.Exit(exitInterrupted)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel()
	}
}
