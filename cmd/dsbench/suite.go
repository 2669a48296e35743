package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/results"
	"github.com/dsbench/dsbench/results/compare"
	"github.com/dsbench/dsbench/workloads"
)

func init() { commands = append(commands, newSuiteCmd) }

// suite is a parsed suite file: the runs of its matrix and what to gate on.
type suite struct {
	Name  string
	Plans []RunOptions
	Lines []int // the line of each plan's entry, for errors
	Gates []compare.Threshold
	// PlanGates holds, per plan, the gates of an entry that sets its own
	// fail_on (replacing the top-level ones for its runs); nil inherits.
	PlanGates [][]compare.Threshold
	Alpha     float64 // 0: not set
	Noise     string  // "": not set
	Outputs   []string
}

// entryKeys are the keys a matrix entry (or the top level, as defaults) may
// set; topKeys are only valid at the top level.
var (
	entryKeys = []string{"name", "targets", "params", "workloads", "workload", "keys", "mix", "arrival", "clients",
		"rate", "trace", "ops", "duration", "warmup", "workers", "clock", "seed", "runs", "load", "value_size", "fail_on"}
	topKeys = []string{"alpha", "noise", "outputs", "matrix"}
)

// entry is one matrix entry before it becomes RunOptions.
type entry struct {
	line      int
	opts      RunOptions
	workloads []string
	params    map[string][]string
	gates     []compare.Threshold // own fail_on of a matrix entry
	ownGates  bool
}

func suiteErr(path string, n *yaml.Node, format string, args ...any) error {
	return usagef("%s:%d: %s", path, n.Line, fmt.Sprintf(format, args...))
}

// planSuite parses a suite file into the runs of its matrix. Every error
// names the file and line; unknown keys are errors, so a typo never runs a
// different benchmark than the one written.
func planSuite(path string, data []byte) (*suite, error) {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, usagef("%s: empty suite file", path)
		}
		return nil, usagef("%s: %v", path, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := extra.Line
		if err != nil {
			return nil, usagef("%s: after the suite: %v", path, err)
		}
		return nil, usagef("%s:%d: a second YAML document (after ---): a suite file holds one", path, line)
	}
	if len(root.Content) == 0 {
		return nil, usagef("%s: empty suite file", path)
	}
	if err := noDuplicateKeys(path, root.Content[0]); err != nil {
		return nil, err
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, suiteErr(path, top, "a suite is a mapping of keys (targets, params, workloads, runs, …)")
	}
	s := &suite{}
	base := entry{line: top.Line, params: map[string][]string{}}
	var matrix *yaml.Node
	var err error
	for i := 0; i < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		switch k.Value {
		case "fail_on":
			gs, err := parseGates(path, v)
			if err != nil {
				return nil, err
			}
			s.Gates = gs
		case "alpha":
			f, err := workloads.ParseNumber(v.Value)
			if err != nil || v.Kind != yaml.ScalarNode || f <= 0 || f >= 1 {
				return nil, suiteErr(path, v, "alpha: want a number between 0 and 1, got %q", v.Value)
			}
			s.Alpha = f
		case "noise":
			if _, err := parseNoise(v.Value); err != nil || v.Kind != yaml.ScalarNode {
				return nil, suiteErr(path, v, "noise %q: want a percentage such as 2%%", v.Value)
			}
			s.Noise = v.Value
		case "outputs":
			list, err := strings_(path, v)
			if err != nil {
				return nil, err
			}
			s.Outputs = list
		case "matrix":
			if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
				return nil, suiteErr(path, v, "matrix: want a non-empty list of entries")
			}
			matrix = v
		default:
			if err := base.set(path, k, v); err != nil {
				return nil, err
			}
		}
		if k.Value == "name" {
			s.Name = v.Value
		}
	}
	entries := []entry{base}
	if matrix != nil {
		entries = nil
		for _, m := range matrix.Content {
			if m.Kind != yaml.MappingNode {
				return nil, suiteErr(path, m, "a matrix entry is a mapping (targets, params, …)")
			}
			e := base.clone()
			e.line = m.Line
			for i := 0; i < len(m.Content); i += 2 {
				if m.Content[i].Value == "fail_on" {
					if e.gates, err = parseGates(path, m.Content[i+1]); err != nil {
						return nil, err
					}
					e.ownGates = true
					continue
				}
				if err := e.set(path, m.Content[i], m.Content[i+1]); err != nil {
					return nil, err
				}
			}
			entries = append(entries, e)
		}
	}
	for _, e := range entries {
		if len(e.opts.Targets) == 0 {
			return nil, usagef("%s:%d: no targets (list them under targets:; see dsbench list)", path, e.line)
		}
		ws := e.workloads
		if len(ws) == 0 {
			ws = []string{""}
		}
		for _, w := range ws {
			o := e.opts
			o.Workload = w
			o.Params = e.paramFlags()
			s.Plans = append(s.Plans, o)
			s.Lines = append(s.Lines, e.line)
			var own []compare.Threshold
			if e.ownGates {
				own = append([]compare.Threshold{}, e.gates...) // non-nil: [] turns gates off
			}
			s.PlanGates = append(s.PlanGates, own)
		}
	}
	return s, nil
}

