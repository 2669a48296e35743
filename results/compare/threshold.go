package compare

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Threshold is one gate: fail when Metric changes past Percent in the
// direction of Op ('>' an increase beyond +Percent, '<' a decrease beyond
// −Percent), with significance.
type Threshold struct {
	Expr    string  `json:"expr"` // as written
	Metric  string  `json:"metric"`
	Op      string  `json:"op"`      // ">" or "<"
	Percent float64 `json:"percent"` // signed, e.g. +5 or −3
}

// ParseThreshold reads 'latency.p99>+5%' or 'throughput<-3%'. Errors name
// the expression and the valid metric names.
func ParseThreshold(expr string) (Threshold, error) {
	s := strings.ReplaceAll(strings.TrimSpace(expr), " ", "")
	i := strings.IndexAny(s, "<>")
	bad := func(why string) (Threshold, error) {
		return Threshold{}, fmt.Errorf("bad threshold %q: %s (form: METRIC>+N%% or METRIC<-N%%; metrics: %s)",
			expr, why, strings.Join(MetricNames(), ", "))
	}
	if i <= 0 {
		return bad("no metric followed by > or <")
	}
	t := Threshold{Expr: expr, Metric: s[:i], Op: s[i : i+1]}
	if _, err := metricDirection(t.Metric); err != nil {
		return bad(fmt.Sprintf("unknown metric %q", t.Metric))
	}
	num, ok := strings.CutSuffix(s[i+1:], "%")
	if !ok {
		return bad("the change must be a percentage ending in %")
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

// crossed reports whether a change (a fraction, 0.05 = +5%) is past the threshold.
func (t Threshold) crossed(change float64) bool {
	if t.Op == ">" {
		return change*100 > t.Percent
	}
	return change*100 < t.Percent
}

// String is the canonical form.
func (t Threshold) String() string {
	return fmt.Sprintf("%s%s%+g%%", t.Metric, t.Op, t.Percent)
}
