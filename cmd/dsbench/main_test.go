package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/bench"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/results"
	"github.com/dsbench/dsbench/workloads"
	"github.com/xuri/excelize/v2"
)

// A target that fails to build when asked, to exercise exit status 1.
type testTarget struct{}

func (testTarget) Do(time.Duration, *workloads.Op) harness.Outcome { return harness.Outcome{Shard: -1} }

func init() {
	algorithms.Register(algorithms.Info{
		Name:        "testonly/fail",
		Description: "fails to build when fail=true (CLI tests only)",
		Params:      []algorithms.Param{{Name: "fail", Type: algorithms.Bool, Default: "false", Doc: "fail"}},
		Workload:    "ycsb-c",
		NewWall: func(env algorithms.Env) (harness.Target, error) {
			if env.Params.Bool("fail") {
				return nil, errors.New("asked to fail")
			}
			return testTarget{}, nil
		},
	})
}

// dsbench runs the CLI in-process and returns its exit status and streams.
func dsbench(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &App{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Args: args, ctx: ctx}
	root := newRoot(a)
	root.SetArgs(args)
	code := exitCode(a, root.Execute(), &errb)
	return code, out.String(), errb.String()
}

func TestBadInputExits2(t *testing.T) {
	cases := []struct {
		args []string
		want string // in stderr
	}{
		{[]string{"run", "no-such/target"}, "builtin/noop"},
		{[]string{"run", "builtin/noop", "--ops", "-5"}, "--ops"},
		{[]string{"run", "builtin/noop", "--keys", "zipf:theta=0"}, "theta"},
		{[]string{"run", "builtin/noop", "--format", "nope"}, "nope"},
		{[]string{"run", "builtin/noop", "--clock", "sundial"}, "wall, virtual"},
		{[]string{"run", "builtin/noop", "-p", "nosuch=1"}, "nosuch"},
		{[]string{"run", "builtin/noop", "-o", "out.weird"}, ".json"},
		{[]string{"run", "builtin/noop", "--seed", "abc"}, "random"},
		{[]string{"run", "builtin/noop", "--shard", "4/4"}, "k/n"},
		{[]string{"run", "builtin/noop", "--trace", "/no/such/file"}, "no such file"},
		{[]string{"list", "nosuchfamily"}, "builtin"},
		{[]string{"run", "hashing/ring", "--load", "10"}, "storage/lsm"},
		{[]string{"gen", "-w", "keys=zipfy"}, "zipf"},
		{[]string{"nosuchcommand"}, "unknown command"},
		// An unreachable server is bad input, found before the run.
		{[]string{"run", "real/redis", "-p", "addr=127.0.0.1:1"}, "cannot reach Redis at 127.0.0.1:1"},
		{[]string{"run", "real/postgres", "-p", "dsn=postgres://u@127.0.0.1:1/db"}, "127.0.0.1:1"},
	}
	for _, c := range cases {
		code, out, errs := dsbench(t, nil, c.args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", c.args, code, errs)
		}
		if !strings.Contains(errs, c.want) {
			t.Errorf("%v: stderr %q does not mention %q", c.args, errs, c.want)
		}
		if out != "" {
			t.Errorf("%v: bad input wrote to stdout: %q", c.args, out)
		}
	}
}

func TestRunJSON(t *testing.T) {
	code, out, errs := dsbench(t, nil, "run", "builtin/noop", "--ops", "5000", "--format", "json", "-q")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc results.Document
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	if doc.Schema != "dsbench/v1" || len(doc.Runs) != 1 {
		t.Fatalf("schema %q, %d runs", doc.Schema, len(doc.Runs))
	}
	r := doc.Runs[0]
	if r.Target != "builtin/noop" || r.Ops != 5000 || r.Seed != defaultSeed || r.LatencyNs.Count != 5000 {
		t.Errorf("run = target %s ops %d seed %d latency count %d", r.Target, r.Ops, r.Seed, r.LatencyNs.Count)
	}
}

