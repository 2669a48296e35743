package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// Build constructs the registered target name as a run does: its parameters
// resolved against their declarations (defaults filled, Check run), for
// o.Clock (default: the target's own), with o.Seed as its seed and
// max(o.Workers, 1) workers, for workload (a preset or spec; "" = none). It
// returns a harness.Target (wall clock) or a harness.SimTarget (virtual
// time); the caller closes it if it is an io.Closer.
func Build(name string, params map[string]string, workload string, o Options) (any, error) {
	info, err := algorithms.Lookup(name)
	if err != nil {
		return nil, input(err)
	}
	p, err := info.Resolve(params)
	if err != nil {
		return nil, input(err)
	}
	var ws workloads.Spec
	if workload != "" {
		if ws, err = workloads.ParseSpec(workload); err != nil {
			return nil, inputf("workload %q: %v", workload, err)
		}
	}
	clock := o.Clock
	if clock == "" {
		clock = info.Clocks()[0]
	}
	if !info.Supports(clock) {
		return nil, inputf("%s does not run on the %s clock (it supports: %s)", name, clock, clockList(info))
	}
	return build(info, algorithms.Env{Params: p, Seed: o.Seed, Clock: clock, Workload: ws, Workers: max(o.Workers, 1),
		InFlight: workersUsed(o.Workers, ws.Closed())})
}

// build calls the constructor of env's clock.
func build(info *algorithms.Info, env algorithms.Env) (any, error) {
	if env.Clock == algorithms.Virtual {
		return info.NewSim(env)
	}
	return info.NewWall(env)
}

// ErrInterrupted is returned when ctx was done during the load phase or
// the target's construction: the run measured nothing.
var ErrInterrupted = errors.New("interrupted before the measured phase")

// buildContext is build, abandoned when ctx is done first (Ctrl-C while a
// large target is built: hashing/ring with nodes=65536 takes half a
// minute). The construction goes on in the background and the target is
// closed when it is done, in case the process lives on; a panic in it is a
// target bug (exit 3).
func buildContext(ctx context.Context, info *algorithms.Info, env algorithms.Env) (any, error) {
	type built struct {
		t   any
		err error
	}
	ch := make(chan built, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				ch <- built{nil, fmt.Errorf("%w: building %s panicked: %v\n%s", harness.ErrTargetBug, info.Name, p, debug.Stack())}
			}
		}()
		t, err := build(info, env)
		ch <- built{t, err}
	}()
	select {
	case b := <-ch:
		return b.t, b.err
	case <-ctx.Done():
		go func() {
			if b := <-ch; b.err == nil {
				if c, ok := b.t.(io.Closer); ok {
					c.Close()
				}
			}
		}()
		return nil, ErrInterrupted
	}
}

// Measure runs a target already built (Build, or your own) once on spec,
// exactly as a planned run does — the loop (closed when spec is), the op
// stream of o.Seed and its shard o.Shard, the client count, o.Load's load
// phase — and returns the raw report the results are summarised from. A
// target that is both a harness.SimTarget and a harness.Target runs in
// virtual time unless o.Clock is wall. The caller closes the target.
func Measure(ctx context.Context, target any, spec workloads.Spec, o Options) (*harness.Report, error) {
	shard, err := ParseShard(o.Shard)
	if err != nil {
		return nil, err
	}
	j := &job{clock: o.Clock, spec: spec, shard: shard, seed: o.Seed, o: o}
	if o.Trace != "" {
		if j.trace, err = readTrace(o.Trace); err != nil {
			return nil, err
		}
	}
	return j.run(ctx, target)
}

// job is one run of one built target: what the harness is asked.
type job struct {
	clock    algorithms.Clock // "" = virtual if the target can, else wall
	spec     workloads.Spec
	trace    []workloads.Op // replayed instead of spec's generator, if set
	shard    workloads.Part
	seed     uint64  // the op stream's seed (the repetition's)
	o        Options // Ops (of the whole load), Duration, Warmup, Workers, Load, ValueSize, Shards
	progress func(uint64)
}

// runSeed is the seed of the run's own randomness (service times, the
// target's seed): a shard's must differ from its siblings', or n shards
// would repeat one shard's draws.
func (j *job) runSeed() uint64 {
	if j.shard.Of > 1 {
		return harness.DeriveSeed(j.seed, uint64(j.shard.Index)+1)
	}
	return j.seed
}

// run loads the target and runs it through the harness on its clock.
func (j *job) run(ctx context.Context, target any) (*harness.Report, error) {
	cfg := harness.Config{
		Source:   j.source(),
		Closed:   j.spec.Closed() && j.trace == nil,
		Workers:  j.o.Workers,
		Ops:      shareOps(j.o.Ops, j.shard),
		Duration: j.o.Duration,
		Warmup:   j.o.Warmup,
		Seed:     j.runSeed(),
		Shards:   j.o.Shards,
		Clients:  j.spec.Clients(),
		Progress: j.progress,
		Check:    j.o.Check, CheckLimit: j.o.CheckLimit,
	}
	st, sim := target.(harness.SimTarget)
	wt, wall := target.(harness.Target)
	switch {
	case sim && j.clock != algorithms.Wall:
		if err := j.load(ctx, target); err != nil {
			return nil, err
		}
		return harness.RunSim(ctx, st, cfg)
	case wall && j.clock != algorithms.Virtual:
		if err := j.load(ctx, target); err != nil {
			return nil, err
		}
		return harness.RunWall(ctx, wt, cfg)
	}
	return nil, fmt.Errorf("%T is not a target for the %q clock", target, j.clock)
}

// load runs the target's load phase when one is asked for; a ContextLoader
// stops when ctx is done (the run is then interrupted before it measured).
func (j *job) load(ctx context.Context, target any) error {
	if j.o.Load == 0 {
		return nil
	}
	size := j.o.ValueSize
	if size == 0 {
		size = 100
	}
	var err error
	switch l := target.(type) {
	case harness.ContextLoader:
		err = l.LoadContext(ctx, j.o.Load, size)
	case harness.Loader:
		err = l.Load(j.o.Load, size)
	default:
		return nil
	}
	if err != nil && ctx.Err() != nil {
		return ErrInterrupted
	}
	if err != nil {
		return fmt.Errorf("load phase: %w", err)
	}
	return nil
}

// source returns the op stream factory of a run: worker part k of W of
// shard s of n is global part s·W+k of n·W, so shards on several machines
// together replay exactly the unsharded stream's parts.
func (j *job) source() func(workloads.Part) (workloads.Source, error) {
	return func(part workloads.Part) (workloads.Source, error) {
		global := workloads.Part{
			Index: j.shard.Index*part.Of + part.Index,
			Of:    j.shard.Of * part.Of,
		}
		if j.trace != nil {
			return workloads.NewTraceSource(j.trace, global), nil
		}
		g, err := j.spec.Generator(j.seed, global)
		if err != nil {
			return nil, err
		}
		return g, nil
	}
}

// shareOps is shard k of n's part of n ops: n/of, one more for the first
// n mod of shards, so the shards together run exactly n ops.
func shareOps(n uint64, p workloads.Part) uint64 {
	q := n / uint64(p.Of)
	if uint64(p.Index) < n%uint64(p.Of) {
		q++
	}
	return q
}
