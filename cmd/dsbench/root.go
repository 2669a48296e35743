package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/results"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	_ "github.com/dsbench/dsbench/algorithms/all"
	"github.com/dsbench/dsbench/bench"
	_ "github.com/dsbench/dsbench/real/all"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailed      = 1   // a run failed, or a gate was crossed
	exitUsage       = 2   // bad input, found before anything ran
	exitInternal    = 3   // a bug in dsbench: a panic, never the user's input
	exitInterrupted = 130 // Ctrl-C; what was measured is still written
)

// App carries the streams of one invocation, so the whole CLI runs from tests
// through run(args, stdin, stdout, stderr).
type App struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Args           []string // the command line after "dsbench", recorded in results
	// ctx is the parent of every run's context; tests cancel it to
	// interrupt a run. nil means context.Background.
	ctx context.Context
	// code is the exit code a command asks for when it returns no error.
	code int
}

// commands holds the constructors of the subcommands; each command's file
// appends its own from an init function.
var commands []func(*App) *cobra.Command

// usageError marks bad input: exit status 2.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// usagef returns a usage error (exit 2).
func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// exitError carries an exit code other than 0, 1 or 2 with its message.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }

func newRoot(a *App) *cobra.Command {
	root := &cobra.Command{
		Use:   "dsbench",
		Short: "Benchmark distributed-systems algorithms and storage engines",
		Long: `dsbench generates workloads (Zipfian at any skew, hotspot, latest, bursty on/off,
MMPP, replayed traces) and replays them against in-process implementations of
distributed-systems algorithms and storage engines, on the wall clock or in
virtual time. It records HDR latency measured from each op's intended start
(free of coordinated omission), throughput and fairness, and writes tables,
CSV, JSON and the Go benchmark format.

Start with the tour:   dsbench run
See what is there:     dsbench list`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// --version (and -v) print what `dsbench version` prints.
	root.Version = versionLine()
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetOut(a.Stdout)
	root.SetErr(a.Stderr)
	root.SetIn(a.Stdin)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%v\nSee '%s --help'.", err, c.CommandPath())}
	})
	for _, mk := range commands {
		root.AddCommand(mk(a))
	}
	return root
}

// run executes one invocation and returns its exit status. A panic is a bug
// in dsbench, not bad input: it exits 3 with what to report (Go's own
// panic exit, 2, is the code for bad input).
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	a := &App{Stdin: stdin, Stdout: stdout, Stderr: stderr, Args: args}
	defer func() {
		if p := recover(); p != nil {
			results.RemoveTemps()
			internalError(stderr, a, p, debug.Stack())
			code = exitInternal
		}
	}()
	root := newRoot(a)
	root.SetArgs(args)
	return exitCode(a, root.Execute(), stderr)
}

// exitCode prints err and maps it to the exit status.
func exitCode(a *App, err error, stderr io.Writer) int {
	if err == nil {
		return a.code
	}
	fmt.Fprintln(stderr, "dsbench:", err)
	var ue usageError
	var ie *bench.InputError
	var ee exitError
	switch {
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, harness.ErrTargetBug):
		return exitInternal
	case errors.As(err, &ue), errors.As(err, &ie), isCobraUsage(err):
		return exitUsage
	}
	return exitFailed
}

// isCobraUsage recognises cobra's own argument errors (unknown command,
// wrong number of arguments), which it does not route through the flag
// error function.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "accepts ", "requires at least", "requires at most", "invalid argument", "unknown flag", "unknown shorthand"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// internalError reports a panic: what happened, where, and the command and
// seed that reproduce it.
func internalError(w io.Writer, a *App, p any, stack []byte) {
	seed := "the default seed (1)"
	for i, arg := range a.Args {
		if v, ok := strings.CutPrefix(arg, "--seed="); ok {
			seed = v
		} else if arg == "--seed" && i+1 < len(a.Args) {
			seed = a.Args[i+1]
		}
	}
	fmt.Fprintf(w, "dsbench: internal error: please report: %v\n", p)
	fmt.Fprintf(w, "reproduce with: %s   (seed: %s; %s)\n", commandLine(a), seed, versionLine())
	fmt.Fprintf(w, "report at https://github.com/dsbench/dsbench/issues with this message and the stack below\n\n%s", stack)
}
