package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dsbench/dsbench/harness"
	"github.com/spf13/cobra"
	"time"
)

// TestHostileProbes runs the probes of issue 16 that this build answers and
// checks each documented outcome: exit 2 naming the limit or the bad value,
// before anything runs; no input destroyed.
func TestHostileProbes(t *testing.T) {
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	write := func(name, body string) string {
		if err := os.WriteFile(at(name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return at(name)
	}
	base := at("base.json")
	if code, _, errs := cli(t, "run", "builtin/sleep", "--clock", "virtual", "-n", "200", "--runs", "4", "-q", "-o", base); code != 0 {
		t.Fatalf("baseline: exit %d %s", code, errs)
	}
	baseBytes, _ := os.ReadFile(base)
	trace := at("t.csv")
	if code, _, errs := cli(t, "gen", "-w", "ycsb-a", "-n", "100", "-o", trace); code != 0 {
		t.Fatalf("gen: exit %d %s", code, errs)
	}
	traceBytes, _ := os.ReadFile(trace)
	for k := range 2 {
		if code, _, errs := cli(t, "run", "builtin/sleep", "--clock", "virtual", "-n", "200", "--shard", strconv.Itoa(k)+"/2", "-q", "-o", at("s"+strconv.Itoa(k)+".json")); code != 0 {
			t.Fatalf("shard %d: exit %d %s", k, code, errs)
		}
	}
	s0, _ := os.ReadFile(at("s0.json"))
	s0 = bytes.Replace(s0, []byte(`"ops": 100,`), []byte(`"ops": 18446744073709551615,`), 1)
	os.WriteFile(at("s0.json"), s0, 0o644)
	os.WriteFile(at("trailing.json"), append(append([]byte(nil), baseBytes...), []byte("{}\n")...), 0o644)
	bin := at("t.bin")
	if code, _, errs := cli(t, "gen", "-w", "ycsb-a", "-n", "5000", "--format", "bin", "-o", bin); code != 0 {
		t.Fatalf("gen bin: exit %d %s", code, errs)
	}
	flipped, _ := os.ReadFile(bin)
	flipped[len(flipped)/2] ^= 0x10
	os.WriteFile(at("flipped.bin"), flipped, 0o644)
	write("huge.csv", "seq,at_ns,kind,key,client,size\n0,0,insert,1,0,4294967295\n")

	for _, p := range []struct {
		args []string
		code int
		want string // in stderr
	}{
		{[]string{"run", "builtin/noop", "--workers", "9223372036854775807", "-n", "10"}, 2, "closed-loop workers fit in memory"},
		{[]string{"run", "builtin/noop", "--workers", "100000000000", "-n", "10"}, 2, "at most"},
		{[]string{"run", "builtin/noop", "--runs", "2000000000", "-n", "10"}, 2, "at most 100000 runs"},
		{[]string{"run", "hashing/ring", "-p", "nodes=" + seq(1000), "-p", "vnodes=" + seq(1000), "-n", "10"}, 2, "1000000 runs"},
		{[]string{"compare", base, base, "--alpha", "NaN"}, 2, "--alpha NaN"},
		{[]string{"compare", base, base, "--noise", "NaN%"}, 2, "--noise"},
		{[]string{"run", "builtin/noop", "--rate", "NaN", "-n", "10"}, 2, "NaN"},
		{[]string{"compare", at("trailing.json"), base}, 2, "more data after it"},
		{[]string{"merge", at("s0.json"), at("s1.json"), "-o", at("m.json")}, 2, "exceeds 2^64−1"},
		{[]string{"compare", base, base, "-o", base}, 2, "also an input"},
		{[]string{"run", "builtin/noop", "--trace", trace, "-o", "csv:" + trace}, 2, "also an input"},
		{[]string{"run", "builtin/noop", "-n", "10", "-o", "/proc/x.json"}, 2, "/proc"},
		{[]string{"run", "builtin/noop", "-n", "10", "-o", "json:" + dir}, 2, "is a directory"},
		{[]string{"gen", "-w", "ycsb-a", "-n", "10", "-o", "/nonexistent/x.csv"}, 2, "/nonexistent"},
		{[]string{"run", "builtin/noop", "-n", "0"}, 2, "--ops 0"},
		{[]string{"run", "builtin/sleep", "--clock", "virtual", "--keys", "zipf:theta=0.5,theta=0.9", "-n", "10"}, 2, "given twice"},
		{[]string{"suite", write("dup.yaml", "targets: [builtin/noop]\nops: 100\nops: 200\n"), "--check"}, 2, "set twice"},
		{[]string{"suite", write("two.yaml", "targets: [builtin/noop]\nops: 100\n---\nops: 5\n"), "--check"}, 2, "second YAML document"},
		{[]string{"suite", write("r0.yaml", "targets: [builtin/noop]\nops: 100\nruns: 0\n"), "--check"}, 2, "runs: 0"},
		{[]string{"suite", write("nan.yaml", "targets: [builtin/noop]\nops: 100\nalpha: NaN\n"), "--check"}, 2, "alpha"},
		{[]string{"run", "storage/map", "-w", "mix=insert:1 size=const:n=4294967295", "-n", "3"}, 2, "per op here"},
		{[]string{"run", "storage/lsm", "-w", "mix=insert:1 size=const:n=4294967295", "-n", "3"}, 2, "per op here"},
		{[]string{"run", "storage/map", "--trace", at("huge.csv")}, 2, "the trace: values of 4.0 GiB"},
		{[]string{"run", "builtin/noop", "-w", "arrival=spike:rate=1e11,every=10s,for=1s,x=100", "-n", "10"}, 2, "exceeds the largest rate, 1e12"},
		{[]string{"run", "storage/lsm", "-p", "dir=/proc/x", "-n", "3"}, 2, "dir=/proc/x: cannot be created"},
		{[]string{"run", "storage/pebble", "-p", "dir=" + trace, "-n", "3"}, 2, "not a directory"},
		{[]string{"run", "builtin/noop", "--trace", at("flipped.bin")}, 2, "checksum mismatch"},
		{[]string{"suite", write("outs.yaml", "targets: [builtin/noop]\nops: 100\noutputs: [/proc/x.json]\n"), "--check"}, 2, "/proc/x.json"},
		{[]string{"report", write("far.json", `{"schema":"dsbench/v1","runs":[{"id":"r1","intervals":[{"start_s":1e300}]}]}`), "-o", at("rep")}, 2, "start_s=1e+300"},
	} {
		start := time.Now()
		code, _, errs := cli(t, p.args...)
		if code != p.code || !strings.Contains(errs, p.want) {
			t.Errorf("dsbench %s: exit %d, stderr %q; want exit %d and %q", strings.Join(p.args, " "), code, errs, p.code, p.want)
		}
		if el := time.Since(start); el > 10*time.Second {
			t.Errorf("dsbench %s: took %v to refuse", strings.Join(p.args, " "), el)
		}
	}
	if b, _ := os.ReadFile(base); !bytes.Equal(b, baseBytes) {
		t.Error("the baseline was changed")
	}
	if b, _ := os.ReadFile(trace); !bytes.Equal(b, traceBytes) {
		t.Error("the trace was changed")
	}
	if _, err := os.Stat(at("rep")); err == nil {
		t.Error("report left a directory for a document it refused")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func seq(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = strconv.Itoa(i + 1)
	}
	return strings.Join(parts, "|")
}

func init() {
	commands = append(commands, func(*App) *cobra.Command {
		cmd := &cobra.Command{Use: "testonly-panic", Hidden: true, RunE: func(*cobra.Command, []string) error {
			var m map[string]int
			m["x"]++ // a bug: assignment to a nil map
			return nil
		}}
		cmd.Flags().String("seed", "", "")
		return cmd
	})
}

// A panic is a bug in dsbench: exit 3 with what to report and how to
// reproduce it, never 2 (bad input), which is Go's own exit code for a panic.
func TestPanicIsInternalError(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"testonly-panic", "--seed", "42"}, strings.NewReader(""), &out, &errb)
	if code != exitInternal {
		t.Errorf("exit %d, want %d", code, exitInternal)
	}
	for _, want := range []string{"internal error: please report", "dsbench testonly-panic --seed 42", "seed: 42", "goroutine"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb.String())
		}
	}
}

// A run that fails for a bug in its target (a panic in a wall-clock worker,
// ops a virtual-time target never completed: harness.ErrTargetBug, also
// through bench's list of failed runs, see bench's TestRunsFailedKeepsTargetBug)
// exits 3 like a panic, not 1 or 2.
func TestTargetBugIsInternalError(t *testing.T) {
	err := fmt.Errorf("mapreduce/job: %w: 39 ops were still in flight", harness.ErrTargetBug)
	if code := exitCode(&App{}, err, io.Discard); code != exitInternal {
		t.Errorf("%v: exit %d, want %d", err, code, exitInternal)
	}
	if code := exitCode(&App{}, errors.New("1 of 2 runs failed"), io.Discard); code != exitFailed {
		t.Errorf("an ordinary failed run: exit %d, want %d", code, exitFailed)
	}
}