func TestEveryOutputFormat(t *testing.T) {
	dir := t.TempDir()
	var args = []string{"run", "builtin/noop", "--ops", "2000", "-q", "--runs", "2"}
	files := []string{"r.json", "r.jsonl", "r.csv", "r.md", "r.txt", "r.hlog", "r.hgrm", "r.xlsx", "csv-long:long.csv", "intervals:iv.csv"}
	for _, f := range files {
		if name, path, ok := strings.Cut(f, ":"); ok {
			args = append(args, "-o", name+":"+filepath.Join(dir, path))
		} else {
			args = append(args, "-o", filepath.Join(dir, f))
		}
	}
	for _, f := range results.Formats() {
		code, out, errs := dsbench(t, nil, append(args[:7:7], "--format", string(f))...)
		if f.Binary() {
			if code != exitUsage || out != "" || !strings.Contains(errs, "-o FILE.xlsx") {
				t.Errorf("--format %s (binary) on stdout: exit %d, %d bytes, %q; want exit 2 pointing at -o", f, code, len(out), errs)
			}
			continue
		}
		if code != 0 || out == "" {
			t.Errorf("--format %s: exit %d, %d bytes (%s)", f, code, len(out), errs)
		}
	}
	if code, _, errs := dsbench(t, nil, args...); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, f := range files {
		if _, p, ok := strings.Cut(f, ":"); ok {
			f = p
		}
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
	if len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestFailedRunExits1(t *testing.T) {
	code, out, errs := dsbench(t, nil, "run", "testonly/fail", "-p", "fail=true|false", "--ops", "100", "--format", "json", "-q")
	if code != exitFailed {
		t.Fatalf("exit %d, want 1 (%s)", code, errs)
	}
	if !strings.Contains(errs, "asked to fail") {
		t.Errorf("stderr %q does not say why", errs)
	}
	var doc results.Document
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Runs) != 2 {
		t.Fatalf("want both runs written (%v): %s", err, out)
	}
	if doc.Runs[0].Error == "" || doc.Runs[1].Error != "" || doc.Runs[1].Ops != 100 {
		t.Errorf("errors %q / %q, ops %d", doc.Runs[0].Error, doc.Runs[1].Error, doc.Runs[1].Ops)
	}
}

func TestInterruptedExits130AndWrites(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	dir := t.TempDir()
	path := filepath.Join(dir, "r.json")
	code, _, errs := dsbench(t, ctx, "run", "builtin/noop", "--duration", "1m", "-q", "-o", path)
	if code != exitInterrupted {
		t.Fatalf("exit %d, want 130 (%s)", code, errs)
	}
	doc, err := results.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !doc.Interrupted || len(doc.Runs) != 1 || !doc.Runs[0].Interrupted || doc.Runs[0].Ops == 0 {
		t.Errorf("interrupted %v, runs %d", doc.Interrupted, len(doc.Runs))
	}
}

func TestSweepCrossProductAndSeeds(t *testing.T) {
	code, out, errs := dsbench(t, nil, "run", "builtin/sleep", "--clock", "virtual", "-p", "service=const:d=1ms|const:d=2ms",
		"--ops", "200", "--runs", "2", "--format", "json", "-q", "--seed", "7")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc results.Document
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Runs) != 4 {
		t.Fatalf("%d runs, want 2 values × 2 repetitions", len(doc.Runs))
	}
	if doc.Runs[0].Seed != 7 || doc.Runs[1].Seed == 7 || doc.Runs[1].Seed != doc.Runs[3].Seed {
		t.Errorf("seeds %d %d %d %d: repetition 0 must use the root seed, repetitions differ", doc.Runs[0].Seed, doc.Runs[1].Seed, doc.Runs[2].Seed, doc.Runs[3].Seed)
	}
	if doc.Runs[0].ServiceNs.P50 >= doc.Runs[2].ServiceNs.P50 {
		t.Errorf("1ms service p50 %v not below 2ms service p50 %v", doc.Runs[0].ServiceNs.P50, doc.Runs[2].ServiceNs.P50)
	}
}

