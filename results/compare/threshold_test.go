package compare

import (
	"strings"
	"testing"
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