// parseGates reads a fail_on list; errors name the line.
func parseGates(path string, v *yaml.Node) ([]compare.Threshold, error) {
	list, err := strings_(path, v)
	if err != nil {
		return nil, err
	}
	var gs []compare.Threshold
	for _, e := range list {
		t, err := compare.ParseThreshold(e)
		if err != nil {
			return nil, suiteErr(path, v, "fail_on: %v", err)
		}
		gs = append(gs, t)
	}
	return gs, nil
}

func (e entry) clone() entry {
	c := e
	c.opts.Targets = append([]string(nil), e.opts.Targets...)
	c.workloads = append([]string(nil), e.workloads...)
	c.params = map[string][]string{}
	for k, v := range e.params {
		c.params[k] = v
	}
	return c
}

// paramFlags renders the params as -p flags, sweeps as a|b|c.
func (e entry) paramFlags() []string {
	var out []string
	for k, vs := range e.params {
		out = append(out, k+"="+strings.Join(vs, "|"))
	}
	sort.Strings(out)
	return out
}

// set applies one key of an entry.
func (e *entry) set(path string, k, v *yaml.Node) error {
	o := &e.opts
	var err error
	switch k.Value {
	case "name":
		_, err = scalar(path, v)
	case "targets":
		o.Targets, err = strings_(path, v)
	case "workloads", "workload":
		e.workloads, err = strings_(path, v)
	case "params":
		if v.Kind != yaml.MappingNode {
			return suiteErr(path, v, "params: want a mapping of name: value or name: [values…] (a list sweeps)")
		}
		for i := 0; i < len(v.Content); i += 2 {
			list, err := strings_(path, v.Content[i+1])
			if err != nil {
				return err
			}
			for _, x := range list {
				if strings.Contains(x, "|") {
					return suiteErr(path, v.Content[i+1], "params: %s: write a sweep as a list, not %q", v.Content[i].Value, x)
				}
			}
			e.params[v.Content[i].Value] = list
		}
	case "keys":
		o.Keys, err = scalar(path, v)
	case "mix":
		o.Mix, err = scalar(path, v)
	case "arrival":
		o.Arrival, err = scalar(path, v)
	case "clients":
		o.Clients, err = scalar(path, v)
	case "trace":
		o.Trace, err = scalar(path, v)
	case "clock":
		var c string
		c, err = scalar(path, v)
		o.Clock = algorithms.Clock(c)
	case "seed":
		o.Seed, err = scalar(path, v)
	case "rate":
		o.Rate, err = number(path, v, k.Value)
	case "ops":
		o.Ops, err = positiveCount(path, v, k.Value)
	case "load":
		o.Load, err = positiveCount(path, v, k.Value)
	case "workers":
		o.Workers, err = integer(path, v, k.Value)
	case "runs":
		o.Runs, err = integer(path, v, k.Value)
		if err == nil && o.Runs == 0 {
			err = suiteErr(path, v, "runs: 0: want at least 1 repetition")
		}
	case "value_size":
		o.ValueSize, err = integer(path, v, k.Value)
	case "duration":
		o.Duration, err = duration(path, v, k.Value)
	case "warmup":
		o.Warmup, err = duration(path, v, k.Value)
	default:
		return suiteErr(path, k, "unknown key %q (valid: %s)", k.Value, strings.Join(append(append([]string(nil), entryKeys...), topKeys...), ", "))
	}
	return err
}

