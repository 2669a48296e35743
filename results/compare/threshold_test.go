package compare

import (
	"strings"
	"testing"

	"github.com/dsbench/dsbench/results"
)

func TestParseThreshold(t *testing.T) {
	good := []struct {
		in     string
		metric string
		op     string
		pct    float64
	}{
		{"latency.p99>+5%", "latency.p99", ">", 5},
		{"throughput<-3%", "throughput", "<", -3},
		{" metrics.write_amp > 10% ", "metrics.write_amp", ">", 10},
		{"service.p99>0.5%", "service.p99", ">", 0.5},
	}
	for _, g := range good {
		th, err := ParseThreshold(g.in)
		if err != nil {
			t.Fatalf("%q: %v", g.in, err)
		}
		if th.Metric != g.metric || th.Op != g.op || th.Percent != g.pct {
			t.Errorf("%q parsed as %+v", g.in, th)
		}
	}
	for _, b := range []struct{ in, want string }{
		{"latency.p42>+5%", `unknown metric "latency.p42"`},
		{"throughput=5%", "no metric"},
		{"throughput<-3", "percentage"},
		{"throughput<-x%", "not a number"},
		{"latency.p99>-5%", "never mean a regression"},
		{"metrics.>5%", "unknown metric"},
		{"latency.p99>NaN%", "not a finite number"},
		{"latency.p99>+Inf%", "not a finite number"},
		{"throughput<-1e400%", "not a finite number"},
	} {
		_, err := ParseThreshold(b.in)
		if err == nil || !strings.Contains(err.Error(), b.want) || !strings.Contains(err.Error(), b.in) ||
			!strings.Contains(err.Error(), "latency.p999") {
			t.Errorf("%q: error %v, want one naming it, %q and the valid metrics", b.in, err, b.want)
		}
	}
}

func TestThresholdCrossed(t *testing.T) {
	up, _ := ParseThreshold("latency.p99>+5%")
	down, _ := ParseThreshold("throughput<-3%")
	if !up.crossed(0.051) || up.crossed(0.05) || up.crossed(-0.2) {
		t.Error("latency.p99>+5% crossed wrongly")
	}
	if !down.crossed(-0.031) || down.crossed(-0.03) || down.crossed(0.5) {
		t.Error("throughput<-3% crossed wrongly")
	}
}

// Absolute thresholds share the grammar: a value without %, times with a
// unit, and they are judged on the figure itself.
func TestParseAbsoluteThreshold(t *testing.T) {
	for _, g := range []struct {
		in     string
		metric string
		op     string
		value  float64
	}{
		{"latency.p99>5ms", "latency.p99", ">", 5e6},
		{"service.p50 > 250us", "service.p50", ">", 250e3},
		{"send_lag.p99>1.5s", "send_lag.p99", ">", 1.5e9},
		{"errors>0", "errors", ">", 0},
		{"throughput<1e5", "throughput", "<", 1e5},
		{"throughput<100_000", "throughput", "<", 1e5},
		{"metrics.write_amp>2.5", "metrics.write_amp", ">", 2.5},
	} {
		th, err := ParseThreshold(g.in)
		if err != nil {
			t.Fatalf("%q: %v", g.in, err)
		}
		if !th.Absolute || th.Metric != g.metric || th.Op != g.op || th.Value != g.value {
			t.Errorf("%q parsed as %+v", g.in, th)
		}
	}
	for _, b := range []struct{ in, want string }{
		{"latency.p99>5", "give \"5\" a unit"},
		{"latency.p99>5parsecs", "not a duration"},
		{"throughput<fast", "not a finite number"},
		{"throughput<NaN", "not a finite number"},
		{"errors>", "no value"},
		{"throughput<-3", "percentage"},
	} {
		if _, err := ParseThreshold(b.in); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%q: error %v, want one saying %q", b.in, err, b.want)
		}
	}
}

func TestCheckRuns(t *testing.T) {
	fast := &results.Run{ID: "r1", Target: "a", Ops: 100, DurationS: 1, ThroughputOpsS: 2e5,
		LatencyNs: results.Summary{Count: 100, P99: 1e6}}
	slow := &results.Run{ID: "r2", Target: "b", Ops: 100, DurationS: 1, ThroughputOpsS: 5e4, Errors: 3,
		LatencyNs: results.Summary{Count: 100, P99: 8e6}}
	var gates []Threshold
	for _, e := range []string{"latency.p99>5ms", "errors>0", "throughput<1e5"} {
		g, err := ParseThreshold(e)
		if err != nil {
			t.Fatal(err)
		}
		gates = append(gates, g)
	}
	fails, err := CheckRuns([]*results.Run{fast, slow}, gates)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"latency.p99>5ms: r2 b has 8ms", "errors>0: r2 b has 3", "throughput<1e5: r2 b has 50000"}
	if strings.Join(fails, "\n") != strings.Join(want, "\n") {
		t.Errorf("failures:\n%s\nwant:\n%s", strings.Join(fails, "\n"), strings.Join(want, "\n"))
	}
	// An undefined figure does not pass silently.
	empty := &results.Run{ID: "r3", Target: "c"}
	if fails, _ := CheckRuns([]*results.Run{empty}, gates[:1]); len(fails) != 1 || !strings.Contains(fails[0], "does not define") {
		t.Errorf("a run without latency samples: %v", fails)
	}
	rel, _ := ParseThreshold("latency.p99>+5%")
	if _, err := CheckRuns([]*results.Run{fast}, []Threshold{rel}); err == nil || !strings.Contains(err.Error(), "baseline") {
		t.Errorf("a relative gate on one run: %v", err)
	}
}
