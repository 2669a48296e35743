package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dsbench/dsbench/results"
	"github.com/dsbench/dsbench/results/compare"
	"github.com/dsbench/dsbench/workloads"
)

func init() { commands = append(commands, newCompareCmd) }

// compareFlags are the options compare and suite --baseline share.
type compareFlags struct {
	alpha   float64
	noise   string
	failOn  []string
	metrics []string
	ignore  []string
	format  string
	output  string
	pairBy  string
	across  bool // --across-targets: --pair-by workload
	// failOnMissing makes runs found on one side only (new, gone) fail
	// the gate (exit 1); by default they are listed and pass.
	failOnMissing bool
	// allowZeroBase lets relative gates pass rows whose base median is 0.
	allowZeroBase bool
}

func (f *compareFlags) bind(cmd *cobra.Command, withFormat bool) {
	cmd.Flags().Float64Var(&f.alpha, "alpha", 0.05, "significance level of the Mann–Whitney U test")
	cmd.Flags().StringVar(&f.noise, "noise", "2%", "noise band: changes smaller than this are never called")
	cmd.Flags().StringArrayVar(&f.failOn, "fail-on", nil, "gate, repeatable: exit 1 when METRIC crosses the change with significance (e.g. 'latency.p99>+5%', 'throughput<-3%'), or when the candidate's median crosses an absolute value ('latency.p99>5ms', 'errors>0')")
	cmd.Flags().StringArrayVar(&f.metrics, "metric", nil, "compare only these metrics (repeatable; default: throughput, latency.p50/p99/p999, service.p99 and every family metric)")
	cmd.Flags().StringArrayVar(&f.ignore, "ignore-param", nil, "pair runs that differ in this parameter (the change under test); repeatable")
	cmd.Flags().BoolVar(&f.allowZeroBase, "allow-zero-base", false, "let a relative gate pass a figure whose base median is 0 (by default a significant change from 0 cannot be judged and exits 1; gate such figures with an absolute threshold)")
	cmd.Flags().BoolVar(&f.failOnMissing, "fail-on-missing", false, "exit 1 when a run is in one file only (new or gone); by default they are listed and do not fail")
	if withFormat {
		cmd.Flags().StringVar(&f.format, "format", "table", "output: "+strings.Join(compare.Formats, "|"))
		cmd.Flags().StringVarP(&f.output, "output", "o", "", "also write the comparison to `FILE`, the format from its extension (.json .md .csv .txt) or named: FORMAT:FILE")
		cmd.Flags().StringVar(&f.pairBy, "pair-by", compare.PairAll, "what runs pair by: all (target, parameters, workload, clock) or workload (workload and clock: compare two targets or parameter sets)")
		cmd.Flags().BoolVar(&f.across, "across-targets", false, "pair runs by workload and clock regardless of target or parameters (= --pair-by workload)")
	}
}

// options validates the flags into compare.Options.
func (f *compareFlags) options() (compare.Options, error) {
	o := compare.Options{Alpha: f.alpha, Metrics: f.metrics, IgnoreParams: f.ignore, ListMissing: true, AllowZeroBase: f.allowZeroBase}
	if !(f.alpha > 0 && f.alpha < 1) { // NaN fails both

		return o, usagef("--alpha %g: must be between 0 and 1 (e.g. 0.05)", f.alpha)
	}
	noise, err := parseNoise(f.noise)
	if err != nil {
		return o, usagef("--noise %q: %v", f.noise, err)
	}
	o.Noise = noise
	if noise == 0 {
		o.Noise = -1 // no band at all
	}
	for _, e := range f.failOn {
		t, err := compare.ParseThreshold(e)
		if err != nil {
			return o, usagef("--fail-on: %v", err)
		}
		o.Gates = append(o.Gates, t)
	}
	if f.format != "" && !contains(compare.Formats, f.format) {
		return o, usagef("--format %q: valid: %s", f.format, strings.Join(compare.Formats, ", "))
	}
	o.PairBy = f.pairBy
	if f.across {
		if f.pairBy != "" && f.pairBy != compare.PairAll && f.pairBy != compare.PairWorkload {
			return o, usagef("--across-targets is --pair-by workload; it contradicts --pair-by %s", f.pairBy)
		}
		o.PairBy = compare.PairWorkload
	}
	if o.PairBy != "" && !contains(compare.PairByValues, o.PairBy) {
		return o, usagef("--pair-by %q: valid: %s", o.PairBy, strings.Join(compare.PairByValues, ", "))
	}
	return o, nil
}

// compareOutputExt maps a comparison file's extension to its format.
var compareOutputExt = map[string]string{".json": "json", ".md": "md", ".csv": "csv", ".txt": "table"}

