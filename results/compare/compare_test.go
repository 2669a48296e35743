package compare

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsbench/dsbench/results"
)

var update = flag.Bool("update", false, "rewrite golden files")

// mkRun builds a run whose latencies scale with lat (the p99 in ns).
func mkRun(target, workload string, seed uint64, rep int, tput, lat float64, metrics map[string]float64) results.Run {
	return results.Run{
		Target: target, Params: map[string]string{"nodes": "10"}, Workload: workload, WorkloadName: workload,
		Seed: seed, Clock: "wall", Repetition: rep, ThroughputOpsS: tput,
		LatencyNs: results.Summary{P50: lat / 4, P90: lat / 2, P99: lat, P999: lat * 3, Max: lat * 10},
		ServiceNs: results.Summary{P50: lat / 5, P99: lat * 0.9},
		Metrics:   metrics,
	}
}

// sample draws n repetitions around (tput, lat) with relative noise sd.
func sample(r *rand.Rand, target, workload string, seed uint64, n int, tput, lat, sd float64) []results.Run {
	var runs []results.Run
	for i := 0; i < n; i++ {
		f := 1 + sd*r.NormFloat64()
		g := 1 + sd*r.NormFloat64()
		runs = append(runs, mkRun(target, workload, seed, i, tput*g, lat*f, map[string]float64{"keys_moved_add": 0.09 * f * lat / 1e6}))
	}
	return runs
}

func doc(runs ...[]results.Run) *results.Document {
	d := &results.Document{Schema: results.SchemaVersion}
	for _, rs := range runs {
		d.Runs = append(d.Runs, rs...)
	}
	return d
}

func verdictOf(t *testing.T, res *Result, metric string) Row {
	t.Helper()
	for _, r := range res.Rows {
		if r.Metric == metric {
			return r
		}
	}
	t.Fatalf("no row for %s", metric)
	return Row{}
}

func TestSameDistributionFalseAlarmRate(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	gate, _ := ParseThreshold("latency.p99>+1%")
	const trials = 1000
	alarms, fails := 0, 0
	for i := 0; i < trials; i++ {
		b := doc(sample(r, "hashing/ring", "ycsb-a", 1, 10, 1e6, 1e6, 0.05))
		c := doc(sample(r, "hashing/ring", "ycsb-a", 1, 10, 1e6, 1e6, 0.05))
		res, err := Compare(b, c, Options{Noise: -1, Gates: []Threshold{gate}})
		if err != nil {
			t.Fatal(err)
		}
		if verdictOf(t, res, "latency.p99").Verdict != Same {
			alarms++
		}
		if res.Failed() {
			fails++
		}
	}
	// The exact test at 10+10 rejects with probability ≈ 0.043 under the
	// null (the attainable level just below α); over 1000 trials that is
	// 43 ± 6.4. A rate near α, not merely below it: a comparison that never
	// calls a change would pass an upper bound alone.
	if rate := float64(alarms) / trials; rate < 0.025 || rate > 0.065 {
		t.Errorf("false-alarm rate %.3f over %d trials, want ≈ α (0.025…0.065)", rate, trials)
	}
	// The gate fires on one side only: about half the alarms.
	if rate := float64(fails) / trials; rate < 0.008 || rate > 0.035 {
		t.Errorf("gate false-failure rate %.3f, want ≈ α/2 (0.008…0.035)", rate)
	}
}

func TestSameDistributionIsTilde(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	b := doc(sample(r, "builtin/sleep", "ycsb-a", 1, 6, 1e5, 1e6, 0.005))
	c := doc(sample(r, "builtin/sleep", "ycsb-a", 2, 6, 1e5, 1e6, 0.005))
	gate, _ := ParseThreshold("latency.p99>+5%")
	res, err := Compare(b, c, Options{Gates: []Threshold{gate}})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range res.Rows {
		if row.Verdict != Same {
			t.Errorf("%s: verdict %q, want ~ (change %+.3f, p %.3f)", row.Metric, row.Verdict, row.Change, row.P)
		}
	}
	if res.Failed() {
		t.Errorf("gate failed on identical distributions: %v", res.Failures)
	}
	if len(res.Notes) == 0 || !strings.Contains(res.Notes[0], "seeds differ") {
		t.Errorf("different seeds not noted: %v", res.Notes)
	}
}

