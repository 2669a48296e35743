package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dsbench/dsbench/results"
)

// cli runs the CLI in-process: exit status, stdout, stderr.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &App{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Args: args, ctx: context.Background()}
	root := newRoot(a)
	root.SetArgs(args)
	return exitCode(a, root.Execute(), &errb), out.String(), errb.String()
}

// writeSide writes n repetitions of target around p99 lat (ns) with 1% noise.
func writeSide(t *testing.T, dir, name, target string, n int, lat float64, seed uint64) string {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	d := &results.Document{Schema: results.SchemaVersion}
	for i := 0; i < n; i++ {
		f := 1 + 0.01*r.NormFloat64()
		d.Runs = append(d.Runs, results.Run{
			Target: target, Params: map[string]string{}, Workload: "ycsb-a", WorkloadName: "ycsb-a",
			Clock: "virtual", Seed: uint64(i), Repetition: i, ThroughputOpsS: 1e9 / (lat * f),
			LatencyNs: results.Summary{P50: lat * f / 3, P99: lat * f, P999: lat * f * 2},
			ServiceNs: results.Summary{P99: lat * f},
		})
	}
	p := filepath.Join(dir, name)
	if err := results.WriteFile(p, results.JSON, d); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCompareExitCodes(t *testing.T) {
	dir := t.TempDir()
	base := writeSide(t, dir, "base.json", "builtin/sleep", 5, 1e6, 1)
	same := writeSide(t, dir, "same.json", "builtin/sleep", 5, 1e6, 2)
	slow := writeSide(t, dir, "slow.json", "builtin/sleep", 5, 1.1e6, 3)
	few := writeSide(t, dir, "few.json", "builtin/sleep", 3, 1.1e6, 4)
	fewBase := writeSide(t, dir, "fewbase.json", "builtin/sleep", 3, 1e6, 6)
	other := writeSide(t, dir, "other.json", "builtin/noop", 5, 1e6, 5)
	gates := []string{"--fail-on", "latency.p99>+5%", "--fail-on", "throughput<-3%"}
	for _, c := range []struct {
		name string
		args []string
		code int
		out  string // in stdout, or stderr for exit 2
	}{
		{"same distribution", append([]string{"compare", base, same}, gates...), 0, "PASS"},
		{"10% slowdown", append([]string{"compare", base, slow}, gates...), 1, "slower FAIL latency.p99>+5%"},
		{"markdown", append([]string{"compare", base, slow, "--format", "md"}, gates...), 1, "| **slower FAIL"},
		{"too few runs", append([]string{"compare", fewBase, few}, gates...), 2, "cannot be decided"},
		{"too few, no gate", []string{"compare", fewBase, few}, 0, "insufficient samples (need ≥ 4 per side)"},
		{"other target", []string{"compare", base, other}, 2, `targets differ: base has "builtin/sleep", candidate has "builtin/noop"`},
		{"bad gate", []string{"compare", base, same, "--fail-on", "p99>5%"}, 2, "latency.p99"},
		{"bad noise", []string{"compare", base, same, "--noise", "5"}, 2, "--noise"},
		{"missing file", []string{"compare", base, filepath.Join(dir, "nope.json")}, 2, "nope.json"},
	} {
		code, out, errs := cli(t, c.args...)
		if code != c.code || !strings.Contains(out+errs, c.out) {
			t.Errorf("%s: exit %d (want %d)\nstdout:\n%s\nstderr:\n%s\nwant %q", c.name, code, c.code, out, errs, c.out)
		}
	}
}

func TestMergeAndReportCommands(t *testing.T) {
	dir := t.TempDir()
	// Shards are written by run --shard; here two shard documents built by
	// hand (merge's own tests check the arithmetic).
	var paths []string
	for k := 0; k < 2; k++ {
		d := &results.Document{Schema: results.SchemaVersion, Runs: []results.Run{{
			ID: "r1", Target: "builtin/noop", Params: map[string]string{}, Workload: "ycsb-a", Clock: "virtual",
			Shard: []string{"0/2", "1/2"}[k], Ops: uint64(100 * (k + 1)), DurationS: 1,
		}}}
		p := filepath.Join(dir, []string{"a.json", "b.json"}[k])
		results.WriteFile(p, results.JSON, d)
		paths = append(paths, p)
	}
	all := filepath.Join(dir, "all.json")
	if code, _, errs := cli(t, "merge", paths[0], paths[1], "-o", all); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, errs)
	}
	m, err := results.ReadFile(all)
	if err != nil || m.Runs[0].Ops != 300 || m.Runs[0].Shard != "" {
		t.Fatalf("merged: %+v, %v", m, err)
	}
	if code, _, errs := cli(t, "merge", paths[0], paths[0], "-o", all); code != 2 || !strings.Contains(errs, "both shard 0/2") {
		t.Errorf("merging a shard twice: exit %d: %s", code, errs)
	}
	if code, _, _ := cli(t, "merge", paths[0], paths[1]); code != 2 {
		t.Errorf("merge without -o: exit %d, want 2", code)
	}
	rep := filepath.Join(dir, "rep")
	code, out, errs := cli(t, "report", writeSide(t, dir, "r.json", "builtin/sleep", 2, 1e6, 1), "-o", rep, "--no-png")
	if code != 0 || !strings.Contains(out, filepath.Join(rep, "report.html")) {
		t.Errorf("report: exit %d\n%s%s", code, out, errs)
	}
}

