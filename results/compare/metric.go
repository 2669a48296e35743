package compare

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dsbench/dsbench/results"
)

// Direction says which way a metric improves.
type Direction int

// The directions. Family metrics (write_amp, keys_moved_add, admitted_rate…)
// have no direction dsbench can know, so their verdicts say only "higher" or
// "lower"; a gate on them states the direction that fails.
const (
	Unknown Direction = iota
	HigherIsBetter
	LowerIsBetter
)

// builtin lists the metrics every run has, in report order; the first five
// are compared by default.
var builtin = []struct {
	name string
	dir  Direction
	get  func(*results.Run) float64
}{
	{"throughput", HigherIsBetter, func(r *results.Run) float64 { return r.ThroughputOpsS }},
	{"latency.p50", LowerIsBetter, func(r *results.Run) float64 { return r.LatencyNs.P50 }},
	{"latency.p99", LowerIsBetter, func(r *results.Run) float64 { return r.LatencyNs.P99 }},
	{"latency.p999", LowerIsBetter, func(r *results.Run) float64 { return r.LatencyNs.P999 }},
	{"service.p99", LowerIsBetter, func(r *results.Run) float64 { return r.ServiceNs.P99 }},
	{"latency.p90", LowerIsBetter, func(r *results.Run) float64 { return r.LatencyNs.P90 }},
	{"latency.p9999", LowerIsBetter, func(r *results.Run) float64 { return r.LatencyNs.P9999 }},
	{"latency.max", LowerIsBetter, func(r *results.Run) float64 { return r.LatencyNs.Max }},
	{"latency.mean", LowerIsBetter, func(r *results.Run) float64 { return r.LatencyNs.Mean }},
	{"service.p50", LowerIsBetter, func(r *results.Run) float64 { return r.ServiceNs.P50 }},
	{"service.p999", LowerIsBetter, func(r *results.Run) float64 { return r.ServiceNs.P999 }},
	{"errors", LowerIsBetter, func(r *results.Run) float64 { return float64(r.Errors) }},
	{"fairness.shards.jain", HigherIsBetter, func(r *results.Run) float64 { return r.Fairness.Shards.Jain }},
	{"send_lag.p99", LowerIsBetter, func(r *results.Run) float64 { return sendLag(r).P99 }},
	{"dropped", LowerIsBetter, func(r *results.Run) float64 { return float64(r.Dropped) }},
}

// sendLag is a run's send lag; a closed loop has none, which reads as 0.
func sendLag(r *results.Run) results.Summary {
	if r.SendLagNs == nil {
		return results.Summary{}
	}
	return *r.SendLagNs
}

const defaultBuiltins = 5

// DefaultMetrics are compared when Options.Metrics is empty, followed by
// every family metric present on both sides.
func DefaultMetrics() []string {
	var ns []string
	for _, b := range builtin[:defaultBuiltins] {
		ns = append(ns, b.name)
	}
	return ns
}

// MetricNames lists every name a gate or --metric may use.
func MetricNames() []string {
	var ns []string
	for _, b := range builtin {
		ns = append(ns, b.name)
	}
	return append(ns, "metrics.<name>")
}

// metricDirection returns the direction of a known metric name, or an
// error naming the valid ones.
func metricDirection(name string) (Direction, error) {
	for _, b := range builtin {
		if b.name == name {
			return b.dir, nil
		}
	}
	if rest, ok := strings.CutPrefix(name, "metrics."); ok && rest != "" {
		return Unknown, nil
	}
	return Unknown, fmt.Errorf("unknown metric %q (valid: %s)", name, strings.Join(MetricNames(), ", "))
}

// value extracts a metric from a run; ok is false when the run lacks it or
// the figure is undefined for it (no samples, no shards, no duration), so an
// undefined figure is never compared as a measured 0.
func value(r *results.Run, name string) (float64, bool) {
	for _, b := range builtin {
		if b.name == name {
			return b.get(r), defined(r, name)
		}
	}
	if rest, ok := strings.CutPrefix(name, "metrics."); ok {
		v, ok := r.Metrics[rest]
		return v, ok
	}
	return 0, false
}

// familyMetrics lists metrics.<name> present in every given run.
func familyMetrics(runs []*results.Run) []string {
	if len(runs) == 0 {
		return nil
	}
	var ns []string
	for k := range runs[0].Metrics {
		all := true
		for _, r := range runs[1:] {
			if _, ok := r.Metrics[k]; !ok {
				all = false
				break
			}
		}
		if all {
			ns = append(ns, "metrics."+k)
		}
	}
	sort.Strings(ns)
	return ns
}

// defined reports whether a built-in figure means anything for r.
func defined(r *results.Run, name string) bool {
	switch {
	case name == "throughput":
		return r.ThroughputDefined()
	case strings.HasPrefix(name, "latency."):
		return r.LatencyNs.Defined()
	case strings.HasPrefix(name, "service."):
		return r.ServiceNs.Defined()
	case strings.HasPrefix(name, "fairness.shards."):
		return r.Fairness.Shards.Defined()
	}
	return true
}
