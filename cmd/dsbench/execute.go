package main

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
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

// execute runs every planned run in order and returns the document. A run
// that fails is recorded with its error and the others go on; ctx
// cancellation ends the current run early and skips the rest.
func (a *App) execute(ctx context.Context, ex *execution, prog progress) (*results.Document, error) {
	doc := &results.Document{
		Schema:      results.SchemaVersion,
		Environment: results.NewEnvironment(version, commit(), time.Now()),
	}
	var failed []string
	for i, p := range ex.runs {
		if ctx.Err() != nil {
			doc.Interrupted = true
			break
		}
		run, err := a.executeOne(ctx, ex, p, i, prog)
		if err != nil {
			run.Error = err.Error()
			failed = append(failed, fmt.Sprintf("%s: %v", p.label(), err))
		}
		doc.Runs = append(doc.Runs, run)
		if run.Interrupted {
			doc.Interrupted = true
			break
		}
	}
	if len(failed) > 0 {
		return doc, fmt.Errorf("%d of %d runs failed:\n  %s", len(failed), len(ex.runs), strings.Join(failed, "\n  "))
	}
	return doc, nil
}

// executeOne builds the target, loads it, runs it and summarises the report.
func (a *App) executeOne(ctx context.Context, ex *execution, p *planned, i int, prog progress) (results.Run, error) {
	meta := results.RunMeta{
		ID:           fmt.Sprintf("r%d", i+1),
		Target:       p.info.Name,
		Params:       p.params.Map(),
		ParamsSet:    sortedKeys(p.paramsRaw),
		Workload:     p.spec.String(),
		WorkloadName: p.specName,
		Seed:         p.seed,
		Clock:        string(p.clock),
		Repetition:   p.repetition,
		Workers:      workersUsed(ex.opts.Workers, p.spec.Closed() && ex.trace == nil),
	}
	if ex.opts.Shard != "" {
		meta.Shard = ex.opts.Shard
	}
	if ex.trace != nil {
		// What ran is the trace, not the generated spec.
		meta.Workload = "trace:file=" + ex.opts.Trace
	}
	fail := func(err error) (results.Run, error) {
		return results.NewRun(meta, &harness.Report{}), err
	}
	// A shard's own randomness (service times, target seeds) must differ
	// from its siblings', or n shards would repeat one shard's draws.
	seed := p.seed
	if ex.shard.Of > 1 {
		seed = harness.DeriveSeed(p.seed, uint64(ex.shard.Index)+1)
	}
	env := algorithms.Env{
		Params: p.params, Seed: seed, Clock: p.clock, Workload: p.spec, Workers: max(ex.opts.Workers, 1),
	}
	cfg := harness.Config{
		Source:   ex.sourceFor(p),
		Closed:   p.spec.Closed() && ex.trace == nil,
		Workers:  ex.opts.Workers,
		Ops:      shareOps(ex.opts.Ops, ex.shard),
		Duration: ex.opts.Duration,
		Warmup:   ex.opts.Warmup,
		Seed:     seed,
		Clients:  p.spec.Clients(),
	}
	bar := prog.start(p.label(), i, len(ex.runs), expectedOps(ex, p))
	cfg.Progress = bar.set
	var rep *harness.Report
	var target any
	var err error
	switch p.clock {
	case algorithms.Wall:
		var t harness.Target
		if t, err = p.info.NewWall(env); err != nil {
			bar.abort()
			return fail(fmt.Errorf("building the target: %w", err))
		}
		target = t
		if err = load(t, ex.loadFor(p)); err == nil {
			rep, err = harness.RunWall(ctx, t, cfg)
		}
	case algorithms.Virtual:
		var t harness.SimTarget
		if t, err = p.info.NewSim(env); err != nil {
			bar.abort()
			return fail(fmt.Errorf("building the target: %w", err))
		}
		target = t
		if err = load(t, ex.loadFor(p)); err == nil {
			rep, err = harness.RunSim(ctx, t, cfg)
		}
	}
	if c, ok := target.(io.Closer); ok {
		if cerr := c.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("closing the target: %w", cerr)
		}
	}
	if err != nil || rep == nil {
		bar.abort()
		if err == nil {
			err = errors.New("the harness returned no report")
		}
		return fail(err)
	}
	bar.done(rep)
	return results.NewRun(meta, rep), nil
}

// tourLoadMax is the largest keyspace the tour loads before a run.
const tourLoadMax = 100_000

// loadFor is the options a run's load phase uses: --load as given, or in
// the tour a load of the whole (small) keyspace, so that a storage
// target's reads find their records, as after YCSB's load phase.
func (ex *execution) loadFor(p *planned) RunOptions {
	o := ex.opts
	if ex.tour && o.Load == 0 && p.spec.KeySpace() <= tourLoadMax {
		o.Load = p.spec.KeySpace()
	}
	return o
}

// load runs the target's load phase when --load asks for one.
func load(t any, o RunOptions) error {
	if o.Load == 0 {
		return nil
	}
	l, ok := t.(harness.Loader)
	if !ok {
		return nil
	}
	size := o.ValueSize
	if size == 0 {
		size = 100
	}
	if err := l.Load(o.Load, size); err != nil {
		return fmt.Errorf("load phase: %w", err)
	}
	return nil
}

// sourceFor returns the op stream factory of a run: worker part k of W of
// shard s of n is global part s·W+k of n·W, so shards on several machines
// together replay exactly the unsharded stream's parts.
func (ex *execution) sourceFor(p *planned) func(workloads.Part) (workloads.Source, error) {
	return func(part workloads.Part) (workloads.Source, error) {
		global := workloads.Part{
			Index: ex.shard.Index*part.Of + part.Index,
			Of:    ex.shard.Of * part.Of,
		}
		if ex.trace != nil {
			return workloads.NewTraceSource(ex.trace, global), nil
		}
		g, err := p.spec.Generator(p.seed, global)
		if err != nil {
			return nil, err
		}
		return g, nil
	}
}

// expectedOps guesses a run's op count for the progress bar; 0 = unknown.
func expectedOps(ex *execution, p *planned) uint64 {
	if ex.opts.Ops > 0 {
		return shareOps(ex.opts.Ops, ex.shard)
	}
	if r := p.spec.Rate(); r > 0 && ex.opts.Duration > 0 {
		return uint64(r * ex.opts.Duration.Seconds() / float64(ex.shard.Of))
	}
	return 0
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
	if name, path, ok := strings.Cut(s, ":"); ok && name != "" && path != "" && !strings.ContainsAny(name, `/\.`) {
		f, err := results.ParseFormat(name)
		if err != nil {
			return output{}, usageError{fmt.Errorf("-o %s: %w", s, err)}
		}
		return output{format: f, path: path}, nil
	}
	f, err := results.FormatForPath(s)
	if err != nil {
		return output{}, usageError{fmt.Errorf("-o %s: %w (or name the format: -o csv-long:%s)", s, err, s)}
	}
	return output{format: f, path: s}, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// workersUsed is what results record as the run's workers: the closed
// loop's worker count (1 by default), or the open loop's cap on ops in
// flight (0 = the pool grows as needed).
func workersUsed(flag int, closed bool) int {
	if flag == 0 && closed {
		return 1
	}
	return flag
}

// shareOps is shard k of n's part of --ops N: N/n, one more for the first
// N mod n shards, so the shards together run exactly N ops.
func shareOps(n uint64, p workloads.Part) uint64 {
	q := n / uint64(p.Of)
	if uint64(p.Index) < n%uint64(p.Of) {
		q++
	}
	return q
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