func TestVirtualRunIsDeterministic(t *testing.T) {
	args := []string{"run", "builtin/sleep", "--clock", "virtual", "--arrival", "poisson:rate=500", "--ops", "2000", "--format", "csv", "-q"}
	_, a, _ := dsbench(t, nil, args...)
	_, b, _ := dsbench(t, nil, args...)
	// Every figure is the same; only the environment's start time differs.
	a, b = withoutColumn(t, a, "started_at"), withoutColumn(t, b, "started_at")
	if a != b || a == "" {
		t.Errorf("two virtual-time runs with the same seed differ:\n%s\n%s", a, b)
	}
}

// withoutColumn drops one column from a CSV document.
func withoutColumn(t *testing.T, doc, name string) string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(doc)).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("not CSV (%v): %s", err, doc)
	}
	col := slices.Index(recs[0], name)
	if col < 0 {
		t.Fatalf("no column %s in %v", name, recs[0])
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	for _, r := range recs {
		w.Write(slices.Delete(r, col, col+1))
	}
	w.Flush()
	return b.String()
}

// The tour runs anywhere: it leaves out the targets that need a server.
func TestTourHasNoRealTargets(t *testing.T) {
	p, err := bench.NewPlan(nil, "", bench.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range p.Labels() {
		if strings.HasPrefix(l, "real/") {
			t.Errorf("the tour runs %s", l)
		}
	}
	if _, err := algorithms.Lookup("real/redis"); err != nil {
		t.Errorf("the binary does not register the real targets: %v", err)
	}
}

func TestListAndVersion(t *testing.T) {
	code, out, _ := dsbench(t, nil, "list")
	if code != 0 || !strings.Contains(out, "builtin/noop") || !strings.Contains(out, "ycsb-a") {
		t.Errorf("list: exit %d\n%s", code, out)
	}
	code, out, _ = dsbench(t, nil, "list", "--json")
	var l listing
	if code != 0 || json.Unmarshal([]byte(out), &l) != nil || len(l.Targets) == 0 {
		t.Errorf("list --json: exit %d\n%s", code, out)
	}
	// Target aliases: listed in their family with what they run, and runnable.
	for name, want := range map[string]string{
		"loadbalance/least-response-time": "alias of loadbalance/peak-ewma with choices=0",
		"ratelimit/leaky-bucket":          "alias of ratelimit/gcra",
	} {
		fam, _, _ := strings.Cut(name, "/")
		if code, out, _ = dsbench(t, nil, "list", fam); code != 0 || !strings.Contains(out, name) || !strings.Contains(out, want) {
			t.Errorf("list %s: exit %d, no %s (%s)\n%s", fam, code, name, want, out)
		}
		if code, out, _ = dsbench(t, nil, "list", name); code != 0 || !strings.Contains(out, want) {
			t.Errorf("list %s: exit %d\n%s", name, code, out)
		}
		if code, _, errs := dsbench(t, nil, "run", name, "--ops", "200", "-q"); code != 0 {
			t.Errorf("run %s: exit %d %s", name, code, errs)
		}
	}
	for _, tg := range l.Targets {
		if tg.Name == "loadbalance/least-response-time" && tg.AliasOf != "loadbalance/peak-ewma" {
			t.Errorf("list --json: alias_of %q", tg.AliasOf)
		}
	}
	if code, out, _ = dsbench(t, nil, "version"); code != 0 || !strings.HasPrefix(out, "dsbench ") {
		t.Errorf("version: %d %q", code, out)
	}
}

func TestGenRoundTripsThroughTrace(t *testing.T) {
	dir := t.TempDir()
	trace := filepath.Join(dir, "t.csv")
	if code, _, errs := dsbench(t, nil, "gen", "-w", "ycsb-a arrival=constant:rate=1000", "--ops", "500", "-o", trace); code != 0 {
		t.Fatalf("gen: %d %s", code, errs)
	}
	head, _ := os.ReadFile(trace)
	if !strings.HasPrefix(string(head), "seq,at_ns,kind,key,client,size\n") {
		t.Fatalf("trace header: %q", string(head[:min(len(head), 80)]))
	}
	code, out, errs := dsbench(t, nil, "run", "builtin/map", "--trace", trace, "--ops", "500", "--format", "json", "-q")
	if code != 0 {
		t.Fatalf("run --trace: %d %s", code, errs)
	}
	var doc results.Document
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Runs[0].Ops != 500 {
		t.Fatalf("replay: %v %s", err, out)
	}
	if code, out, _ = dsbench(t, nil, "gen", "-w", "ycsb-a", "--ops", "10000", "--stats"); code != 0 || out == "" {
		t.Errorf("gen --stats: %d", code)
	}
}

func TestShardsSplitOps(t *testing.T) {
	var total uint64
	for k := 0; k < 3; k++ {
		code, out, errs := dsbench(t, nil, "run", "builtin/noop", "--clock", "virtual", "--ops", "1000", "--shard", fmt.Sprintf("%d/3", k), "--format", "json", "-q")
		if code != 0 {
			t.Fatalf("shard %d: exit %d %s", k, code, errs)
		}
		var doc results.Document
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Runs[0].Shard != fmt.Sprintf("%d/3", k) {
			t.Errorf("shard field %q", doc.Runs[0].Shard)
		}
		total += doc.Runs[0].Ops
	}
	if total != 1000 {
		t.Errorf("3 shards of --ops 1000 ran %d ops in all", total)
	}
}

func TestGivenZerosAreBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"run", "builtin/noop", "--rate", "0"},
		{"run", "builtin/noop", "--runs", "0"},
		{"run", "builtin/noop", "--duration", "0s"},
	} {
		if code, _, errs := dsbench(t, nil, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errs)
		}
	}
}