func scalar(path string, v *yaml.Node) (string, error) {
	if v.Kind != yaml.ScalarNode {
		return "", suiteErr(path, v, "want a single value, got a %s", kindName(v))
	}
	return v.Value, nil
}

// strings_ reads a scalar or a list of scalars.
func strings_(path string, v *yaml.Node) ([]string, error) {
	if v.Kind == yaml.ScalarNode {
		return []string{v.Value}, nil
	}
	if v.Kind != yaml.SequenceNode {
		return nil, suiteErr(path, v, "want a value or a list, got a %s", kindName(v))
	}
	var out []string
	for _, c := range v.Content {
		s, err := scalar(path, c)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// integer and number read a suite's numbers with the parser the command
// line and workload specs use (workloads.ParseCount, ParseNumber), so
// "ops: 1e6" and "ops: 1_000_000" mean what --ops 1e6 means.
func integer(path string, v *yaml.Node, key string) (int, error) {
	n, err := count(path, v, key)
	if err == nil && n > math.MaxInt32 {
		return 0, suiteErr(path, v, "%s: %q is too large", key, v.Value)
	}
	return int(n), err
}

// positiveCount is a count where 0 would mean nothing: an error, never
// "unset".
func positiveCount(path string, v *yaml.Node, key string) (uint64, error) {
	n, err := count(path, v, key)
	if err == nil && n == 0 {
		return 0, suiteErr(path, v, "%s: 0: want at least 1 (leave the key out instead)", key)
	}
	return n, err
}

func count(path string, v *yaml.Node, key string) (uint64, error) {
	if v.Kind != yaml.ScalarNode {
		return 0, suiteErr(path, v, "%s: want a non-negative whole number such as 1000, 1e6 or 1_000_000, got a %s", key, kindName(v))
	}
	n, err := workloads.ParseCount(v.Value)
	if err != nil {
		return 0, suiteErr(path, v, "%s: want a non-negative whole number such as 1000, 1e6 or 1_000_000, got %q", key, v.Value)
	}
	return n, nil
}

func number(path string, v *yaml.Node, key string) (float64, error) {
	if v.Kind != yaml.ScalarNode {
		return 0, suiteErr(path, v, "%s: want a non-negative number, got a %s", key, kindName(v))
	}
	f, err := workloads.ParseNumber(v.Value)
	if err != nil || f < 0 {
		return 0, suiteErr(path, v, "%s: want a non-negative number such as 5000 or 5e3, got %q", key, v.Value)
	}
	return f, nil
}

func duration(path string, v *yaml.Node, key string) (time.Duration, error) {
	d, err := time.ParseDuration(v.Value)
	if err != nil || v.Kind != yaml.ScalarNode || d < 0 {
		return 0, suiteErr(path, v, "%s: want a duration such as 2s or 500ms, got %q", key, v.Value)
	}
	return d, nil
}

func kindName(v *yaml.Node) string {
	switch v.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	return "value"
}

func newSuiteCmd(a *App) *cobra.Command {
	var f compareFlags
	var baseline string
	var outputs []string
	var quiet, check bool
	var runE func(*cobra.Command, []string) error
	cmd := &cobra.Command{
		Use:   "suite FILE.yaml",
		Short: "Run a benchmark matrix from a file, and gate it against a baseline",
		Long: `Suite runs the matrix a YAML file describes — targets, parameter sweeps,
workloads, repetitions, duration — as one result. With --baseline it then
compares the result with a stored one and sets the exit code from the
thresholds (fail_on: in the file, and --fail-on): 1 when one is crossed with
significance, 0 otherwise, 2 on bad input. Every key is checked before
anything runs; errors name the line.

  name: smoke
  targets: [builtin/noop, builtin/map]
  params: {}                 # name: value, or name: [v1, v2] to sweep
  workloads: [ycsb-a]
  runs: 5                    # repetitions: the samples compare needs (≥ 4)
  duration: 1s
  seed: 1
  fail_on: ["latency.p99>+10%", "throughput<-10%"]
  matrix:                    # optional: entries that override the top level
    - targets: [hashing/ring]
      params: {vnodes: [10, 100]}`,
		Example: `  dsbench suite scripts/suites/smoke.yaml -o base.json
  dsbench suite scripts/suites/smoke.yaml --baseline base.json --format md`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.markdownOnError(f.format, func() error { return runE(cmd, args) })
		},
	}
	runE = func(cmd *cobra.Command, args []string) error {
		data, err := os.ReadFile(args[0])
		if err != nil {
			return usagef("%v", err)
		}
		s, err := planSuite(args[0], data)
		if err != nil {
			return err
		}
		if !cmd.Flags().Changed("alpha") && s.Alpha != 0 {
			f.alpha = s.Alpha
		}
		if !cmd.Flags().Changed("noise") && s.Noise != "" {
			f.noise = s.Noise
		}
		// --fail-on gates every entry; fail_on: in the file is applied per entry.
		co, err := f.options()
		if err != nil {
			return err
		}
		if check {
			return a.checkSuite(args[0], s, append(s.Outputs, outputs...))
		}
		return a.runSuite(args[0], s, append(s.Outputs, outputs...), baseline, co, f.format, quiet, f.failOnMissing)
	}
	f.bind(cmd, false)
	cmd.Flags().StringVar(&f.format, "format", "table", "comparison output with --baseline: "+strings.Join(compare.Formats, "|"))
	cmd.Flags().StringVar(&baseline, "baseline", "", "compare with this stored result and gate on the thresholds")
	cmd.Flags().StringArrayVarP(&outputs, "output", "o", nil, "write the combined result to FILE or FORMAT:FILE (repeatable)")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress on stderr")
	cmd.Flags().BoolVar(&check, "check", false, "validate the file and every entry, print the plan, run nothing")
	return cmd
}

// checkSuite validates every entry and output as a run would and prints
// the plan.
func (a *App) checkSuite(path string, s *suite, outputs []string) error {
	if _, err := suiteOutputs(path, s, outputs, ""); err != nil {
		return err
	}
	total := 0
	for i, o := range s.Plans {
		ex, err := a.prepare(o)
		if err != nil {
			return usagef("%s:%d: %v", path, s.Lines[i], err)
		}
		labels := ex.plan.Labels()
		for _, l := range labels {
			fmt.Fprintf(a.Stdout, "%s:%d: %s\n", path, s.Lines[i], l)
		}
		total += len(labels)
	}
	fmt.Fprintf(a.Stdout, "%d runs, %d gates: ok\n", total, len(s.Gates))
	return nil
}

// suiteOutputs parses and checks the suite's outputs (its outputs: and -o):
// each must be writable and none may be one of the run's inputs.
func suiteOutputs(path string, s *suite, outputs []string, baseline string) ([]output, error) {
	var outs []output
	for _, o := range outputs {
		out, err := parseOutput(o)
		if err != nil {
			return nil, usagef("output %q: %v", o, err)
		}
		inputs := []string{path, baseline}
		for _, p := range s.Plans {
			inputs = append(inputs, p.Trace)
		}
		if err := results.CheckOutput(out.path, inputs...); err != nil {
			return nil, usagef("output %q: %v", o, err)
		}
		outs = append(outs, out)
	}
	return outs, nil
}

// runSuite validates every entry, runs them all into one document, writes
// it, and compares it with the baseline when one is given.
func (a *App) runSuite(path string, s *suite, outputs []string, baseline string, co compare.Options, format string, quiet, failOnMissing bool) error {
	var base *results.Document
	if baseline != "" {
		var err error
		if base, err = readDoc(baseline); err != nil {
			return err
		}
	}
	outs, err := suiteOutputs(path, s, outputs, baseline)
	if err != nil {
		return err
	}
	var exs []*execution
	for i, o := range s.Plans {
		o.Quiet = quiet
		ex, err := a.prepare(o)
		if err != nil {
			return usagef("%s:%d: %v", path, s.Lines[i], err)
		}
		exs = append(exs, ex)
	}
	parent := a.ctx
	if parent == nil {
		parent = context.Background()
	}
	ctx, stop := interruptible(parent, a.Stderr)
	defer stop()
	var doc *results.Document
	var runErrs []error
	co.KeyGates = map[compare.Key][]compare.Threshold{}
	gated := len(co.Gates) > 0
	for i, ex := range exs {
		prog := newProgress(a.Stderr, quiet)
		d, err := ex.plan.Execute(ctx, prog)
		prog.wait()
		if err != nil {
			runErrs = append(runErrs, err)
		}
		gates := s.Gates
		if s.PlanGates[i] != nil {
			gates = s.PlanGates[i]
		}
		for j := range d.Runs {
			k := compare.KeyOf(&d.Runs[j], co.IgnoreParams)
			if _, done := co.KeyGates[k]; !done {
				co.KeyGates[k] = gates
			}
		}
		gated = gated || len(gates) > 0
		if doc == nil {
			doc = d
		} else {
			doc.Runs = append(doc.Runs, d.Runs...)
			doc.Interrupted = doc.Interrupted || d.Interrupted
		}
		if d.Interrupted {
			break
		}
	}
	for i := range doc.Runs {
		doc.Runs[i].ID = fmt.Sprintf("r%d", i+1)
	}
	doc.Environment.Command = commandLine(a)
	var writeErrs []error // a failing output does not stop the others
	for _, out := range outs {
		if err := results.WriteFile(out.path, out.format, doc); err != nil {
			writeErrs = append(writeErrs, fmt.Errorf("writing %s: %w", out.path, err))
		}
	}
	if err := errors.Join(writeErrs...); err != nil {
		fmt.Fprintln(a.Stderr, "dsbench:", err)
		defer func() { a.code = max(a.code, exitFailed) }()
	}
	if doc.Interrupted {
		results.Write(a.Stdout, results.Table, doc)
		return exitError{exitInterrupted, errors.New("interrupted: the results so far were written, marked \"interrupted\"")}
	}
	if len(runErrs) > 0 {
		if format == "md" {
			fmt.Fprintf(a.Stdout, "**ERROR**: %d run(s) failed, nothing was compared\n\n", len(runErrs))
			results.Write(a.Stdout, results.MD, doc)
		} else {
			results.Write(a.Stdout, results.Table, doc)
		}
		return errors.Join(runErrs...)
	}
	if base == nil {
		if gated {
			fmt.Fprintln(a.Stderr, "note: no --baseline given; the thresholds were not checked")
		}
		return results.Write(a.Stdout, results.Table, doc)
	}
	co.ListMissing, co.AllowNoCommon, co.FailOnMissing = true, true, failOnMissing
	return a.compareDocs(base, doc, co, format, compareOutput{})
}

// noDuplicateKeys refuses a mapping that sets a key twice anywhere in the
// file: YAML parsers keep the last value silently.
func noDuplicateKeys(path string, n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if first, dup := seen[k.Value]; dup {
				return suiteErr(path, k, "key %q is set twice (first on line %d)", k.Value, first)
			}
			seen[k.Value] = k.Line
		}
	}
	for _, c := range n.Content {
		if err := noDuplicateKeys(path, c); err != nil {
			return err
		}
	}
	return nil
}
