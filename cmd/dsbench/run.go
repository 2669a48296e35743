package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dsbench/dsbench/results"
	"github.com/dsbench/dsbench/results/compare"
)

func init() { commands = append(commands, newRunCmd) }

const runLong = `Run one or more targets against a workload and report latency, throughput and
fairness. With no TARGET, run the tour: one default target of every family on
a short workload.

Latency is measured from each op's intended start (the arrival process's
schedule), so queueing behind a slow op is counted: no coordinated omission.
Service time (done - sent) is reported beside it. In a closed loop there is no
schedule and latency = service.

Workload (-w) is a preset (ycsb-a … ycsb-f) or a spec of space-separated
tokens; --keys, --mix, --arrival and --clients override one part of it:
  -w 'keys=zipf:theta=1.2,n=1e7 mix=read:0.9,update:0.1 arrival=poisson:rate=5000'
See 'dsbench list' for targets, parameters, distributions and presets.

Parameters (-p) are per target; '|' sweeps a parameter, and several swept
parameters form the cross product:
  -p nodes=10 -p 'vnodes=10|100|1000'

Output: a table on stdout (--format), and any number of files with -o; the
format comes from the extension (.json .jsonl .csv .md .txt=Go benchmark
.hlog .hgrm) or is named: -o csv-long:runs.csv. Files are written to a
temporary name and renamed, so an interrupted run never leaves a torn file.

Thresholds: --fail-on 'latency.p99>5ms' --fail-on 'errors>0' --fail-on
'throughput<1e5' exit 1 naming every crossed threshold and run (the grammar of
compare's gates, with absolute values; times take a unit).

--check records every client operation of a target that promises
linearizable operations (consensus, quorum stores) and checks the history
per key with porcupine after the run: the metric linearizability_violations
counts the keys that fail, and a violation fails the run (exit 1), naming the
key and a minimal window of its history.

Exit status: 0 ok, 1 a run failed, a --fail-on threshold was crossed or --check found a violation, 2 bad input (nothing ran), 130 interrupted
(what was measured is still written, marked "interrupted").`

const runExample = `  dsbench run                                   # the tour
  dsbench run builtin/map -w ycsb-b --duration 5s
  dsbench run hashing/ring hashing/jump -w keys=zipf:theta=0.99,n=1e6 -p nodes=10
  dsbench run builtin/stall --arrival constant:rate=2000 -p pause=200ms -p every=1s
  dsbench run builtin/sleep --clock virtual -p 'service=exp:mean=1ms|exp:mean=2ms' --runs 5 -o out.json`

func newRunCmd(a *App) *cobra.Command {
	var o RunOptions
	var failOn []string
	cmd := &cobra.Command{
		Use:     "run [TARGET...]",
		Short:   "Run targets against a workload (no TARGET: the tour)",
		Long:    runLong,
		Example: runExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Targets = args
			if err := checkGivenFlags(cmd, o); err != nil {
				return err
			}
			for _, e := range failOn {
				g, err := compare.ParseThreshold(e)
				if err == nil && !g.Absolute {
					_, err = compare.CheckRuns(nil, []compare.Threshold{g})
				}
				if err != nil {
					return usagef("--fail-on: %v", err)
				}
				o.FailOn = append(o.FailOn, g)
			}
			return a.runCommand(o)
		},
		ValidArgsFunction: completeTargets,
	}
	bindRunFlags(cmd, &o)
	cmd.Flags().StringArrayVar(&failOn, "fail-on", nil, "absolute threshold, repeatable: exit 1 when a run's figure crosses it, e.g. 'latency.p99>5ms', 'errors>0', 'throughput<1e5' (compare's grammar; relative METRIC>+N% gates need a baseline: dsbench compare)")
	cmd.Flags().BoolVar(&o.Compare, "compare", false, "after the runs, compare the two variants (two targets, or one parameter's two values) as 'dsbench compare --pair-by workload' does: medians, change, p-value, verdict (needs --runs 4 or more)")
	return cmd
}