// TestSpreadsheetOutputs: a sweep written as xlsx opens with a reader and
// holds one row per run; --columns fixes the csv's columns across
// invocations (two files with different sweeps line up); the command line is
// recorded shell-quoted, so it pastes back.
func TestSpreadsheetOutputs(t *testing.T) {
	dir := t.TempDir()
	cols := "run_id,target,param.service,metric.max_queue,latency_ns_p99,command"
	for i, sweep := range []string{"service=const:d=1ms|const:d=2ms", "concurrency=1|2"} {
		code, _, errs := dsbench(t, nil, "run", "builtin/sleep", "--clock", "virtual", "-p", sweep, "--ops", "500", "-q",
			"--runs", "2", "--columns", cols, "-o", filepath.Join(dir, fmt.Sprintf("s%d.csv", i)), "-o", filepath.Join(dir, fmt.Sprintf("s%d.xlsx", i)))
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
	}
	for i := range 2 {
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("s%d.csv", i)))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil || strings.Join(recs[0], ",") != cols || len(recs) != 5 {
			t.Fatalf("s%d.csv: %v, header %q, %d records", i, err, recs[0], len(recs))
		}
		if want := "dsbench run builtin/sleep --clock virtual -p 'service=const:d=1ms|const:d=2ms' --ops 500 -q --runs 2 --columns " + cols +
			" -o " + filepath.Join(dir, "s0.csv") + " -o " + filepath.Join(dir, "s0.xlsx"); i == 0 && recs[1][5] != want {
			t.Errorf("command not shell-quoted:\n got %s\nwant %s", recs[1][5], want)
		}
		f, err := excelize.OpenFile(filepath.Join(dir, fmt.Sprintf("s%d.xlsx", i)))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows("runs")
		if err != nil || len(rows) != 5 {
			t.Errorf("s%d.xlsx runs: %d rows, %v", i, len(rows), err)
		}
		if _, err := f.GetRows("aggregate"); err != nil {
			t.Errorf("s%d.xlsx: --runs 2 but no aggregate sheet: %v", i, err)
		}
		f.Close()
	}
	code, _, errs := dsbench(t, nil, "run", "builtin/noop", "--ops", "10", "--columns", "run_id,latency_p99")
	if code != exitUsage || !strings.Contains(errs, "latency_ns_p99") {
		t.Errorf("bad --columns: exit %d, %q", code, errs)
	}
}

