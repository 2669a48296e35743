package report

import (
	"gonum.org/v1/plot/plotter"

	"github.com/dsbench/dsbench/results"
)

// timeCharts draws throughput and p99 latency per interval, one line per
// run; nil when no run has intervals.
func timeCharts(runs []results.Run, names []string) []*Chart {
	maxP99 := 0.0
	any := false
	for _, r := range runs {
		for _, iv := range r.Intervals {
			any = true
			maxP99 = max(maxP99, iv.LatencyP99Ns)
		}
	}
	if !any {
		return nil
	}
	div, u := unit(maxP99)
	tp := newPlot("Throughput over time", "time (s)", "ops/s")
	lp := newPlot("p99 latency over time", "time (s)", "p99 latency ("+u+")")
	n := 0
	for i, r := range runs {
		if len(r.Intervals) == 0 {
			continue
		}
		if n == maxSeries {
			break
		}
		var t, l plotter.XYs
		for _, iv := range r.Intervals {
			t = append(t, plotter.XY{X: iv.StartS, Y: iv.ThroughputOpsS})
			l = append(l, plotter.XY{X: iv.StartS, Y: iv.LatencyP99Ns / div})
		}
		addLine(tp, n, names[i], t)
		addLine(lp, n, names[i], l)
		n++
	}
	tp.Y.Min, lp.Y.Min = 0, 0
	headroom(tp, lp)
	return []*Chart{
		{Name: "throughput", Title: "Throughput over time", plot: tp},
		{Name: "p99", Title: "p99 latency over time", plot: lp},
	}
}
