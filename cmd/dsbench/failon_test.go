package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsbench/dsbench/results"
)

// run --fail-on takes absolute thresholds in compare's grammar: a crossed one
// exits 1 naming the threshold, the run and its figure, after the results are
// written; none crossed exits 0; a relative or malformed one is bad input.
func TestRunFailOn(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.json")
	code, _, errs := dsbench(t, nil, "run", "testonly/fail", "-p", "fail=false", "--ops", "1000", "-q", "-o", out,
		"--fail-on", "latency.p99>1ns", "--fail-on", "errors>0", "--fail-on", "throughput<1e15")
	if code != exitFailed {
		t.Fatalf("exit %d, want 1 (%s)", code, errs)
	}
	for _, want := range []string{"latency.p99>1ns: r1 testonly/fail has ", "throughput<1e15: r1 testonly/fail has "} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr %q does not name %q", errs, want)
		}
	}
	if strings.Contains(errs, "errors>0") {
		t.Errorf("errors>0 reported crossed by a run without errors: %s", errs)
	}
	var doc results.Document
	if b, err := os.ReadFile(out); err != nil || json.Unmarshal(b, &doc) != nil || len(doc.Runs) != 1 {
		t.Fatalf("results not written before the thresholds failed: %v", err)
	}

	if code, _, errs := dsbench(t, nil, "run", "testonly/fail", "-p", "fail=false", "--ops", "1000", "-q",
		"--fail-on", "latency.p99>10s", "--fail-on", "errors>0", "--fail-on", "throughput<1"); code != 0 {
		t.Errorf("no threshold crossed: exit %d (%s)", code, errs)
	}
	for _, bad := range []struct{ gate, want string }{
		{"latency.p99>+5%", "needs a baseline"},
		{"latency.p99>5", "unit"},
		{"latency.p42>5ms", "unknown metric"},
	} {
		if code, _, errs := dsbench(t, nil, "run", "testonly/fail", "--ops", "10", "-q", "--fail-on", bad.gate); code != exitUsage || !strings.Contains(errs, bad.want) {
			t.Errorf("--fail-on %q: exit %d, stderr %q; want 2 and %q", bad.gate, code, errs, bad.want)
		}
	}
}

// A generator asked for far more than any machine sends falls behind: the
// run is marked in the table and stderr warns in one line, even with -q.
func TestStarvedGeneratorWarns(t *testing.T) {
	code, out, errs := dsbench(t, nil, "run", "builtin/noop", "--rate", "1e9", "--duration", "200ms", "-q")
	if code != 0 {
		t.Fatalf("exit %d (%s)", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "the generator fell behind: achieved") || !strings.HasSuffix(lines[0], "latency includes its lag") {
		t.Errorf("stderr %q: want one warning line", errs)
	}
	if !strings.Contains(out, "r1~") {
		t.Errorf("the table does not mark the run:\n%s", out)
	}
}
