package bench_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	_ "github.com/dsbench/dsbench/algorithms/builtin"
	"github.com/dsbench/dsbench/bench"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/results"
	"github.com/dsbench/dsbench/workloads"
)

// probed counts the calls of testonly/probed's Preflight.
var probed atomic.Int64

func init() {
	algorithms.Register(algorithms.Info{
		Name:        "testonly/probed",
		Description: "a target whose server is unreachable when addr=down (bench tests only)",
		Params: []algorithms.Param{
			{Name: "addr", Type: algorithms.String, Default: "127.0.0.1:1", Doc: "address"},
			{Name: "n", Type: algorithms.Int, Default: "1", Doc: "anything"},
		},
		NewWall: func(algorithms.Env) (harness.Target, error) { return &counter{}, nil },
		Preflight: func(p algorithms.Params) error {
			probed.Add(1)
			if p.String("addr") == "down" {
				return errors.New("cannot reach down")
			}
			return nil
		},
		CheckWorkload: func(ws workloads.Spec) error {
			if ws.Has(workloads.Scan) {
				return errors.New("scans mean nothing here")
			}
			return nil
		},
	})
}

// The README shows the package example verbatim.
func TestREADMEShowsTheExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "<!-- bench/example_test.go -->\n```go\n")
	block, _, ok2 := strings.Cut(block, "```")
	if !ok || !ok2 {
		t.Fatal("README.md has no ```go block after <!-- bench/example_test.go -->")
	}
	// The README shows the file from its imports on, less the comment that
	// says it is the README's.
	body := string(src)
	imports, note, cached := strings.Index(body, "import ("), strings.Index(body, "// The README's"), strings.Index(body, "// cache is the code under test")
	if imports < 0 || note < imports || cached < note {
		t.Fatal("example_test.go lost its shape: imports, the README note, then the code")
	}
	body = body[imports:note] + body[cached:]
	if strings.TrimSpace(block) != strings.TrimSpace(body) {
		t.Errorf("README.md's library example differs from bench/example_test.go:\n--- README\n%s\n--- example_test.go\n%s", block, body)
	}
}

// counter is a wall-clock target that also loads and closes, to show which
// of those a run calls on a target the caller owns.
type counter struct {
	ops, loaded atomic.Uint64
	closed      atomic.Bool
}

func (c *counter) Do(time.Duration, *workloads.Op) harness.Outcome {
	c.ops.Add(1)
	return harness.Outcome{Shard: harness.NoShard}
}
func (c *counter) Load(n uint64, _ int) error { c.loaded.Store(n); return nil }
func (c *counter) Close() error               { c.closed.Store(true); return nil }

// Your own target: every op reaches it, the load phase runs, the results
// carry its name, and the run leaves it open (it is the caller's).
func TestRunOwnTarget(t *testing.T) {
	c := &counter{}
	doc, err := bench.Run(context.Background(), c, "ycsb-c", bench.Options{Ops: 3000, Workers: 3, Load: 500, Runs: 2, Name: "mine"})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Runs) != 2 || doc.Runs[0].Target != "mine" || doc.Runs[0].Ops != 3000 || doc.Runs[1].Ops != 3000 {
		t.Fatalf("runs %d, first %s %d ops", len(doc.Runs), doc.Runs[0].Target, doc.Runs[0].Ops)
	}
	if c.ops.Load() != 6000 || c.loaded.Load() != 500 || c.closed.Load() {
		t.Errorf("target saw %d ops (want 6000), load %d (want 500), closed %v (want false)", c.ops.Load(), c.loaded.Load(), c.closed.Load())
	}
	// --load sets the keyspace, as YCSB's recordcount.
	if !strings.Contains(doc.Runs[0].Workload, "n=500") {
		t.Errorf("workload %q: want the keyspace of the 500 loaded records", doc.Runs[0].Workload)
	}
	// Unnamed, it is called by its Go type.
	doc, err = bench.Run(context.Background(), c, "ycsb-c", bench.Options{Ops: 10})
	if err != nil || doc.Runs[0].Target != "bench_test.counter" {
		t.Errorf("unnamed target: %v, name %q", err, doc.Runs[0].Target)
	}
}

// A registered target by name, in virtual time: one seed, one document
// (environment aside), byte for byte; another seed, another.
func TestRunRegisteredIsDeterministic(t *testing.T) {
	o := bench.Options{Clock: algorithms.Virtual, Ops: 3000, Seed: 5, Params: []string{"service=exp:mean=1ms"}}
	const w = "ycsb-a arrival=poisson:rate=2000"
	a := runJSON(t, "builtin/sleep", w, o)
	if a != runJSON(t, "builtin/sleep", w, o) {
		t.Error("two virtual-time runs with one seed differ")
	}
	o.Seed = 6
	if a == runJSON(t, "builtin/sleep", w, o) {
		t.Error("two seeds gave one result")
	}
}

