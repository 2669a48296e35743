package main

import (
	crand "crypto/rand"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/results"
	"github.com/dsbench/dsbench/workloads"
)

// Defaults of `dsbench run`.
const (
	defaultDuration     = 3 * time.Second // explicit targets, when neither --ops nor --duration is given
	defaultTourDuration = time.Second     // per target in the tour
)

// execution is a validated plan: everything that can be wrong with the input
// has been found before the first run starts (DESIGN.md rule 7).
type execution struct {
	opts    RunOptions
	runs    []*planned
	trace   []workloads.Op
	shard   workloads.Part
	root    uint64
	outputs []output
	stdout  results.Format
	tour    bool
}

// output is one -o destination.
type output struct {
	format results.Format
	path   string
}

// prepare validates opts and expands them into runs.
func (a *App) prepare(opts RunOptions) (*execution, error) {
	ex := &execution{opts: opts}
	var err error

	if opts.Ops == 0 && opts.Duration == 0 {
		if len(opts.Targets) == 0 {
			ex.opts.Duration = defaultTourDuration
		} else {
			ex.opts.Duration = defaultDuration
		}
	}
	if opts.Duration < 0 {
		return nil, usagef("--duration %v: must be positive", opts.Duration)
	}
	if opts.Warmup < 0 {
		return nil, usagef("--warmup %v: must not be negative", opts.Warmup)
	}
	if opts.Workers < 0 {
		return nil, usagef("--workers %d: must be at least 1 (or 0 for the default)", opts.Workers)
	}
	if opts.Runs < 0 {
		return nil, usagef("--runs %d: must be at least 1", opts.Runs)
	}
	if ex.opts.Runs == 0 {
		ex.opts.Runs = 1
	}
	if opts.Rate < 0 {
		return nil, usagef("--rate %g: must be positive (ops/s)", opts.Rate)
	}
	if opts.ValueSize < 0 {
		return nil, usagef("--value-size %d: must not be negative", opts.ValueSize)
	}
	var clock algorithms.Clock
	switch opts.Clock {
	case "":
	case string(algorithms.Wall), string(algorithms.Virtual):
		clock = algorithms.Clock(opts.Clock)
	default:
		return nil, usagef("--clock %q: valid clocks are wall, virtual", opts.Clock)
	}
	if ex.shard, err = parseShard(opts.Shard); err != nil {
		return nil, err
	}
	var printed bool
	if ex.root, printed, err = parseSeed(opts.Seed, randomSeed); err != nil {
		return nil, err
	}
	if printed {
		fmt.Fprintf(a.Stderr, "seed: %d (reproduce with --seed %d)\n", ex.root, ex.root)
	}
	format := opts.Format
	if format == "" {
		format = "table"
	}
	if ex.stdout, err = results.ParseFormat(format); err != nil {
		return nil, usageError{fmt.Errorf("--format: %w", err)}
	}
	for _, o := range opts.Outputs {
		out, err := parseOutput(o)
		if err != nil {
			return nil, err
		}
		ex.outputs = append(ex.outputs, out)
	}
	if opts.Trace != "" {
		f, err := os.Open(opts.Trace)
		if err != nil {
			return nil, usagef("--trace: %v", err)
		}
		ex.trace, err = workloads.ReadTrace(f)
		f.Close()
		if err != nil {
			return nil, usagef("--trace %s: %v", opts.Trace, err)
		}
		if len(ex.trace) == 0 {
			return nil, usagef("--trace %s: the trace holds no ops", opts.Trace)
		}
	}

	// A trace with no --ops or --duration replays whole.
	if ex.trace != nil && opts.Ops == 0 && opts.Duration == 0 {
		ex.opts.Ops = uint64(len(ex.trace))
		ex.opts.Duration = 0
	}

	// Targets: the named ones, or the tour.
	var infos []*algorithms.Info
	if len(opts.Targets) == 0 {
		ex.tour = true
		infos = algorithms.Tour()
	}
	for _, name := range opts.Targets {
		info, err := algorithms.Lookup(name)
		if err != nil {
			return nil, usageError{err}
		}
		infos = append(infos, info)
	}

	sweeps, err := parseParams(opts.Params)
	if err != nil {
		return nil, err
	}
	for _, s := range sweeps {
		known := false
		for _, info := range infos {
			for _, p := range info.Params {
				known = known || p.Name == s.name
			}
		}
		if !known {
			return nil, usagef("-p %s: no target of this run has that parameter (%s)", s.name, paramNames(infos))
		}
	}

	for _, info := range infos {
		c := clock
		if c == "" {
			c = info.Clocks()[0]
		}
		if opts.Load > 0 && !info.Loads {
			return nil, usagef("--load %d: %s has no load phase (targets with one: %s)", opts.Load, info.Name, loaders())
		}
		if !info.Supports(c) {
			return nil, usagef("%s does not run on the %s clock (it supports: %s)", info.Name, c, clockList(info))
		}
		spec, name, err := ex.workloadFor(info)
		if err != nil {
			return nil, err
		}
		// Only the parameters this target declares apply to it.
		var mine []sweep
		for _, s := range sweeps {
			for _, p := range info.Params {
				if p.Name == s.name {
					mine = append(mine, s)
				}
			}
		}
		for _, combo := range crossProduct(mine) {
			params, err := info.Resolve(combo)
			if err != nil {
				return nil, usageError{err}
			}
			for rep := 0; rep < ex.opts.Runs; rep++ {
				ex.runs = append(ex.runs, &planned{
					info: info, params: params, paramsRaw: combo, clock: c,
					spec: spec, specName: name, repetition: rep, seed: repetitionSeed(ex.root, rep),
				})
			}
		}
	}
	return ex, nil
}