// parseCompareOutput reads compare's -o: FORMAT:FILE, or FILE with the
// format from its extension, as run's -o does.
func parseCompareOutput(s string) (format, path string, err error) {
	if name, p, ok := strings.Cut(s, ":"); ok && contains(compare.Formats, name) {
		if p == "" {
			return "", "", usagef("-o %s: names format %s but no file", s, name)
		}
		return name, p, nil
	}
	ext := strings.ToLower(filepath.Ext(s))
	if f, ok := compareOutputExt[ext]; ok {
		return f, s, nil
	}
	return "", "", usagef("-o %s: cannot tell the format from the extension %q (known: .json .md .csv .txt); or name it: -o FORMAT:%s (formats: %s)",
		s, ext, s, strings.Join(compare.Formats, ", "))
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// parseNoise reads "2%" or a fraction such as 0.02.
func parseNoise(s string) (float64, error) {
	num, pct := strings.CutSuffix(strings.TrimSpace(s), "%")
	v, err := workloads.ParseNumber(num)
	if err != nil {
		return 0, errors.New("not a number: write it as 2% or 0.02")
	}
	if pct {
		v /= 100
	} else if v >= 1 {
		return 0, errors.New("a fraction must be below 1; write percentages with %")
	}
	if v < 0 || v >= 1 {
		return 0, errors.New("must be between 0% and 100%")
	}
	return v, nil
}

func newCompareCmd(a *App) *cobra.Command {
	var f compareFlags
	cmd := &cobra.Command{
		Use:   "compare BASE.json CANDIDATE.json",
		Short: "Compare two results with significance, and gate on thresholds",
		Long: `Compare pairs the runs of BASE and CANDIDATE by target, parameters, workload
and clock; each side's repetitions (dsbench run --runs K) are the samples.
To compare two variants measured on the same workload — two targets (p2c
against round-robin, Paxos against Raft) or two parameter sets — pair by
workload and clock alone: --pair-by workload (or --across-targets); each file
then holds one variant per workload.
For every metric it prints the medians, the change with a Hodges–Lehmann
confidence interval, the Mann–Whitney U p-value and a verdict: faster,
slower, ~ (no significant change, or one inside the noise band), higher or
lower (family metrics, whose good direction dsbench does not know), or
insufficient samples (with how many runs each side needs: 4 at α = 0.05).

Exit status: 0, or 1 when a --fail-on threshold is crossed with significance
(p < α), or 2 on bad input: files that measure different targets or
workloads, a bad threshold, or a gate that too few runs cannot decide.`,
		Example: `  dsbench run hashing/ring --runs 5 -o base.json
  dsbench run hashing/ring --runs 5 -o new.json
  dsbench compare base.json new.json --fail-on 'latency.p99>+5%' --fail-on 'throughput<-3%'
  dsbench compare base.json new.json --format md > comment.md
  dsbench compare sleep-1ms.json sleep-1.1ms.json --ignore-param service
  dsbench compare rr.json p2c.json --across-targets -o cmp.json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.markdownOnError(f.format, func() error { return a.compare(f, args) })
		},
	}
	f.bind(cmd, true)
	return cmd
}

func (a *App) compare(f compareFlags, args []string) error {
	o, err := f.options()
	if err != nil {
		return err
	}
	var out compareOutput
	if f.output != "" {
		if out.format, out.path, err = parseCompareOutput(f.output); err != nil {
			return err
		}
	}
	if out.path != "" {
		if err := results.CheckOutput(out.path, args[0], args[1]); err != nil {
			return usagef("-o %s: %v", f.output, err)
		}
	}
	base, err := readDoc(args[0])
	if err != nil {
		return err
	}
	cand, err := readDoc(args[1])
	if err != nil {
		return err
	}
	o.FailOnMissing = f.failOnMissing
	return a.compareDocs(base, cand, o, f.format, out)
}

// markdownOnError runs fn and, when it fails without having written to
// stdout and stdout is Markdown (a pull-request comment), writes the error
// as one summary line there: a CI gate that ends in bad input still leaves
// a comment that says why, never an empty one.
func (a *App) markdownOnError(format string, fn func() error) error {
	if format != "md" && format != "markdown" {
		return fn()
	}
	stdout := a.Stdout
	cw := &countingWriter{w: stdout}
	a.Stdout = cw
	err := fn()
	a.Stdout = stdout
	if err != nil && cw.n == 0 {
		code := exitCode(&App{}, err, io.Discard)
		fmt.Fprintf(stdout, "**ERROR** (exit %d): %s\n", code, strings.ReplaceAll(err.Error(), "\n", " "))
	}
	return err
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// readDoc reads a result file; a missing or malformed file is bad input.
func readDoc(path string) (*results.Document, error) {
	d, err := results.ReadFile(path)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return d, nil
}

// compareDocs compares, writes the comparison, and sets the exit code.
// compareOutput is compare's -o destination.
type compareOutput struct{ format, path string }

func (a *App) compareDocs(base, cand *results.Document, o compare.Options, format string, out compareOutput) error {
	res, err := compare.Compare(base, cand, o)
	if err != nil {
		return usagef("%v", err)
	}
	if format == "" {
		format = "table"
	}
	if err := compare.Write(a.Stdout, res, format); err != nil {
		return err
	}
	if out.path != "" {
		if err := results.WriteAtomic(out.path, func(w io.Writer) error { return compare.Write(w, res, out.format) }); err != nil {
			return err
		}
	}
	switch {
	case len(res.Failures) > 0:
		return exitError{exitFailed, fmt.Errorf("%d gate(s) crossed with significance: %s", len(res.Failures), strings.Join(res.Failures, "; "))}
	case res.Failed():
		return exitError{exitFailed, fmt.Errorf("%d gate(s) cannot judge a zero base: %s", len(res.ZeroBase), strings.Join(res.ZeroBase, "; "))}
	case len(res.Undecided) > 0:
		return usagef("gate(s) cannot be decided with so few runs (use --runs %d or more on both sides): %s",
			res.Need, strings.Join(res.Undecided, "; "))
	case res.MissingFails:
		return exitError{exitFailed, fmt.Errorf("--fail-on-missing: %d new and %d gone run(s): %s",
			len(res.New), len(res.Gone), strings.Join(append(append([]string(nil), res.New...), res.Gone...), "; "))}
	}
	a.code = exitOK
	return nil
}

func dirOf(path string) string {
	if i := strings.LastIndexByte(path, os.PathSeparator); i >= 0 {
		return path[:i+1]
	}
	return "."
}
