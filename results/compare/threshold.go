package compare

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/dsbench/dsbench/results"
	"github.com/dsbench/dsbench/workloads"
)

// Threshold is one gate. A relative one (METRIC>+N% or METRIC<-N%) fails
// when Metric changes past Percent in the direction of Op ('>' an increase
// beyond +Percent, '<' a decrease beyond −Percent), with significance; it
// needs a baseline (compare, suite --baseline). An absolute one
// (METRIC>VALUE or METRIC<VALUE, as k6's thresholds) fails when the figure
// itself is past Value: a single run's figure (run --fail-on), or the
// candidate side's median (compare).
type Threshold struct {
	Expr     string  `json:"expr"` // as written
	Metric   string  `json:"metric"`
	Op       string  `json:"op"`                 // ">" or "<"
	Percent  float64 `json:"percent"`            // relative: signed, e.g. +5 or −3
	Absolute bool    `json:"absolute,omitempty"` // METRIC>VALUE
	// Value is an absolute threshold in the metric's unit: nanoseconds for
	// latency.*, service.* and send_lag.* (written with a unit: 5ms, 250us),
	// ops/s for throughput, a count or the family's own unit otherwise.
	Value float64 `json:"value,omitempty"`
}

// ParseThreshold reads a relative gate, 'latency.p99>+5%' or
// 'throughput<-3%', or an absolute one, 'latency.p99>5ms', 'errors>0' or
// 'throughput<1e5': one grammar for compare, suite and run. Errors name the
// expression and the valid metric names.
func ParseThreshold(expr string) (Threshold, error) {
	s := strings.ReplaceAll(strings.TrimSpace(expr), " ", "")
	i := strings.IndexAny(s, "<>")
	bad := func(why string) (Threshold, error) {
		return Threshold{}, fmt.Errorf("bad threshold %q: %s (form: METRIC>+N%% or METRIC<-N%% against a baseline, METRIC>VALUE or METRIC<VALUE absolute, e.g. latency.p99>5ms, errors>0, throughput<1e5; metrics: %s)",
			expr, why, strings.Join(MetricNames(), ", "))
	}
	if i <= 0 {
		return bad("no metric followed by > or <")
	}
	t := Threshold{Expr: expr, Metric: s[:i], Op: s[i : i+1]}
	if _, err := metricDirection(t.Metric); err != nil {
		return bad(fmt.Sprintf("unknown metric %q", t.Metric))
	}
	num, relative := strings.CutSuffix(s[i+1:], "%")
	if !relative {
		if num != "" && (num[0] == '+' || num[0] == '-') {
			return bad(fmt.Sprintf("a signed number is a change, and a change is a percentage: %s%%, or an absolute value without a sign", num))
		}
		v, err := absoluteValue(t.Metric, num)
		if err != nil {
			return bad(err.Error())
		}
		t.Absolute, t.Value = true, v
		return t, nil
	}
	v, err := strconv.ParseFloat(num, 64)
	if (err != nil && !errors.Is(err, strconv.ErrRange)) || num == "" {
		return bad(fmt.Sprintf("%q is not a number", num))
	}
	// A NaN or infinite threshold is never crossed: a gate that silently
	// passes forever.
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return bad(fmt.Sprintf("%q is not a finite number", num))
	}
	if (t.Op == ">" && v < 0) || (t.Op == "<" && v > 0) {
		return bad(fmt.Sprintf("%s%s%% can never mean a regression; use > with + or < with -", t.Op, num))
	}
	t.Percent = v
	return t, nil
}

// durationMetric reports whether a metric is a time in nanoseconds.
func durationMetric(name string) bool {
	return strings.HasPrefix(name, "latency.") || strings.HasPrefix(name, "service.") || strings.HasPrefix(name, "send_lag.")
}

// absoluteValue reads an absolute threshold's value: a duration with its
// unit for a time metric, a number (1e5, 100_000, as --ops takes) otherwise.
func absoluteValue(metric, num string) (float64, error) {
	if num == "" {
		return 0, errors.New("no value after the comparison")
	}
	if durationMetric(metric) {
		d, err := time.ParseDuration(strings.ReplaceAll(num, "_", ""))
		if err != nil {
			if _, nerr := workloads.ParseNumber(num); nerr == nil {
				return 0, fmt.Errorf("%s is a time: give %q a unit (ns, us, ms, s), e.g. %sms", metric, num, num)
			}
			return 0, fmt.Errorf("%q is not a duration (e.g. 250us, 5ms, 1.5s)", num)
		}
		return float64(d.Nanoseconds()), nil
	}
	v, err := workloads.ParseNumber(num)
	if err != nil {
		return 0, fmt.Errorf("%q is not a finite number", num)
	}
	return v, nil
}

// CrossedBy reports whether an absolute threshold is crossed by figure v.
func (t Threshold) CrossedBy(v float64) bool {
	if t.Op == ">" {
		return v > t.Value
	}
	return v < t.Value
}

// crossed reports whether a change (a fraction, 0.05 = +5%) is past the threshold.
func (t Threshold) crossed(change float64) bool {
	if t.Op == ">" {
		return change*100 > t.Percent
	}
	return change*100 < t.Percent
}

// String is the canonical form.
func (t Threshold) String() string {
	if t.Absolute {
		if durationMetric(t.Metric) {
			return fmt.Sprintf("%s%s%v", t.Metric, t.Op, time.Duration(t.Value))
		}
		return fmt.Sprintf("%s%s%g", t.Metric, t.Op, t.Value)
	}
	return fmt.Sprintf("%s%s%+g%%", t.Metric, t.Op, t.Percent)
}

// CheckRuns applies absolute thresholds to each run's own figures, as
// 'dsbench run --fail-on' does, and returns one line per crossed threshold
// and run ("latency.p99>5ms: r1 storage/lsm has 7.2ms"). A figure the run
// does not define (no samples, a metric it lacks) crosses the threshold: a
// gate that cannot be judged must not pass. Relative thresholds are an
// error: they need a baseline.
func CheckRuns(runs []*results.Run, gates []Threshold) ([]string, error) {
	var failures []string
	for _, g := range gates {
		if !g.Absolute {
			return nil, fmt.Errorf("%q is relative: it needs a baseline (dsbench compare BASE NEW --fail-on %q, or suite --baseline); a single run takes absolute thresholds such as latency.p99>5ms, errors>0, throughput<1e5", g.Expr, g.Expr)
		}
		for _, r := range runs {
			label := r.ID + " " + r.Target
			v, ok := value(r, g.Metric)
			switch {
			case !ok || math.IsNaN(v):
				failures = append(failures, fmt.Sprintf("%s: %s does not define %s", g.Expr, label, g.Metric))
			case g.CrossedBy(v):
				failures = append(failures, fmt.Sprintf("%s: %s has %s", g.Expr, label, g.format(v)))
			}
		}
	}
	return failures, nil
}

// format writes a figure of the threshold's metric in its unit.
func (t Threshold) format(v float64) string {
	if durationMetric(t.Metric) {
		return time.Duration(v).String()
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}
