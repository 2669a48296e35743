package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPlanSuite(t *testing.T) {
	s, err := planSuite("s.yaml", []byte(`
name: t
seed: 7
runs: 4
duration: 2s
workloads: [ycsb-a, ycsb-b]
params: {nodes: 10}
matrix:
  - targets: [hashing/ring]
    params: {vnodes: [10, 100]}
  - targets: [hashing/jump, hashing/maglev]
    clock: wall
fail_on: ["latency.p99>+5%"]
noise: 1%
outputs: [out.json]
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Plans) != 4 || len(s.Gates) != 1 || s.Noise != "1%" || s.Outputs[0] != "out.json" || s.Name != "t" {
		t.Fatalf("suite %+v", s)
	}
	p := s.Plans[0]
	if strings.Join(p.Targets, ",") != "hashing/ring" || p.Workload != "ycsb-a" || p.Seed != "7" || p.Runs != 4 ||
		p.Duration.String() != "2s" || strings.Join(p.Params, " ") != "nodes=10 vnodes=10|100" {
		t.Errorf("first plan %+v", p)
	}
	if q := s.Plans[3]; strings.Join(q.Targets, ",") != "hashing/jump,hashing/maglev" || q.Workload != "ycsb-b" ||
		q.Clock != "wall" || strings.Join(q.Params, " ") != "nodes=10" || s.Lines[3] != 11 {
		t.Errorf("last plan %+v line %d", q, s.Lines[3])
	}
}

// TestSuiteNumbersAsTheCLIWritesThem: a suite file takes every number form
// the command line takes (one parser, workloads.ParseCount/ParseNumber).
func TestSuiteNumbersAsTheCLIWritesThem(t *testing.T) {
	s, err := planSuite("s.yaml", []byte("targets: [builtin/noop]\nops: 1e6\nload: 1_000\nruns: 5\nrate: 2.5e3\nworkers: 1e1\nalpha: 1e-2\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := s.Plans[0]
	if p.Ops != 1_000_000 || p.Load != 1000 || p.Runs != 5 || p.Rate != 2500 || p.Workers != 10 || s.Alpha != 0.01 {
		t.Errorf("plan %+v alpha %v", p.Options, s.Alpha)
	}
	cmd := newRunCmd(&App{})
	if err := cmd.Flags().Set("ops", "1e6"); err != nil {
		t.Errorf("--ops 1e6: %v", err)
	}
	if err := cmd.Flags().Set("rate", "2_500"); err != nil {
		t.Errorf("--rate 2_500: %v", err)
	}
	for _, bad := range []string{"NaN", "Inf", "-Inf"} {
		if err := cmd.Flags().Set("rate", bad); err == nil {
			t.Errorf("--rate %s accepted", bad)
		}
	}
}

func TestPlanSuiteErrorsNameTheLine(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"targets: [builtin/noop]\nrunz: 5\n", `s.yaml:2: unknown key "runz" (valid: name, targets`},
		{"targets: [builtin/noop]\nruns: five\n", `s.yaml:2: runs: want a non-negative whole number such as 1000, 1e6 or 1_000_000, got "five"`},
		{"targets: [builtin/noop]\nops: 2.5\n", `s.yaml:2: ops: want a non-negative whole number`},
		{"targets: [builtin/noop]\nrate: NaN\n", `s.yaml:2: rate: want a non-negative number`},
		{"targets: [builtin/noop]\nduration: 2 parsecs\n", "s.yaml:2: duration: want a duration"},
		{"targets: [builtin/noop]\nfail_on: [\"latency.p42>5%\"]\n", `s.yaml:2: fail_on: bad threshold "latency.p42>5%"`},
		{"runs: 3\n", "s.yaml:1: no targets"},
		{"targets: [a/b]\nmatrix:\n  - targets: [c/d]\n    colck: wall\n", `s.yaml:4: unknown key "colck"`},
		{"targets: [a/b]\nparams: {n: \"1|2\"}\n", "write a sweep as a list"},
		{"targets: [a/b]\nparams: [1, 2]\n", "s.yaml:2: params: want a mapping"},
		{"- a\n- b\n", "s.yaml:1: a suite is a mapping"},
		{"targets: [a/b\n", "s.yaml: yaml: line"},
	} {
		_, err := planSuite("s.yaml", []byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.yaml, err, c.want)
		}
	}
}

// TestSuiteEndToEnd runs a small virtual-time suite, stores it as the
// baseline, gates an identical rerun (deterministic: exit 0) and a rerun
// whose service time is 10% longer (exit 1, called slower).
func TestSuiteEndToEnd(t *testing.T) {
	dir := t.TempDir()
	write := func(name, service string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(`targets: [builtin/sleep]
clock: virtual
ops: 2000
runs: 4
seed: 1
params: {service: "`+service+`"}
fail_on: ["latency.p99>+5%"]
`), 0o644)
		return p
	}
	base := filepath.Join(dir, "base.json")
	if code, out, errs := cli(t, "suite", write("a.yaml", "exp:mean=1ms"), "-q", "-o", base); code != 0 {
		t.Fatalf("suite: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs := cli(t, "suite", write("a.yaml", "exp:mean=1ms"), "-q", "--baseline", base); code != 0 || !strings.Contains(out, "PASS") {
		t.Errorf("identical rerun: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs := cli(t, "suite", write("b.yaml", "exp:mean=1.1ms"), "-q", "--baseline", base, "--ignore-param", "service")
	if code != 1 || !strings.Contains(out, "slower FAIL latency.p99>+5%") {
		t.Errorf("10%% slower: exit %d\n%s%s", code, out, errs)
	}
	if code, _, errs := cli(t, "suite", write("c.yaml", "exp:mean=1ms"), "--check"); code != 0 || errs != "" {
		t.Errorf("--check: exit %d %s", code, errs)
	}
	os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte("targets: [no/such]\n"), 0o644)
	if code, _, errs := cli(t, "suite", filepath.Join(dir, "bad.yaml")); code != 2 || !strings.Contains(errs, "bad.yaml:1") {
		t.Errorf("unknown target: exit %d %s", code, errs)
	}
}

func TestShippedSuitesParse(t *testing.T) {
	files, _ := filepath.Glob("../../scripts/suites/*.yaml")
	if len(files) < 5 {
		t.Fatalf("found %d suites", len(files))
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if _, err := planSuite(f, b); err != nil {
			t.Errorf("%v", err)
		}
	}
	// The smoke suite uses only targets that exist: it must validate fully.
	if code, out, errs := cli(t, "suite", "../../scripts/suites/smoke.yaml", "--check"); code != 0 {
		t.Errorf("smoke --check: exit %d\n%s%s", code, out, errs)
	}
}

// TestSuiteEntryGates: an entry's own fail_on replaces the top-level gates
// for its runs (fail_on: [] leaves a noisy entry ungated), and --fail-on on
// the command line still gates every entry.
func TestSuiteEntryGates(t *testing.T) {
	dir := t.TempDir()
	write := func(name, service string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(`clock: virtual
ops: 2000
runs: 4
seed: 1
params: {service: "`+service+`"}
fail_on: ["latency.p99>+5%"]
matrix:
  - targets: [builtin/sleep]
  - targets: [builtin/sleep]
    params: {concurrency: 4}
    fail_on: []
`), 0o644)
		return p
	}
	base := filepath.Join(dir, "base.json")
	if code, out, errs := cli(t, "suite", write("a.yaml", "exp:mean=1ms"), "-q", "-o", base); code != 0 {
		t.Fatalf("suite: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs := cli(t, "suite", write("b.yaml", "exp:mean=1.1ms"), "-q", "--baseline", base, "--ignore-param", "service")
	if code != 1 || strings.Count(out, "FAIL latency.p99>+5% on builtin/sleep") != 1 || !strings.Contains(out, "concurrency=4") {
		t.Errorf("one gated entry slower: exit %d, want 1 with one failure\n%s%s", code, out, errs)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "concurrency=4") && strings.Contains(line, "FAIL") {
			t.Errorf("the ungated entry failed: %s", line)
		}
	}
	code, out, _ = cli(t, "suite", write("c.yaml", "exp:mean=2ms"), "-q", "--baseline", base, "--ignore-param", "service", "--fail-on", "latency.p50>+5%")
	if code != 1 || strings.Count(out, "FAIL latency.p50>+5% on") != 2 {
		t.Errorf("--fail-on gates every entry: exit %d\n%s", code, out)
	}
	if _, err := planSuite("s.yaml", []byte("targets: [a/b]\nmatrix:\n  - targets: [c/d]\n    fail_on: [\"p42>1%\"]\n")); err == nil ||
		!strings.Contains(err.Error(), "s.yaml:4: fail_on: bad threshold") {
		t.Errorf("bad entry gate: %v", err)
	}
}

// TestSuiteGateSurvivesAChangingSuite: a pull request that adds or renames
// a benchmark gets its new and gone runs listed and a green gate (exit 0,
// or 1 with --fail-on-missing); the Markdown comment opens with one summary
// line, folds unchanged rows, and is written even when the gate ends in bad
// input.
func TestSuiteGateSurvivesAChangingSuite(t *testing.T) {
	dir := t.TempDir()
	write := func(name, targets string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte("targets: ["+targets+"]\nclock: virtual\nops: 500\nruns: 4\nseed: 1\nfail_on: [\"latency.p99>+5%\"]\n"), 0o644)
		return p
	}
	base := filepath.Join(dir, "base.json")
	if code, out, errs := cli(t, "suite", write("a.yaml", "builtin/sleep"), "-q", "-o", base); code != 0 {
		t.Fatalf("baseline: exit %d\n%s%s", code, out, errs)
	}
	added := write("b.yaml", "builtin/sleep, builtin/stall")
	code, out, errs := cli(t, "suite", added, "-q", "--baseline", base, "--format", "md")
	if code != 0 {
		t.Errorf("a suite that adds a benchmark: exit %d\n%s%s", code, out, errs)
	}
	first, _, _ := strings.Cut(out, "\n")
	if !strings.HasPrefix(first, "**PASS**") || !strings.Contains(first, "1 new and 0 gone") {
		t.Errorf("summary line %q", first)
	}
	if !strings.Contains(out, "new (no baseline to compare with): builtin/stall") || !strings.Contains(out, "<details><summary>") {
		t.Errorf("comment does not list the new run or fold the unchanged rows:\n%s", out)
	}
	code, out, errs = cli(t, "suite", added, "-q", "--baseline", base, "--fail-on-missing", "--format", "md")
	if code != 1 || !strings.Contains(errs, "1 new and 0 gone") {
		t.Errorf("--fail-on-missing: exit %d %s", code, errs)
	}
	// the comment's verdict agrees with the exit code
	if first, _, _ := strings.Cut(out, "\n"); !strings.HasPrefix(first, "**FAIL**") || !strings.Contains(first, "--fail-on-missing") {
		t.Errorf("--fail-on-missing: summary line %q", first)
	}
	// everything renamed: nothing in common, still a green gate
	if code, out, errs := cli(t, "suite", write("c.yaml", "builtin/noop"), "-q", "--baseline", base); code != 0 || !strings.Contains(out, "gone (in the baseline only): builtin/sleep") {
		t.Errorf("every run renamed: exit %d\n%s%s", code, out, errs)
	}
	// bad input still writes the comment, one line that says why
	code, out, _ = cli(t, "suite", added, "-q", "--baseline", filepath.Join(dir, "missing.json"), "--format", "md")
	if code != exitUsage || !strings.HasPrefix(out, "**ERROR** (exit 2): ") || !strings.Contains(out, "missing.json") {
		t.Errorf("bad input with --format md: exit %d, stdout %q", code, out)
	}
}

// TestSmokeSuiteGatesEveryFamily: the smoke suite gates at least one figure
// of each family that has a full suite of its own, and has no entry that
// measures nothing (a zero-time target in virtual time reports 0 ops/s).
func TestSmokeSuiteGatesEveryFamily(t *testing.T) {
	b, err := os.ReadFile("../../scripts/suites/smoke.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := planSuite("smoke.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	gated := map[string]bool{}
	for i, p := range s.Plans {
		gates := s.Gates
		if s.PlanGates[i] != nil {
			gates = s.PlanGates[i]
		}
		for _, tg := range p.Targets {
			if tg == "builtin/noop" && p.Clock == "virtual" {
				t.Errorf("smoke.yaml:%d: builtin/noop in virtual time measures nothing", s.Lines[i])
			}
			if len(gates) > 0 {
				fam, _, _ := strings.Cut(tg, "/")
				gated[fam] = true
			}
		}
	}
	suites, _ := filepath.Glob("../../scripts/suites/*.yaml")
	for _, f := range suites {
		fam := strings.TrimSuffix(filepath.Base(f), ".yaml")
		if fam != "smoke" && !gated[fam] {
			t.Errorf("the smoke suite gates no figure of %s, which has a suite (%s)", fam, f)
		}
	}
}