// workloadFor resolves the workload a target runs: -w (or the target's own
// default), then the --keys/--mix/--arrival/--clients overrides, --rate and
// --value-size.
func (ex *execution) workloadFor(info *algorithms.Info) (workloads.Spec, string, error) {
	o := ex.opts
	base := o.Workload
	if base == "" {
		base = info.Workload
	}
	if base == "" {
		base = algorithms.DefaultWorkload
	}
	text := base
	for _, ov := range []struct{ key, val string }{
		{"keys", o.Keys}, {"mix", o.Mix}, {"arrival", o.Arrival}, {"clients", o.Clients},
	} {
		if ov.val != "" {
			text += " " + ov.key + "=" + ov.val
		}
	}
	if o.ValueSize > 0 {
		text += fmt.Sprintf(" size=const:n=%d", o.ValueSize)
	}
	spec, err := workloads.ParseSpec(text)
	if err != nil {
		return spec, "", usagef("workload %q: %v", text, err)
	}
	// As YCSB's recordcount, --load N sets the keyspace too, so reads hit
	// the loaded records; --keys given explicitly wins.
	if o.Load > 0 && o.Keys == "" {
		if s, err := spec.WithKeySpace(o.Load); err == nil {
			spec = s
		}
	}
	if o.Rate > 0 {
		if spec, err = spec.WithRate(o.Rate); err != nil {
			return spec, "", usagef("--rate %g: %v", o.Rate, err)
		}
	}
	name := "custom"
	if text == base && isPreset(base) {
		name = base
	} else if o.Workload == "" && info.Workload != "" && text == base {
		name = "default"
	}
	if ex.trace != nil {
		name = "trace"
	}
	return spec, name, nil
}

func isPreset(s string) bool {
	for _, p := range workloads.Presets() {
		if p == s {
			return true
		}
	}
	return false
}

func paramNames(infos []*algorithms.Info) string {
	var parts []string
	for _, info := range infos {
		var names []string
		for _, p := range info.Params {
			names = append(names, p.Name)
		}
		if len(names) == 0 {
			names = []string{"none"}
		}
		parts = append(parts, info.Name+": "+strings.Join(names, ", "))
	}
	return strings.Join(parts, "; ")
}

func clockList(info *algorithms.Info) string {
	var cs []string
	for _, c := range info.Clocks() {
		cs = append(cs, string(c))
	}
	return strings.Join(cs, ", ")
}

func randomSeed() uint64 {
	var b [8]byte
	_, _ = crand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:]) >> 1
}

// parseOutput reads -o FILE (format from the extension) or -o FORMAT:FILE,
// and checks that the file's directory exists, so a long run cannot end
// with nowhere to write.
func parseOutput(s string) (output, error) {
	out, err := parseOutputFormat(s)
	if err != nil {
		return out, err
	}
	dir := filepath.Dir(out.path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return output{}, usagef("-o %s: directory %s does not exist", s, dir)
	}
	return out, nil
}

func parseOutputFormat(s string) (output, error) {
	if s == "" || s == "-" {
		return output{}, usagef("-o: want a file name (stdout takes --format)")
	}
	// "nope:runs.csv" is far more likely a mistyped format than a file name
	// with a colon: say so rather than guess from the extension.
	if name, _, ok := strings.Cut(s, ":"); ok && name != "" && !strings.ContainsAny(name, `/\.`) {
		if _, err := results.ParseFormat(name); err != nil {
			return output{}, usageError{fmt.Errorf("-o %s: %w", s, err)}
		}
	}
	f, path, err := results.ParseOutput(s)
	if err != nil {
		return output{}, usageError{fmt.Errorf("-o %s: %w (or name the format: -o csv-long:%s)", s, err, s)}
	}
	return output{format: f, path: path}, nil
}

// loaders names the targets that take --load.
func loaders() string {
	var names []string
	for _, i := range algorithms.All() {
		if i.Loads {
			names = append(names, i.Name)
		}
	}
	return strings.Join(names, ", ")
}