// TestCLIHabits: --version, "did you mean" for mistyped names, list of one
// target, completion of -p for the chosen targets and of -w, and the short
// flags -d -n -r -c.
func TestCLIHabits(t *testing.T) {
	code, out, _ := dsbench(t, nil, "--version")
	if code != 0 || !strings.HasPrefix(out, "dsbench ") || !strings.Contains(out, "commit") {
		t.Errorf("--version: exit %d %q", code, out)
	}
	if _, v, _ := dsbench(t, nil, "version"); v != out {
		t.Errorf("version %q and --version %q differ", v, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "hashing/rnig"}, `did you mean "hashing/ring"?`},
		{[]string{"run", "ring"}, `did you mean "hashing/ring"?`},
		{[]string{"run", "hashing/ring", "-p", "vnode=10"}, `did you mean "vnodes"?`},
		{[]string{"list", "hashin"}, `did you mean "hashing"?`},
		{[]string{"list", "hashing/rnig"}, `did you mean "hashing/ring"?`},
	} {
		code, _, errs := dsbench(t, nil, c.args...)
		if code != exitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want exit 2 with %s", c.args, code, errs, c.want)
		}
	}
	code, out, _ = dsbench(t, nil, "list", "hashing/ring")
	if code != 0 || !strings.Contains(out, "hashing/ring") || strings.Contains(out, "hashing/jump") || !strings.Contains(out, "vnodes=100") || strings.Contains(out, "WORKLOAD PRESETS") {
		t.Errorf("list hashing/ring: exit %d\n%s", code, out)
	}
	complete := func(args ...string) []string {
		t.Helper()
		_, out, _ := dsbench(t, nil, append([]string{"__complete"}, args...)...)
		var got []string
		for _, l := range strings.Split(out, "\n") {
			if l != "" && !strings.HasPrefix(l, ":") {
				got = append(got, l)
			}
		}
		return got
	}
	if got := complete("run", "hashing/ring", "-p", ""); strings.Join(got, " ") != "hash= nodes= vnodes= weights=" {
		t.Errorf("-p completion for hashing/ring: %v", got)
	}
	if got := complete("run", "hashing/ring", "loadbalance/p2c", "-p", "ch"); strings.Join(got, " ") != "choices=" {
		t.Errorf("-p ch completion for two targets: %v", got)
	}
	if got := complete("run", "hashing/ring", "-p", "hash="); strings.Join(got, " ") != "hash=xxhash hash=fnv hash=murmur3" {
		t.Errorf("-p hash= completion: %v", got)
	}
	if got := complete("run", "-w", "ycsb-"); len(got) != 6 || got[0] != "ycsb-a" {
		t.Errorf("-w completion: %v", got)
	}
	if got := complete("run", "-w", "arr"); strings.Join(got, " ") != "arrival=" {
		t.Errorf("-w arr completion: %v", got)
	}
	code, out, errs := dsbench(t, nil, "run", "builtin/sleep", "--clock", "virtual", "-n", "1000", "-r", "2e3", "-c", "4", "-q", "--format", "csv", "--columns", "ops,workers")
	if code != 0 || strings.TrimSpace(out) != "ops,workers\n1000,4" {
		t.Errorf("-n -r -c: exit %d %q %s", code, out, errs)
	}
	code, out, errs = dsbench(t, nil, "run", "builtin/sleep", "--clock", "virtual", "-d", "2s", "-q", "--format", "csv", "--columns", "duration_s")
	if d, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimPrefix(out, "duration_s\n")), 64); code != 0 || err != nil || d < 1.9 || d > 2.1 {
		t.Errorf("-d 2s: exit %d %q %s", code, out, errs)
	}
}