// bindRunFlags declares the flags of run (shared with suite overrides).
func bindRunFlags(cmd *cobra.Command, o *RunOptions) {
	f := cmd.Flags()
	f.StringVarP(&o.Workload, "workload", "w", "", "workload: a preset (ycsb-a … ycsb-f) or a spec (default: each target's own)")
	f.StringVar(&o.Keys, "keys", "", "key distribution, e.g. zipf:theta=0.99,n=1e6 (overrides the workload's)")
	f.StringVar(&o.Mix, "mix", "", "op mix, e.g. read:0.9,update:0.1")
	f.StringVar(&o.Arrival, "arrival", "", "arrival process, e.g. poisson:rate=5000 or closed")
	f.StringVar(&o.Clients, "clients", "", "client spread, e.g. zipf:theta=0.8,n=1000")
	f.VarP(numberValue{&o.Rate}, "rate", "r", "mean arrival rate in ops/s, e.g. 5000 or 5e3 (makes a closed workload open: constant rate)")
	f.StringVar(&o.Trace, "trace", "", "replay the op stream in `FILE` (CSV or binary, from 'dsbench gen') instead of generating one")
	f.StringArrayVarP(&o.Params, "param", "p", nil, "target parameter `key=value`; key=a|b|c sweeps it (repeatable)")
	f.VarP(countValue{&o.Ops}, "ops", "n", "measured ops per run, e.g. 1e6 (default: run for --duration)")
	f.DurationVarP(&o.Duration, "duration", "d", 0, "measured time per run (default 3s; 1s per target in the tour; virtual time on the virtual clock)")
	f.DurationVar(&o.Warmup, "warmup", 0, "warm-up before each run, measured separately and discarded")
	f.IntVarP(&o.Workers, "workers", "c", 0, "concurrent workers (wall clock) or closed-loop clients (virtual); 0 = default")
	f.StringVar((*string)(&o.Clock), "clock", "", "wall or virtual (default: each target's own)")
	f.StringVar(&o.Seed, "seed", "", "root seed, or \"random\" (default 1); the same seed replays the same op stream")
	f.BoolVar(&o.Check, "check", false, "record the client history of targets that promise linearizability and check it (porcupine, per key); a violation exits 1 naming the key")
	f.IntVar(&o.Runs, "runs", 1, "repetitions of each run (for compare: 5 or more)")
	f.Var(countValue{&o.Load}, "load", "insert `N` records before the measured phase (storage targets, as YCSB's load)")
	f.IntVar(&o.ValueSize, "value-size", 0, "value bytes for writes (default: the workload's size)")
	f.StringVar(&o.Shard, "shard", "", "run shard `k/n` of the load (k from 0); merge the results with 'dsbench merge'")
	f.StringVar(&o.Format, "format", "table", "stdout format: "+strings.Join(stdoutFormatNames(), "|"))
	f.StringArrayVarP(&o.Outputs, "output", "o", nil, "write results to `FILE` (format from the extension) or FORMAT:FILE (repeatable)")
	f.StringVar(&o.Columns, "columns", "", "csv and xlsx: exactly these columns, in order (`LIST`, comma-separated, e.g. run_id,param.vnodes,latency_ns_p99), so appended files line up")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "no progress on stderr")
	_ = cmd.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return stdoutFormatNames(), cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc("param", completeParams)
	_ = cmd.RegisterFlagCompletionFunc("workload", completeWorkload)
	_ = cmd.RegisterFlagCompletionFunc("clock", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"wall", "virtual"}, cobra.ShellCompDirectiveNoFileComp
	})
}

// tourFooter tells a new user where to go after the tour (on stderr, so
// stdout stays a clean table).
const tourFooter = `
That was the tour: one default target of each family, on its own short workload.
Next:
  dsbench list                          every target, its parameters, presets and distributions
  dsbench run hashing/ring hashing/jump -w keys=zipf:theta=0.99,n=1e6 -p nodes=10
  dsbench run builtin/stall --arrival constant:rate=2000 -p pause=200ms -p every=1s
  dsbench run --help                    flags, output formats (-o results.json / .csv / .md / .txt)
`

