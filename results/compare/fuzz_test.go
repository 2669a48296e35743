package compare

import (
	"math"
	"strings"
	"testing"

	"github.com/dsbench/dsbench/results"
)

// Gate expressions never panic, and an accepted one has a finite limit.
func FuzzParseThreshold(f *testing.F) {
	for _, s := range []string{"latency.p99>+25%", "throughput<-20%", "latency.p99>5ms", "metrics.x>NaN%", "latency.p99>+Inf%", "a>", ">1", "x>1e400%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		th, err := ParseThreshold(s)
		if err != nil {
			return
		}
		for _, v := range []float64{th.Percent, th.Value} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%q: limit %v accepted", s, v)
			}
		}
	})
}

// A relative gate cannot judge a change from a zero base: the row is
// listed apart and fails, unless AllowZeroBase; an absolute gate judges it.
func TestZeroBaseGate(t *testing.T) {
	base := docOf(t, []float64{0, 0, 0, 0, 0})
	cand := docOf(t, []float64{4.64e6, 4.6e6, 4.7e6, 4.65e6, 4.62e6})
	rel, _ := ParseThreshold("latency.p99>+25%")
	res, err := Compare(base, cand, Options{Gates: []Threshold{rel}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Failed() || len(res.ZeroBase) != 1 || len(res.Failures) != 0 || !strings.Contains(Summary(res), "CANNOT JUDGE") {
		t.Errorf("zero base: failed %v, zero-base %v, failures %v, summary %q", res.Failed(), res.ZeroBase, res.Failures, Summary(res))
	}
	if res, _ := Compare(base, cand, Options{Gates: []Threshold{rel}, AllowZeroBase: true}); res.Failed() {
		t.Errorf("--allow-zero-base still fails: %v", res.ZeroBase)
	}
	abs, _ := ParseThreshold("latency.p99>5ms")
	if res, _ := Compare(base, cand, Options{Gates: []Threshold{abs}}); res.Failed() {
		t.Errorf("absolute 5 ms gate fails a 4.64 ms candidate: %v %v", res.Failures, res.ZeroBase)
	}
	abs4, _ := ParseThreshold("latency.p99>4ms")
	if res, _ := Compare(base, cand, Options{Gates: []Threshold{abs4}}); len(res.Failures) != 1 {
		t.Errorf("absolute 4 ms gate passes a 4.64 ms candidate")
	}
}

// docOf is a document of one run per p99 latency (ns), the rest fixed.
func docOf(t *testing.T, p99s []float64) *results.Document {
	t.Helper()
	var runs []results.Run
	for i, lat := range p99s {
		r := mkRun("ratelimit/token-bucket", "w", 1, i, 1000, lat, nil)
		r.Ops, r.LatencyNs.Count, r.ServiceNs.Count, r.DurationS = 1000, 1000, 1000, 1 // measured: a p99 of 0 is a figure
		runs = append(runs, r)
	}
	return doc(runs)
}

// A gate on a figure that only new or gone runs have (a suite entry whose
// parameters changed) judges nothing: the runs are listed, the gate passes,
// and a metric no run has at all is still an error.
func TestGateOnUnpairedRunsPasses(t *testing.T) {
	common := func(i int) results.Run {
		r := mkRun("builtin/sleep", "w", 1, i, 1000, 1e6, nil)
		r.Ops, r.LatencyNs.Count, r.DurationS = 1000, 1000, 1
		return r
	}
	lsm := func(target string, i int) results.Run {
		r := mkRun(target, "w", 1, i, 1000, 1e6, map[string]float64{"write_amp": 3})
		r.Ops, r.LatencyNs.Count, r.DurationS = 1000, 1000, 1
		return r
	}
	var b, c []results.Run
	for i := range 4 {
		b = append(b, common(i), lsm("storage/lsm", i))
		c = append(c, common(i), lsm("storage/lsm2", i))
	}
	g, _ := ParseThreshold("metrics.write_amp>+10%")
	res, err := Compare(doc(b), doc(c), Options{Gates: []Threshold{g}, ListMissing: true})
	if err != nil || res.Failed() || len(res.New) != 1 || len(res.Gone) != 1 {
		t.Fatalf("err %v, failed %v, new %v, gone %v", err, res != nil && res.Failed(), res.New, res.Gone)
	}
	typo, _ := ParseThreshold("metrics.write_ampp>+10%")
	if _, err := Compare(doc(b), doc(c), Options{Gates: []Threshold{typo}, ListMissing: true}); err == nil {
		t.Error("a gate on a metric no run has passed")
	}
}
