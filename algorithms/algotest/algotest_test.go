package algotest_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
	_ "github.com/dsbench/dsbench/algorithms/builtin"
	"github.com/dsbench/dsbench/harness"
)

const spec = "mix=read:1 keys=uniform:n=100 arrival=poisson:rate=1000"

// Both builtin targets on both clocks: the run does the ops it was asked
// for, with no errors, and a run by duration stops at its duration.
func TestRunBothClocks(t *testing.T) {
	for _, name := range []string{"builtin/noop", "builtin/sleep"} {
		for _, clock := range []algorithms.Clock{algorithms.Virtual, algorithms.Wall} {
			rep := algotest.Run(t, name, map[string]string{}, spec, algotest.Options{Clock: clock, Ops: 200, Seed: 3})
			if rep.Ops != 200 || rep.Errors != 0 {
				t.Errorf("%s on %s: ops %d errors %d, want 200 and 0", name, clock, rep.Ops, rep.Errors)
			}
		}
	}
	rep := algotest.Run(t, "builtin/sleep", nil, spec, algotest.Options{Clock: algorithms.Virtual, Duration: 2 * time.Second, Seed: 1})
	if rep.Ops < 1700 || rep.Ops > 2300 || rep.Duration < 2*time.Second || rep.Duration > 2100*time.Millisecond {
		t.Errorf("2 s at 1000/s in virtual time: %d ops in %v", rep.Ops, rep.Duration)
	}
}

// With no clock the target's default is used: builtin/sleep's is the wall
// clock, so its run takes real time, about Ops × the 1 ms service.
func TestRunDefaultClock(t *testing.T) {
	start := time.Now()
	rep := algotest.Run(t, "builtin/sleep", map[string]string{"service": "const:d=2ms"}, "mix=read:1 keys=uniform:n=10 arrival=closed",
		algotest.Options{Ops: 20, Seed: 1, Workers: 1})
	if rep.Ops != 20 || rep.Loop != "closed" || time.Since(start) < 40*time.Millisecond {
		t.Errorf("default clock: %d ops, loop %s, in %v; want 20 closed-loop ops in at least 40ms of real time", rep.Ops, rep.Loop, time.Since(start))
	}
}

// One seed gives one virtual-time run.
func TestRunDeterministic(t *testing.T) {
	o := algotest.Options{Clock: algorithms.Virtual, Ops: 500, Seed: 9}
	a := algotest.Run(t, "builtin/sleep", nil, spec, o)
	b := algotest.Run(t, "builtin/sleep", nil, spec, o)
	algotest.SameRun(t, "builtin/sleep", a, b)

	// SameRun can fail: another seed, or one changed figure.
	c := algotest.Run(t, "builtin/sleep", nil, spec, algotest.Options{Clock: algorithms.Virtual, Ops: 500, Seed: 10})
	if f := observe(func(tb testing.TB) { algotest.SameRun(tb, "seeds", a, c) }); !f.failed {
		t.Error("SameRun passed two runs with different seeds")
	}
	b.Metrics = map[string]float64{"max_queue": -1}
	if f := observe(func(tb testing.TB) { algotest.SameRun(tb, "metric", a, b) }); !f.failed && len(a.Metrics) > 0 {
		t.Error("SameRun passed a changed metric")
	}
}

// Build and RunTarget: a target built once, run by the caller.
func TestBuildThenRunTarget(t *testing.T) {
	o := algotest.Options{Clock: algorithms.Virtual, Ops: 100, Seed: 2}
	st, ok := algotest.Build(t, "builtin/noop", nil, spec, o).(harness.SimTarget)
	if !ok {
		t.Fatal("builtin/noop on the virtual clock is not a harness.SimTarget")
	}
	if rep := algotest.RunTarget(t, st, algotest.Spec(t, spec), o); rep.Ops != 100 {
		t.Errorf("ops %d, want 100", rep.Ops)
	}
	if p := algotest.Params(t, "builtin/stall", map[string]string{"pause": "2s"}); p.Duration("every") != 5*time.Second {
		t.Errorf("every = %v, want the default 5s", p.Duration("every"))
	}
}

