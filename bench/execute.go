package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/results"
)

// Execute runs every planned run in order and returns the document. A run
// that fails is recorded with its error and the others go on (the returned
// error then lists the failures); ctx cancellation ends the current run
// early, keeps what it measured and skips the rest, marking the document
// interrupted. prog may be nil.
func (p *Plan) Execute(ctx context.Context, prog Progress) (*results.Document, error) {
	if prog == nil {
		prog = noProgress{}
	}
	doc := &results.Document{
		Schema:      results.SchemaVersion,
		Environment: results.NewEnvironment(Version, Commit(), time.Now()),
	}
	var failed []string
	bug := false
	for i, r := range p.runs {
		if ctx.Err() != nil {
			doc.Interrupted = true
			break
		}
		run, err := p.executeOne(ctx, r, i, prog)
		if err != nil {
			run.Error = err.Error()
			failed = append(failed, fmt.Sprintf("%s: %v", r.label(), err))
			bug = bug || errors.Is(err, harness.ErrTargetBug)
		}
		doc.Runs = append(doc.Runs, run)
		if run.Interrupted {
			doc.Interrupted = true
			break
		}
	}
	if len(failed) > 0 {
		return doc, runsFailed{fmt.Sprintf("%d of %d runs failed:\n  %s", len(failed), len(p.runs), strings.Join(failed, "\n  ")), bug}
	}
	return doc, nil
}

// runsFailed lists the runs that failed; it is a harness.ErrTargetBug when
// one of them failed for a bug in its target, so the CLI exits 3.
type runsFailed struct {
	msg string
	bug bool
}

func (e runsFailed) Error() string        { return e.msg }
func (e runsFailed) Is(target error) bool { return e.bug && target == harness.ErrTargetBug }

// executeOne builds the target, loads it, runs it, closes it and
// summarises the report.
func (p *Plan) executeOne(ctx context.Context, r *planned, i int, prog Progress) (results.Run, error) {
	meta := results.RunMeta{
		ID:           fmt.Sprintf("r%d", i+1),
		Target:       r.info.Name,
		Params:       r.params.Map(),
		ParamsSet:    sortedKeys(r.paramsRaw),
		Workload:     r.spec.String(),
		WorkloadName: r.specName,
		Seed:         r.seed,
		Clock:        string(r.clock),
		Repetition:   r.repetition,
		Workers:      workersUsed(p.opts.Workers, r.spec.Closed() && p.trace == nil),
		Shard:        p.opts.Shard,
	}
	if p.trace != nil {
		// What ran is the trace, not the generated spec.
		meta.Workload = "trace:file=" + p.opts.Trace
	}
	j := &job{clock: r.clock, spec: r.spec, trace: p.trace, shard: p.shard, seed: r.seed, o: p.opts}
	j.o.Load = p.loadFor(r)
	env := algorithms.Env{
		Params: r.params, Seed: j.runSeed(), Clock: r.clock, Workload: r.spec, Workers: max(p.opts.Workers, 1),
		InFlight: workersUsed(p.opts.Workers, r.spec.Closed() && p.trace == nil),
	}
	var bar RunProgress
	if tp, ok := prog.(TimedProgress); ok {
		warmup, measured := p.wallLength(r)
		bar = tp.StartTimed(r.label(), i, len(p.runs), p.expectedOps(r), warmup, measured)
	} else {
		bar = prog.Start(r.label(), i, len(p.runs), p.expectedOps(r))
	}
	j.progress = bar.Set
	fail := func(err error) (results.Run, error) {
		bar.Abort()
		return results.NewRun(meta, &harness.Report{}), err
	}
	interrupted := func() (results.Run, error) {
		bar.Abort()
		return results.NewRun(meta, &harness.Report{Interrupted: true}), nil
	}
	target, err := buildContext(ctx, r.info, env)
	if errors.Is(err, ErrInterrupted) {
		return interrupted()
	}
	if err != nil {
		return fail(fmt.Errorf("building the target: %w", err))
	}
	rep, err := j.run(ctx, target)
	if c, ok := target.(io.Closer); ok && !r.own {
		if cerr := c.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("closing the target: %w", cerr)
		}
	}
	if errors.Is(err, ErrInterrupted) {
		return interrupted()
	}
	if err == nil && rep == nil {
		err = errors.New("the harness returned no report")
	}
	if err != nil {
		return fail(err)
	}
	bar.Done(rep)
	run := results.NewRun(meta, rep)
	if c := rep.Check; c != nil && c.Violations > 0 {
		return run, fmt.Errorf("linearizability: %d of %d keys violated (seed %d): %s", c.Violations, c.Keys, r.seed, c.First)
	}
	return run, nil
}

// tourLoadMax is the largest keyspace the tour loads before a run.
const tourLoadMax = 100_000

// loadFor is the load phase of a run: Load as given, or in the tour a load
// of the whole (small) keyspace, so that a storage target's reads find
// their records, as after YCSB's load phase.
func (p *Plan) loadFor(r *planned) uint64 {
	if p.tour && p.opts.Load == 0 && r.spec.KeySpace() <= tourLoadMax {
		return r.spec.KeySpace()
	}
	return p.opts.Load
}

// expectedOps guesses a run's op count for progress; 0 = unknown.
func (p *Plan) expectedOps(r *planned) uint64 {
	if p.opts.Ops > 0 {
		return shareOps(p.opts.Ops, p.shard)
	}
	if rate := r.spec.Rate(); rate > 0 && p.opts.Duration > 0 {
		return uint64(rate * p.opts.Duration.Seconds() / float64(p.shard.Of))
	}
	return 0
}

// wallLength is a run's warm-up and measured length on the wall clock when
// it ends by time, else 0, 0 (see TimedProgress).
func (p *Plan) wallLength(r *planned) (warmup, measured time.Duration) {
	if p.opts.Ops > 0 || p.trace != nil || r.clock != algorithms.Wall {
		return 0, 0
	}
	return p.opts.Warmup, p.opts.Duration
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
