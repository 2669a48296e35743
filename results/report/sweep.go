package report

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"

	"github.com/dsbench/dsbench/results"
)

// sweepCharts finds parameters that vary between otherwise identical runs
// and draws throughput and p99 against each, one line per fixed remainder
// (target, workload, clock, other parameters); repetitions are reduced to
// their median.
func sweepCharts(runs []results.Run) []*Chart {
	names := map[string]bool{}
	for _, r := range runs {
		for k := range r.Params {
			names[k] = true
		}
	}
	var params []string
	for k := range names {
		params = append(params, k)
	}
	sort.Strings(params)
	var out []*Chart
	for _, p := range params {
		if cs := sweepFor(runs, p); cs != nil {
			out = append(out, cs...)
		}
	}
	return out
}

type point struct{ tput, p99 []float64 }

func sweepFor(runs []results.Run, param string) []*Chart {
	series := map[string]map[string]*point{} // rest → value → samples
	var order []string
	for _, r := range runs {
		v, ok := r.Params[param]
		if !ok || r.Error != "" {
			continue
		}
		rest := r.Target + " " + r.WorkloadName + " " + r.Clock + " " + restParams(r.Params, param)
		if series[rest] == nil {
			series[rest] = map[string]*point{}
			order = append(order, rest)
		}
		pt := series[rest][v]
		if pt == nil {
			pt = &point{}
			series[rest][v] = pt
		}
		pt.tput = append(pt.tput, r.ThroughputOpsS)
		pt.p99 = append(pt.p99, r.LatencyNs.P99)
	}
	var keep []string
	values := map[string]bool{}
	for _, s := range order {
		if len(series[s]) >= 2 {
			keep = append(keep, s)
			for v := range series[s] {
				values[v] = true
			}
		}
	}
	if len(keep) == 0 {
		return nil
	}
	xOf, numeric, logX, nominal := xAxis(values)
	maxP99 := 0.0
	for _, s := range keep {
		for _, pt := range series[s] {
			maxP99 = math.Max(maxP99, medianOf(pt.p99))
		}
	}
	div, u := unit(maxP99)
	tp := newPlot("Throughput against "+param, param, "ops/s")
	lp := newPlot("p99 latency against "+param, param, "p99 latency ("+u+")")
	for _, pl := range []*plot.Plot{tp, lp} {
		if logX {
			pl.X.Scale = plot.LogScale{}
			pl.X.Tick.Marker = plot.LogTicks{Prec: -1}
		}
		if !numeric {
			pl.NominalX(nominal...)
		}
		pl.Y.Min = 0
	}
	for i, s := range keep {
		var vs []string
		for v := range series[s] {
			vs = append(vs, v)
		}
		sort.Slice(vs, func(a, b int) bool { return xOf(vs[a]) < xOf(vs[b]) })
		var t, l plotter.XYs
		for _, v := range vs {
			pt := series[s][v]
			t = append(t, plotter.XY{X: xOf(v), Y: medianOf(pt.tput)})
			l = append(l, plotter.XY{X: xOf(v), Y: medianOf(pt.p99) / div})
		}
		name := strings.Join(strings.Fields(s), " ")
		addLine(tp, i, name, t)
		addLine(lp, i, name, l)
		addPoints(tp, i, t)
		addPoints(lp, i, l)
	}
	headroom(tp, lp)
	return []*Chart{
		{Name: "sweep-" + slug(param) + "-throughput", Title: "Throughput against " + param, plot: tp},
		{Name: "sweep-" + slug(param) + "-p99", Title: "p99 latency against " + param, plot: lp},
	}
}

func restParams(ps map[string]string, skip string) string {
	var ks []string
	for k, v := range ps {
		if k != skip {
			ks = append(ks, k+"="+v)
		}
	}
	sort.Strings(ks)
	return strings.Join(ks, " ")
}

// xAxis maps parameter values to x positions: numbers where every value is
// one (on a log axis when positive and spanning two decades or more),
// otherwise positions 0…k−1 in sorted order.
func xAxis(values map[string]bool) (xOf func(string) float64, numeric, logX bool, nominal []string) {
	numeric = true
	lo, hi := math.Inf(1), math.Inf(-1)
	for v := range values {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			numeric = false
			break
		}
		lo, hi = math.Min(lo, f), math.Max(hi, f)
	}
	if numeric {
		logX = lo > 0 && hi/lo >= 100
		return func(s string) float64 { f, _ := strconv.ParseFloat(s, 64); return f }, true, logX, nil
	}
	for v := range values {
		nominal = append(nominal, v)
	}
	sort.Strings(nominal)
	idx := map[string]float64{}
	for i, v := range nominal {
		idx[v] = float64(i)
	}
	return func(s string) float64 { return idx[s] }, false, false, nominal
}

func medianOf(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
