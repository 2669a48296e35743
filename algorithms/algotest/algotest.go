// Package algotest holds helpers for the families' tests: build a registered
// target and run it through package bench, the path every dsbench run takes
// (resolve and check its parameters, parse the workload, construct it for a
// clock, run it through the harness), failing the test on any error.
package algotest

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/bench"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// Options are one test run's settings; zero values mean the defaults noted.
type Options struct {
	Clock    algorithms.Clock // default: the target's default clock
	Ops      uint64           // measured ops; 0 = until Duration
	Duration time.Duration    // measured time; 0 = until Ops
	Seed     uint64           // the run's seed, and the target's
	Shards   int              // harness.Config.Shards
	// Workers is harness.Config.Workers; the target's Env gets at least 1,
	// as in the CLI.
	Workers int
	// Timeout, if positive, bounds the run in wall time: a run it cuts short
	// (a liveness bug) fails the test.
	Timeout time.Duration
	// Check records the clients' history and checks it for
	// linearizability (run --check); the verdict is Report.Check.
	Check bool
}

// Params looks up the named target and resolves raw against its parameters
// (Check included).
func Params(t testing.TB, name string, raw map[string]string) algorithms.Params {
	t.Helper()
	info, err := algorithms.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := info.Resolve(raw)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Spec parses a workload spec.
func Spec(t testing.TB, spec string) workloads.Spec {
	t.Helper()
	ws, err := workloads.ParseSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// Source is the harness's op source for ws with the run's seed.
func Source(ws workloads.Spec, seed uint64) func(workloads.Part) (workloads.Source, error) {
	return func(part workloads.Part) (workloads.Source, error) { return ws.Generator(seed, part) }
}

// New builds the named target with raw parameters for the workload spec
// (empty: none) on o.Clock, through bench.Build as every dsbench run does. It
// returns a harness.Target (wall clock) or a harness.SimTarget (virtual
// time), or the error of whichever step failed.
func New(name string, raw map[string]string, spec string, o Options) (any, error) {
	return bench.Build(name, raw, spec, bench.Options{Clock: o.Clock, Seed: o.Seed, Workers: o.Workers})
}

// Build is New, failing the test on an error.
func Build(t testing.TB, name string, raw map[string]string, spec string, o Options) any {
	t.Helper()
	target, err := New(name, raw, spec, o)
	if err != nil {
		t.Fatal(err)
	}
	return target
}

// RunTarget runs target on ws through bench.Measure, as every dsbench run
// does: harness.RunSim (a harness.SimTarget, unless o.Clock is Wall) or
// harness.RunWall, the loop closed if ws is, its clients. The caller keeps
// the target (and closes it).
func RunTarget(t testing.TB, target any, ws workloads.Spec, o Options) *harness.Report {
	t.Helper()
	ctx := context.Background()
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	rep, err := bench.Measure(ctx, target, ws, bench.Options{
		Clock: o.Clock, Ops: o.Ops, Duration: o.Duration, Seed: o.Seed, Shards: o.Shards, Workers: o.Workers,
		Check: o.Check,
	})
	if err == nil && rep == nil {
		err = errors.New("algotest: the harness returned no report")
	}
	if err != nil {
		t.Fatal(err)
	}
	if rep.Interrupted {
		var m map[string]float64
		if mt, ok := target.(harness.Metricser); ok {
			m = mt.Metrics()
		}
		t.Fatalf("seed %d: the run did not finish in %v (%d of %d ops): no liveness; metrics %v", o.Seed, o.Timeout, rep.Ops, o.Ops, m)
	}
	return rep
}

// Run builds the named target as the CLI does, runs it on the workload spec
// and closes it if it is an io.Closer; any error fails the test.
func Run(t testing.TB, name string, raw map[string]string, spec string, o Options) *harness.Report {
	t.Helper()
	target := Build(t, name, raw, spec, o)
	if c, ok := target.(io.Closer); ok {
		defer func() {
			if err := c.Close(); err != nil {
				t.Errorf("closing %s: %v", name, err)
			}
		}()
	}
	if o.Clock == "" {
		// RunTarget picks the clock from the target's type; a target that
		// is both picks the default clock New built it for.
		info, _ := algorithms.Lookup(name)
		o.Clock = info.Clocks()[0]
	}
	return RunTarget(t, target, Spec(t, spec), o)
}