func TestTenPercentSlowdown(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	b := doc(sample(r, "builtin/sleep", "ycsb-a", 1, 5, 1e5, 1e6, 0.01))
	c := doc(sample(r, "builtin/sleep", "ycsb-a", 1, 5, 1e5/1.1, 1.1e6, 0.01))
	g1, _ := ParseThreshold("latency.p99>+5%")
	g2, _ := ParseThreshold("throughput<-3%")
	res, err := Compare(b, c, Options{Gates: []Threshold{g1, g2}})
	if err != nil {
		t.Fatal(err)
	}
	row := verdictOf(t, res, "latency.p99")
	if row.Verdict != Slower || row.Change < 0.05 || row.Lo > 0.1 || row.Hi < 0.1 {
		t.Errorf("latency.p99: %+v, want slower with a CI around +10%%", row)
	}
	if v := verdictOf(t, res, "throughput").Verdict; v != Slower {
		t.Errorf("throughput verdict %q, want slower", v)
	}
	if v := verdictOf(t, res, "metrics.keys_moved_add").Verdict; v != Higher {
		t.Errorf("family metric verdict %q, want higher", v)
	}
	if !res.Failed() || len(res.Failures) != 2 {
		t.Errorf("failures %v, want both gates", res.Failures)
	}
	// The reverse comparison is an improvement and crosses nothing.
	rev, _ := Compare(c, b, Options{Gates: []Threshold{g1, g2}})
	if v := verdictOf(t, rev, "latency.p99").Verdict; v != Faster || rev.Failed() {
		t.Errorf("reverse: verdict %q, failures %v", v, rev.Failures)
	}
}

func TestNoiseBand(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	b := doc(sample(r, "t/x", "w", 1, 10, 1e5, 1e6, 0.001))
	c := doc(sample(r, "t/x", "w", 1, 10, 1e5, 1.01e6, 0.001))
	res, _ := Compare(b, c, Options{})
	if row := verdictOf(t, res, "latency.p99"); row.P >= 0.05 || row.Verdict != Same {
		t.Errorf("a significant +1%% inside the 2%% band: %+v, want ~", row)
	}
	res, _ = Compare(b, c, Options{Noise: 0.005})
	if row := verdictOf(t, res, "latency.p99"); row.Verdict != Slower {
		t.Errorf("with a 0.5%% band: %q, want slower", row.Verdict)
	}
}

func TestTooFewRuns(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	b := doc(sample(r, "t/x", "w", 1, 3, 1e5, 1e6, 0.01))
	c := doc(sample(r, "t/x", "w", 1, 3, 1e5, 2e6, 0.01))
	gate, _ := ParseThreshold("latency.p99>+5%")
	res, err := Compare(b, c, Options{Gates: []Threshold{gate}})
	if err != nil {
		t.Fatal(err)
	}
	row := verdictOf(t, res, "latency.p99")
	if !row.Insufficient || !strings.Contains(row.Verdict, "need ≥ 4 per side") {
		t.Errorf("3 vs 3 runs: %q, want insufficient samples (need ≥ 4 per side)", row.Verdict)
	}
	if res.Failed() || len(res.Undecided) != 1 {
		t.Errorf("gate with too few samples: failures %v undecided %v", res.Failures, res.Undecided)
	}
}