// checkGivenFlags rejects values that are only wrong when typed: 0 is the
// "not set" default of --rate, --runs, --ops and --load, but 0 on the
// command line is a mistake, not a request for the default.
func checkGivenFlags(cmd *cobra.Command, o RunOptions) error {
	if cmd.Flags().Changed("rate") && o.Rate <= 0 {
		return usagef("--rate %g: must be positive (ops/s)", o.Rate)
	}
	if cmd.Flags().Changed("runs") && o.Runs < 1 {
		return usagef("--runs %d: must be at least 1", o.Runs)
	}
	if cmd.Flags().Changed("ops") && o.Ops == 0 {
		return usagef("--ops 0: must be at least 1 (leave --ops out to run for --duration)")
	}
	if cmd.Flags().Changed("load") && o.Load == 0 {
		return usagef("--load 0: must be at least 1 (leave --load out for no load phase)")
	}
	if cmd.Flags().Changed("duration") && o.Duration <= 0 {
		return usagef("--duration %v: must be positive", o.Duration)
	}
	return nil
}

// formatNames lists every format (for -o); stdoutFormatNames those --format
// takes (no binary ones).
func formatNames() []string {
	var out []string
	for _, f := range results.Formats() {
		out = append(out, string(f))
	}
	return out
}

func stdoutFormatNames() []string {
	var out []string
	for _, f := range results.Formats() {
		if !f.Binary() {
			out = append(out, string(f))
		}
	}
	return out
}

// runCommand validates, runs, writes, and picks the exit code.
func (a *App) runCommand(o RunOptions) error {
	ex, err := a.prepare(o)
	if err != nil {
		return err
	}
	if o.Compare {
		if err := checkCompare(ex); err != nil {
			return err
		}
	}
	parent := a.ctx
	if parent == nil {
		parent = context.Background()
	}
	ctx, stop := interruptible(parent, a.Stderr)
	defer stop()
	prog := newProgress(a.Stderr, o.Quiet)
	doc, runErr := ex.plan.Execute(ctx, prog)
	prog.wait()
	if err := a.emit(ex, doc); err != nil {
		return err
	}
	if ctx.Err() != nil && !doc.Interrupted {
		// Interrupted while writing: the files are whole (each is renamed
		// into place when complete), but the command did not finish.
		return exitError{exitInterrupted, errors.New("interrupted while writing the results")}
	}
	warnFellBehind(a, doc)
	if o.Compare && runErr == nil && !doc.Interrupted {
		if err := a.compareVariants(ex, doc); err != nil {
			return err
		}
	}
	if ex.plan.Tour() && !o.Quiet && runErr == nil && !doc.Interrupted {
		fmt.Fprint(a.Stderr, tourFooter)
	}
	if doc.Interrupted {
		return exitError{exitInterrupted, errors.New("interrupted: the results so far were written, marked \"interrupted\"")}
	}
	if runErr != nil {
		return runErr
	}
	runs := make([]*results.Run, len(doc.Runs))
	for i := range doc.Runs {
		runs[i] = &doc.Runs[i]
	}
	if failures, _ := compare.CheckRuns(runs, o.FailOn); len(failures) > 0 {
		return exitError{exitFailed, fmt.Errorf("--fail-on: %d threshold(s) crossed: %s", len(failures), strings.Join(failures, "; "))}
	}
	return nil
}

// warnFellBehind says on stderr, one line per run, that an open-loop
// generator could not keep its schedule: the table marks such runs with ~,
// but a figure read from a file or a script's log must not pass for the
// target's own latency unnoticed.
func warnFellBehind(a *App, doc *results.Document) {
	for _, r := range doc.Runs {
		if r.FellBehind != "" {
			fmt.Fprintf(a.Stderr, "warning: %s %s: the generator fell behind: %s; latency includes its lag\n", r.ID, r.Target, r.FellBehind)
		}
	}
}

// emit writes the document to every -o file, then to stdout: files first,
// because a reader that closes stdout early (| head) ends the process with
// SIGPIPE, and the files are what must not be lost.
func (a *App) emit(ex *execution, doc *results.Document) error {
	doc.Environment.Command = commandLine(a)
	var errs []error
	for _, out := range ex.outputs {
		if err := results.WriteFileWith(out.path, out.format, doc, ex.write); err != nil {
			errs = append(errs, fmt.Errorf("writing %s: %w", out.path, err))
		}
	}
	if err := results.WriteWith(a.Stdout, ex.stdout, doc, ex.write); err != nil {
		errs = append(errs, fmt.Errorf("writing %s to stdout: %w", ex.stdout, err))
	}
	return errors.Join(errs...) // a failing output does not stop the others
}
