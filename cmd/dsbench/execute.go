package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/results"
	"github.com/dsbench/dsbench/workloads"
)

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