func runJSON(t *testing.T, target any, w string, o bench.Options) string {
	t.Helper()
	doc, err := bench.Run(context.Background(), target, w, o)
	if err != nil {
		t.Fatal(err)
	}
	doc.Environment = results.Environment{}
	var b bytes.Buffer
	if err := results.Write(&b, results.JSON, doc); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// Measure (the path algotest takes) and Run (the CLI's) measure one run
// identically.
func TestMeasureIsRun(t *testing.T) {
	o := bench.Options{Clock: algorithms.Virtual, Ops: 2000, Seed: 9}
	const w = "ycsb-b arrival=poisson:rate=5000"
	doc, err := bench.Run(context.Background(), "builtin/sleep", w, o)
	if err != nil {
		t.Fatal(err)
	}
	target, err := bench.Build("builtin/sleep", nil, w, o)
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := workloads.ParseSpec(w)
	rep, err := bench.Measure(context.Background(), target, spec, o)
	if err != nil {
		t.Fatal(err)
	}
	got := results.NewRun(results.RunMeta{}, rep)
	if got.Ops != 2000 || got.LatencyNs != doc.Runs[0].LatencyNs || got.Histogram != doc.Runs[0].Histogram {
		t.Errorf("Measure %+v, Run %+v", got.LatencyNs, doc.Runs[0].LatencyNs)
	}
}

// Bad input is an *InputError found before anything runs, naming the bad
// value; the unreachable-server check comes last, once per parameter set.
func TestInputErrors(t *testing.T) {
	for _, c := range []struct {
		target any
		w      string
		o      bench.Options
		want   string
	}{
		{"no/such", "", bench.Options{}, "builtin/noop"},
		{"builtin/noop", "", bench.Options{Params: []string{"nosuch=1"}}, "nosuch"},
		{"builtin/sleep", "", bench.Options{Params: []string{"service=gauss"}}, "service"},
		{"builtin/noop", "", bench.Options{Clock: "lunar"}, "wall, virtual"},
		{"builtin/noop", "", bench.Options{Duration: -time.Second}, "--duration"},
		{"builtin/noop", "", bench.Options{Shard: "3/3"}, "k/n"},
		{"builtin/noop", "", bench.Options{Load: 10}, "no load phase"},
		{"builtin/noop", "keys=zipfy", bench.Options{}, "zipfy"},
		{42, "", bench.Options{}, "harness.Target"},
		{"testonly/probed", "", bench.Options{Params: []string{"addr=up|down"}}, "testonly/probed: cannot reach down"},
		{"testonly/probed", "ycsb-e", bench.Options{}, "testonly/probed: workload \"ycsb-e\": scans mean nothing here"},
	} {
		doc, err := bench.Run(context.Background(), c.target, c.w, c.o)
		var ie *bench.InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), c.want) || doc != nil {
			t.Errorf("%v %q %+v: error %v, want an InputError mentioning %q", c.target, c.w, c.o, err, c.want)
		}
	}
	probed.Store(0)
	if _, err := bench.NewPlan([]any{"testonly/probed", "builtin/noop"}, "", bench.Options{Runs: 3, Params: []string{"n=1|2"}}); err != nil {
		t.Fatal(err)
	}
	if n := probed.Load(); n != 2 {
		t.Errorf("Preflight ran %d times, want once per parameter set (2), not per repetition", n)
	}
	probed.Store(0)
	if _, err := bench.NewPlan([]any{"testonly/probed"}, "", bench.Options{Params: []string{"n=x"}}); err == nil || probed.Load() != 0 {
		t.Errorf("bad parameter: error %v, Preflight ran %d times: want the error before any probe", err, probed.Load())
	}
}