func TestMismatch(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	b := doc(sample(r, "hashing/ring", "ycsb-a", 1, 4, 1, 1, 0))
	for _, c := range []struct {
		cand *results.Document
		want []string
	}{
		{doc(sample(r, "hashing/jump", "ycsb-a", 1, 4, 1, 1, 0)), []string{"targets differ", `"hashing/ring"`, `"hashing/jump"`}},
		{doc(sample(r, "hashing/ring", "ycsb-b", 1, 4, 1, 1, 0)), []string{"workloads differ", `"ycsb-a"`, `"ycsb-b"`}},
	} {
		_, err := Compare(b, c.cand, Options{})
		var me *MismatchError
		if !errors.As(err, &me) {
			t.Fatalf("got %v, want a MismatchError", err)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q lacks %q", err, w)
			}
		}
	}
	gate, _ := ParseThreshold("metrics.nope>+1%")
	if _, err := Compare(b, b, Options{Gates: []Threshold{gate}}); err == nil || !strings.Contains(err.Error(), "metrics.nope") {
		t.Errorf("gate on a missing metric: %v", err)
	}
}

func TestGolden(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	b := doc(sample(r, "hashing/ring", "ycsb-a", 1, 5, 2e6, 8e5, 0.01), sample(r, "hashing/jump", "ycsb-a", 1, 5, 5e6, 3e5, 0.01))
	c := doc(sample(r, "hashing/ring", "ycsb-a", 2, 5, 1.8e6, 9e5, 0.01), sample(r, "hashing/jump", "ycsb-a", 2, 5, 5e6, 3e5, 0.01))
	gate, _ := ParseThreshold("latency.p99>+5%")
	res, err := Compare(b, c, Options{Gates: []Threshold{gate}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Formats {
		var buf bytes.Buffer
		if err := Write(&buf, res, f); err != nil {
			t.Fatal(err)
		}
		golden(t, filepath.Join("testdata", "compare."+f), buf.Bytes())
	}
	if err := Write(&bytes.Buffer{}, res, "xml"); err == nil || !strings.Contains(err.Error(), "table, md, json, csv") {
		t.Errorf("unknown format: %v", err)
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update to accept):\n%s", path, got)
	}
}

func TestIgnoreParams(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	b := doc(sample(r, "builtin/sleep", "ycsb-a", 1, 5, 1e5, 1e6, 0.01))
	c := doc(sample(r, "builtin/sleep", "ycsb-a", 1, 5, 1e5/1.1, 1.1e6, 0.01))
	for i := range c.Runs {
		c.Runs[i].Params = map[string]string{"nodes": "11"}
	}
	if _, err := Compare(b, c, Options{}); err == nil || !strings.Contains(err.Error(), "--ignore-param") {
		t.Fatalf("a parameter change without --ignore-param: %v", err)
	}
	res, err := Compare(b, c, Options{IgnoreParams: []string{"nodes"}})
	if err != nil {
		t.Fatal(err)
	}
	if v := verdictOf(t, res, "latency.p99").Verdict; v != Slower {
		t.Errorf("verdict %q, want slower", v)
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "nodes=10") || !strings.Contains(res.Notes[0], "nodes=11") {
		t.Errorf("notes %v, want the ignored parameters named", res.Notes)
	}
}

func BenchmarkCompare(b *testing.B) {
	r := rand.New(rand.NewPCG(23, 24))
	var bs, cs [][]results.Run
	for i := 0; i < 10; i++ {
		name := fmt.Sprintf("t/x%d", i)
		bs = append(bs, sample(r, name, "w", 1, 10, 1e5, 1e6, 0.02))
		cs = append(cs, sample(r, name, "w", 1, 10, 1e5, 1.05e6, 0.02))
	}
	base, cand := doc(bs...), doc(cs...)
	for b.Loop() {
		if _, err := Compare(base, cand, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestKeyGates gates one key only: the other key's regression is reported
// (slower) but fails nothing, as a suite's ungated wall-clock entry.
func TestKeyGates(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	b := doc(sample(r, "builtin/sleep", "w", 1, 5, 1e5, 1e6, 0.01), sample(r, "builtin/map", "w", 1, 5, 1e5, 1e6, 0.01))
	c := doc(sample(r, "builtin/sleep", "w", 1, 5, 1e5, 1.1e6, 0.01), sample(r, "builtin/map", "w", 1, 5, 1e5, 1.5e6, 0.01))
	g, _ := ParseThreshold("latency.p99>+5%")
	loose, _ := ParseThreshold("latency.p50>+80%")
	sleep := KeyOf(&b.Runs[0], nil)
	mapKey := KeyOf(&b.Runs[5], nil)
	res, err := Compare(b, c, Options{KeyGates: map[Key][]Threshold{sleep: {g}, mapKey: {loose}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failures) != 1 || !strings.Contains(res.Failures[0], "builtin/sleep") {
		t.Errorf("failures %v, want only the gated builtin/sleep", res.Failures)
	}
	for _, row := range res.Rows {
		if row.Target == "builtin/map" && row.Metric == "latency.p99" && (row.Verdict != Slower || len(row.Failed) > 0) {
			t.Errorf("ungated map row %+v, want slower and not failed", row)
		}
	}
	if len(res.Gates) != 2 {
		t.Errorf("gates %v, want both listed", res.Gates)
	}
	bad, _ := ParseThreshold("metrics.nope>+1%")
	if _, err := Compare(b, c, Options{KeyGates: map[Key][]Threshold{sleep: {bad}}}); err == nil {
		t.Error("a key gate on a missing metric was accepted")
	}
}

// TestPairByWorkload compares two different targets on one workload: refused
// by default (they measure different things), a verdict with a p-value when
// pairing by workload, and refused again when a side pools two variants.
func TestPairByWorkload(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	base := doc(sample(r, "loadbalance/round-robin", "default", 1, 5, 2000, 6e9, 0.02))
	cand := doc(sample(r, "loadbalance/p2c", "default", 1, 5, 7000, 17e6, 0.02))
	_, err := Compare(base, cand, Options{})
	var mm *MismatchError
	if !errors.As(err, &mm) || !strings.Contains(err.Error(), "targets differ") {
		t.Fatalf("default pairing across targets: %v, want a mismatch naming the targets", err)
	}
	res, err := Compare(base, cand, Options{PairBy: PairWorkload})
	if err != nil {
		t.Fatal(err)
	}
	p99 := verdictOf(t, res, "latency.p99")
	if p99.Verdict != Faster || p99.P >= 0.05 || !strings.HasPrefix(p99.Label, "loadbalance/round-robin vs loadbalance/p2c default") {
		t.Errorf("p99 row %+v: want faster with p < 0.05, labelled with both variants", p99)
	}
	if tp := verdictOf(t, res, "throughput"); tp.Verdict != Faster {
		t.Errorf("throughput verdict %q, want faster", tp.Verdict)
	}
	pooled := doc(sample(r, "loadbalance/p2c", "default", 1, 5, 7000, 17e6, 0.02), sample(r, "loadbalance/random", "default", 1, 5, 2000, 6e9, 0.02))
	if _, err := Compare(base, pooled, Options{PairBy: PairWorkload}); !errors.As(err, &mm) || !strings.Contains(err.Error(), "2 variants") {
		t.Errorf("a side with two variants on one workload: %v, want a mismatch", err)
	}
	if _, err := Compare(base, cand, Options{PairBy: "target"}); err == nil || !strings.Contains(err.Error(), "workload") {
		t.Errorf("bad pair-by: %v", err)
	}
}

// An absolute gate in compare judges the candidate's median alone, with no
// significance test: the same threshold fails whatever the base measured.
func TestAbsoluteGateJudgesCandidate(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	b := doc(sample(r, "builtin/sleep", "ycsb-a", 1, 3, 1e5, 1e6, 0.005))
	c := doc(sample(r, "builtin/sleep", "ycsb-a", 1, 3, 1e5, 1e6, 0.005))
	tight, _ := ParseThreshold("latency.p99>500us")
	loose, _ := ParseThreshold("latency.p99>5ms")
	res, err := Compare(b, c, Options{Gates: []Threshold{tight, loose}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failures) != 1 || !strings.HasPrefix(res.Failures[0], "latency.p99>500us on ") || !strings.Contains(res.Failures[0], "candidate median 1") {
		t.Errorf("failures %v, want latency.p99>500us alone", res.Failures)
	}
	if len(res.Undecided) != 0 {
		t.Errorf("an absolute gate needs no samples to decide: %v", res.Undecided)
	}
}