// TestCompareAcrossTargetsAndOutputFormat: two targets pair only when asked
// (--across-targets / --pair-by workload); -o takes its format from the
// extension, or a FORMAT: prefix.
func TestCompareAcrossTargetsAndOutputFormat(t *testing.T) {
	dir := t.TempDir()
	base := writeSide(t, dir, "sleep.json", "builtin/sleep", 5, 1e6, 1)
	other := writeSide(t, dir, "noop.json", "builtin/noop", 5, 2e6, 5)
	if code, _, errs := cli(t, "compare", base, other); code != exitUsage || !strings.Contains(errs, "targets differ") {
		t.Errorf("across targets by default: exit %d, %q", code, errs)
	}
	for _, flag := range [][]string{{"--across-targets"}, {"--pair-by", "workload"}} {
		js := filepath.Join(dir, "cmp.json")
		args := append([]string{"compare", base, other, "-o", js}, flag...)
		code, out, errs := cli(t, args...)
		if code != 0 || !strings.Contains(out, "builtin/sleep vs builtin/noop") || !strings.Contains(out, "slower") {
			t.Errorf("%v: exit %d\n%s%s", flag, code, out, errs)
		}
		var got struct {
			Rows []struct {
				Verdict string  `json:"verdict"`
				P       float64 `json:"p"`
			} `json:"rows"`
		}
		b, err := os.ReadFile(js)
		if err != nil || json.Unmarshal(b, &got) != nil || len(got.Rows) == 0 || got.Rows[0].P == 0 {
			t.Errorf("%v: -o cmp.json is not the JSON comparison (%v): %.200s", flag, err, b)
		}
	}
	md := filepath.Join(dir, "cmp.out")
	if code, _, errs := cli(t, "compare", base, base, "-o", "md:"+md); code != 0 {
		t.Errorf("-o md:FILE: exit %d %s", code, errs)
	} else if b, _ := os.ReadFile(md); !strings.HasPrefix(string(b), "**No gates**") || !strings.Contains(string(b), "<details>") {
		t.Errorf("-o md:FILE wrote %.80q", b)
	}
	if code, _, errs := cli(t, "compare", base, base, "-o", filepath.Join(dir, "cmp.weird")); code != exitUsage || !strings.Contains(errs, ".json") {
		t.Errorf("-o with an unknown extension: exit %d, %q", code, errs)
	}
	if code, _, errs := cli(t, "compare", base, other, "--pair-by", "target"); code != exitUsage || !strings.Contains(errs, "workload") {
		t.Errorf("--pair-by target: exit %d, %q", code, errs)
	}
}

// TestRunCompare: two targets, five repetitions, one command: the runs and
// then the significance table with a verdict and a p-value. A plan that is
// not two variants, or has too few repetitions, is bad input before it runs.
func TestRunCompare(t *testing.T) {
	code, out, errs := cli(t, "run", "loadbalance/p2c", "loadbalance/round-robin", "--runs", "5", "--duration", "1s", "--compare", "-q")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	i := strings.Index(out, "base: loadbalance/p2c; candidate: loadbalance/round-robin")
	if i < 0 {
		t.Fatalf("no comparison after the runs:\n%s", out)
	}
	var p99 string
	for _, l := range strings.Split(out[i:], "\n") {
		if strings.Contains(l, " latency.p99 ") {
			p99 = l
		}
	}
	f := strings.Fields(p99)
	if len(f) < 4 || f[len(f)-1] != "slower" {
		t.Fatalf("latency.p99 row %q: want round-robin slower than p2c", p99)
	}
	if p, err := strconv.ParseFloat(f[len(f)-3], 64); err != nil || p >= 0.05 {
		t.Errorf("latency.p99 p-value %q, want < 0.05", f[len(f)-3])
	}
	// with a machine-readable stdout the comparison goes to stderr
	code, out, errs = cli(t, "run", "builtin/sleep", "--clock", "virtual", "-p", "service=exp:mean=1ms|exp:mean=2ms", "--ops", "300", "--runs", "4", "--compare", "-q", "--format", "json")
	if code != 0 || !strings.Contains(errs, "base: builtin/sleep service=exp:mean=1ms; candidate: builtin/sleep service=exp:mean=2ms") {
		t.Errorf("sweep --compare --format json: exit %d, stderr %q", code, errs)
	}
	if _, err := results.Read(strings.NewReader(out)); err != nil {
		t.Errorf("stdout is no longer one JSON document: %v", err)
	}
	for _, bad := range [][]string{
		{"run", "loadbalance/p2c", "loadbalance/round-robin", "loadbalance/random", "--runs", "5", "--compare"},
		{"run", "loadbalance/p2c", "--runs", "5", "--compare"},
		{"run", "loadbalance/p2c", "loadbalance/round-robin", "--runs", "3", "--compare"},
	} {
		if code, out, errs := cli(t, bad...); code != exitUsage || out != "" || !strings.Contains(errs, "--compare") {
			t.Errorf("%v: exit %d, stdout %d bytes, %q", bad, code, len(out), errs)
		}
	}
}