// fakeTB records what a helper reports; Fatal ends the goroutine, as the
// real one does.
type fakeTB struct {
	testing.TB
	failed bool
	msgs   []string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.failed = true
	f.msgs = append(f.msgs, fmt.Sprintf(format, args...))
}
func (f *fakeTB) Fatal(args ...any) {
	f.failed = true
	f.msgs = append(f.msgs, fmt.Sprint(args...))
	runtime.Goexit()
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = true
	f.msgs = append(f.msgs, fmt.Sprintf(format, args...))
	runtime.Goexit()
}

// observe runs fn with a fake TB on its own goroutine and returns what it
// reported.
func observe(fn func(testing.TB)) *fakeTB {
	f := &fakeTB{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f
}

// Every bad input fails the test, with a message that says why.
func TestRunFails(t *testing.T) {
	for _, c := range []struct {
		what, name string
		raw        map[string]string
		spec       string
		o          algotest.Options
		want       string
	}{
		{"unknown target", "builtin/nope", nil, spec, algotest.Options{Ops: 1}, "builtin/nope"},
		{"unknown parameter", "builtin/sleep", map[string]string{"bogus": "1"}, spec, algotest.Options{Ops: 1}, "bogus"},
		{"bad value", "builtin/sleep", map[string]string{"service": "gauss:mean=1ms"}, spec, algotest.Options{Ops: 1}, "service"},
		{"failed Check", "builtin/stall", map[string]string{"pause": "5s", "every": "1s"}, spec, algotest.Options{Ops: 1}, "pause"},
		{"bad workload", "builtin/noop", nil, "mix=nothing:1", algotest.Options{Ops: 1}, "nothing"},
		{"no stop", "builtin/noop", nil, spec, algotest.Options{Clock: algorithms.Virtual}, "Ops or Config.Duration"},
		{"unsupported clock", "builtin/noop", nil, spec, algotest.Options{Clock: "lunar", Ops: 1}, "lunar"},
	} {
		reached := false
		f := observe(func(tb testing.TB) {
			algotest.Run(tb, c.name, c.raw, c.spec, c.o)
			reached = true
		})
		if !f.failed || reached || len(f.msgs) != 1 || !strings.Contains(f.msgs[0], c.want) {
			t.Errorf("%s: failed %v, went on %v, messages %q; want one fatal mentioning %q", c.what, f.failed, reached, f.msgs, c.want)
		}
	}
	if f := observe(func(tb testing.TB) { algotest.Run(tb, "builtin/noop", nil, spec, algotest.Options{Ops: 10}) }); f.failed {
		t.Errorf("a good run failed: %q", f.msgs)
	}
}

// A run the timeout cuts short fails: the liveness check.
func TestRunTimeout(t *testing.T) {
	f := observe(func(tb testing.TB) {
		algotest.Run(tb, "builtin/sleep", map[string]string{"service": "const:d=10ms"}, "mix=read:1 keys=uniform:n=10 arrival=closed",
			algotest.Options{Clock: algorithms.Wall, Ops: 1000, Workers: 1, Timeout: 50 * time.Millisecond})
	})
	if !f.failed || len(f.msgs) != 1 || !strings.Contains(f.msgs[0], "did not finish") {
		t.Errorf("a run cut short by its timeout: failed %v, messages %q", f.failed, f.msgs)
	}
}

// ResolveCases fails a case refused with the wrong message, one accepted
// that must be refused, and one refused that must be accepted.
func TestResolveCasesFails(t *testing.T) {
	ok := observe(func(tb testing.TB) {
		algotest.ResolveCases(tb, "builtin/sleep", map[string]string{"service=gauss:mean=1ms": "service", "service=exp:mean=1ms": ""})
	})
	if ok.failed {
		t.Errorf("good cases failed: %q", ok.msgs)
	}
	for _, c := range []map[string]string{
		{"service=gauss:mean=1ms": "no such text"},
		{"service=exp:mean=1ms": "service"},
		{"service=gauss:mean=1ms": ""},
	} {
		if f := observe(func(tb testing.TB) { algotest.ResolveCases(tb, "builtin/sleep", c) }); !f.failed {
			t.Errorf("%v passed", c)
		}
	}
}
