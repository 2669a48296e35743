package results

import (
	"math"
	"slices"
	"strings"
)

// Aggregates over repetitions. Runs repeated with --runs K share their
// target, every parameter, the workload spec and the clock, and differ only
// in seed; the xlsx aggregate sheet reduces each such group, figure by
// figure, to its sample count, median, min and max, mean, and a 95%
// confidence interval for the mean (Student's t: mean ± t(0.975, n−1)·s/√n,
// s the sample standard deviation; n ≥ 2). The median is the figure to
// quote; the interval says how far the repetitions' mean can be trusted.

// Aggregate is one figure of one group of repeated runs.
type Aggregate struct {
	Target, Params, Workload, Clock string // the group: Params the set parameters, Workload its label
	Figure                          string // a wide-table column name: latency_ns_p99, metric.keys_moved, …
	N                               int    // repetitions with the figure defined
	Median, Min, Max, Mean          float64
	CILow, CIHigh                   float64 // 95% interval for the mean; NaN when N < 2
}

// aggregateSkip are numeric columns that identify a run rather than measure it.
var aggregateSkip = map[string]bool{"seed": true, "repetition": true, "workers": true}

// Aggregates reduces every group of repeated runs in doc, in the order the
// groups first appear, figures in wide-table order. Groups of one run are
// left out: there is nothing to aggregate.
func Aggregates(doc *Document) []Aggregate {
	type group struct {
		runs []*Run
	}
	var order []string
	groups := map[string]*group{}
	for i := range doc.Runs {
		r := &doc.Runs[i]
		k := groupKey(r)
		g, ok := groups[k]
		if !ok {
			g = &group{}
			groups[k] = g
			order = append(order, k)
		}
		g.runs = append(g.runs, r)
	}
	cols, _ := wideColumns(doc, nil)
	var out []Aggregate
	for _, k := range order {
		g := groups[k]
		if len(g.runs) < 2 {
			continue
		}
		first := g.runs[0]
		for _, c := range cols {
			if aggregateSkip[c.name] {
				continue
			}
			var xs []float64
			numeric := false
			for _, r := range g.runs {
				v := c.get(doc, r)
				switch v.kind {
				case countCell, numCell:
					numeric = true
					if v.ok {
						xs = append(xs, v.value())
					}
				}
			}
			if !numeric || len(xs) == 0 {
				continue
			}
			a := summarizeSample(xs)
			a.Target, a.Params, a.Workload, a.Clock = first.Target, paramsText(first.Params, shownParams(*first, TableOptions{})), workloadLabel(*first), first.Clock
			a.Figure = c.name
			out = append(out, a)
		}
	}
	return out
}

// value is a numeric cell's value.
func (c cell) value() float64 {
	if c.kind == countCell {
		return float64(c.count)
	}
	return c.num
}

// groupKey identifies the runs that are repetitions of one another.
func groupKey(r *Run) string {
	var b strings.Builder
	b.WriteString(r.Target)
	b.WriteByte(0)
	for _, k := range sortedKeys(r.Params) {
		b.WriteString(k + "=" + r.Params[k])
		b.WriteByte(0)
	}
	b.WriteString(r.Workload)
	b.WriteByte(0)
	b.WriteString(r.Clock)
	b.WriteByte(0)
	b.WriteString(r.Shard)
	return b.String()
}

// summarizeSample computes the aggregate figures of one sample.
func summarizeSample(xs []float64) Aggregate {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	a := Aggregate{N: n, Min: s[0], Max: s[n-1], CILow: math.NaN(), CIHigh: math.NaN()}
	if n%2 == 1 {
		a.Median = s[n/2]
	} else {
		a.Median = (s[n/2-1] + s[n/2]) / 2
	}
	var sum float64
	for _, x := range s {
		sum += x
	}
	a.Mean = sum / float64(n)
	if n >= 2 {
		var ss float64
		for _, x := range s {
			ss += (x - a.Mean) * (x - a.Mean)
		}
		half := studentT975(n-1) * math.Sqrt(ss/float64(n-1)) / math.Sqrt(float64(n))
		a.CILow, a.CIHigh = a.Mean-half, a.Mean+half
	}
	return a
}

// t975 are Student's t quantiles at 0.975 for 1…30 degrees of freedom
// (the standard table, to three decimals).
var t975 = []float64{12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
	2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
	2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042}

// studentT975 is the 0.975 quantile of Student's t with df degrees of
// freedom: the table up to 30, then the Cornish–Fisher expansion around the
// normal quantile (Abramowitz & Stegun 26.7.5), exact to 1e-4 there.
func studentT975(df int) float64 {
	if df < 1 {
		return math.NaN()
	}
	if df <= len(t975) {
		return t975[df-1]
	}
	const z = 1.959963984540054
	v := float64(df)
	z3, z5, z7 := z*z*z, math.Pow(z, 5), math.Pow(z, 7)
	return z + (z3+z)/(4*v) + (5*z5+16*z3+3*z)/(96*v*v) + (3*z7+19*z5+17*z3-15*z)/(384*v*v*v)
}