// Cancelling the context ends the run early and keeps what it measured.
func TestCancelKeepsWhatWasMeasured(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	doc, err := bench.Run(ctx, "builtin/noop", "", bench.Options{Duration: time.Minute, Runs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !doc.Interrupted || len(doc.Runs) != 1 || !doc.Runs[0].Interrupted || doc.Runs[0].Ops == 0 {
		t.Errorf("interrupted %v, %d runs, ops %d", doc.Interrupted, len(doc.Runs), doc.Runs[0].Ops)
	}
}

// An unregistered *algorithms.Info runs like a registered target: its
// parameters sweep, and a run that fails to build is recorded with its
// error while the others still run.
func TestFailedRunIsRecorded(t *testing.T) {
	info := &algorithms.Info{
		Name:   "mine/flaky",
		Params: []algorithms.Param{{Name: "fail", Type: algorithms.Bool, Default: "false", Doc: "fail to build"}},
		NewWall: func(env algorithms.Env) (harness.Target, error) {
			if env.Params.Bool("fail") {
				return nil, errors.New("asked to fail")
			}
			return &counter{}, nil
		},
	}
	doc, err := bench.Run(context.Background(), info, "ycsb-c", bench.Options{Ops: 100, Params: []string{"fail=true|false"}})
	if err == nil || !strings.Contains(err.Error(), "1 of 2 runs failed") || !strings.Contains(err.Error(), "asked to fail") {
		t.Errorf("error %v, want one of two runs failed, saying why", err)
	}
	var ie *bench.InputError
	if errors.As(err, &ie) {
		t.Error("a failed run is not bad input")
	}
	if len(doc.Runs) != 2 || doc.Runs[0].Error == "" || doc.Runs[1].Error != "" || doc.Runs[1].Ops != 100 {
		t.Errorf("runs %d, errors %q %q", len(doc.Runs), doc.Runs[0].Error, doc.Runs[1].Error)
	}
	if _, err := bench.Run(context.Background(), "builtin/noop", "", bench.Options{Trace: "/no/such/trace"}); !errors.As(err, &ie) {
		t.Errorf("missing trace: %v, want an InputError", err)
	}
}

// timedRecorder records what Plan.Execute tells a TimedProgress.
type timedRecorder struct{ warmup, measured []time.Duration }

func (r *timedRecorder) Start(string, int, int, uint64) bench.RunProgress {
	panic("Execute must call StartTimed on a TimedProgress")
}

func (r *timedRecorder) StartTimed(_ string, _, _ int, _ uint64, warmup, measured time.Duration) bench.RunProgress {
	r.warmup, r.measured = append(r.warmup, warmup), append(r.measured, measured)
	return nopBar{}
}

type nopBar struct{}

func (nopBar) Set(uint64)           {}
func (nopBar) Done(*harness.Report) {}
func (nopBar) Abort()               {}

// A progress bar of elapsed against total gets a run's wall-clock length
// only when the run ends by time on the wall clock.
func TestTimedProgressLength(t *testing.T) {
	for _, c := range []struct {
		name             string
		o                bench.Options
		warmup, measured time.Duration
	}{
		{"wall duration", bench.Options{Clock: algorithms.Wall, Duration: 30 * time.Millisecond, Warmup: 10 * time.Millisecond}, 10 * time.Millisecond, 30 * time.Millisecond},
		{"wall ops", bench.Options{Clock: algorithms.Wall, Ops: 100}, 0, 0},
		{"virtual duration", bench.Options{Clock: algorithms.Virtual, Duration: 10 * time.Millisecond, Rate: 1000}, 0, 0},
	} {
		p, err := bench.NewPlan([]any{"builtin/noop"}, "", c.o)
		if err != nil {
			t.Fatal(err)
		}
		rec := &timedRecorder{}
		if _, err := p.Execute(context.Background(), rec); err != nil {
			t.Fatal(c.name, err)
		}
		if len(rec.measured) != 1 || rec.warmup[0] != c.warmup || rec.measured[0] != c.measured {
			t.Errorf("%s: StartTimed got warmup %v measured %v, want %v %v", c.name, rec.warmup, rec.measured, c.warmup, c.measured)
		}
	}
}

// Limits come from memory, are checked before anything is built, and name
// the limit (issue 16).
func TestPlanLimits(t *testing.T) {
	many := make([]string, 1000)
	for i := range many {
		many[i] = fmt.Sprint(i + 1)
	}
	sweep := strings.Join(many, "|")
	for _, c := range []struct {
		name string
		o    bench.Options
		want string
	}{
		{"workers 2^63-1", bench.Options{Workers: 1<<63 - 1, Ops: 10}, "closed-loop workers fit in memory"},
		{"workers 1e6", bench.Options{Workers: 1_000_000, Ops: 10}, "at most"},
		{"runs 2e9", bench.Options{Runs: 2_000_000_000, Ops: 10}, "at most 100000 runs"},
		{"1000x1000 sweep", bench.Options{Params: []string{"n=" + sweep, "addr=" + sweep}, Ops: 10}, "1000000 runs"},
	} {
		start := time.Now()
		_, err := bench.NewPlan([]any{"testonly/probed"}, "", c.o)
		var ie *bench.InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an input error with %q", c.name, err, c.want)
		}
		if el := time.Since(start); el > 2*time.Second {
			t.Errorf("%s: refused after %v: it built something first", c.name, el)
		}
	}
	// Within the limit it plans.
	if _, err := bench.NewPlan([]any{"testonly/probed"}, "", bench.Options{Workers: 64, Ops: 10, Params: []string{"n=1|2"}}); err != nil {
		t.Error(err)
	}
}
