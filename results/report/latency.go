package report

import (
	"fmt"
	"math"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"

	"github.com/dsbench/dsbench/results"
)

// maxSeries bounds the lines one chart overlays; more is unreadable.
const maxSeries = 16

// stepsPerDecade is the resolution of the percentile curve along the x axis.
const stepsPerDecade = 20

// latencyChart overlays each run's latency percentile distribution on the
// nines axis. Runs without a histogram are skipped.
func latencyChart(runs []results.Run, names []string) (*Chart, error) {
	type curve struct {
		name string
		h    *hdr.Histogram
	}
	var cs []curve
	maxV, maxN := 0.0, int64(0)
	for i, r := range runs {
		h, err := results.DecodeHistogram(r.Histogram)
		if err != nil || h.TotalCount() == 0 {
			continue
		}
		if len(cs) == maxSeries {
			break
		}
		cs = append(cs, curve{names[i], h})
		maxV = math.Max(maxV, float64(h.Max()))
		maxN = max(maxN, h.TotalCount())
	}
	if len(cs) == 0 {
		return nil, nil
	}
	div, u := unit(maxV)
	p := newPlot("Latency by percentile (from intended start)", "percentile", "latency ("+u+")")
	p.X.Scale = plot.LogScale{}
	// The axis ends at the percentile the largest run can resolve: with N
	// samples, 1/(1−q) ≤ N.
	decades := math.Max(1, math.Ceil(math.Log10(float64(maxN))))
	p.X.Min, p.X.Max = 1, math.Pow(10, decades)
	p.X.Tick.Marker = ninesTicks(int(decades))
	for i, c := range cs {
		var xys plotter.XYs
		last := math.Log10(float64(c.h.TotalCount()))
		for s := 0; float64(s) <= last*stepsPerDecade; s++ {
			x := math.Pow(10, float64(s)/stepsPerDecade)
			q := 100 * (1 - 1/x)
			xys = append(xys, plotter.XY{X: x, Y: float64(c.h.ValueAtQuantile(q)) / div})
		}
		xys = append(xys, plotter.XY{X: math.Max(xys[len(xys)-1].X, float64(c.h.TotalCount())), Y: float64(c.h.Max()) / div})
		if err := addLine(p, i, c.name, xys); err != nil {
			return nil, err
		}
	}
	p.Y.Min = 0
	headroom(p)
	return &Chart{Name: "latency", Title: "Latency percentile distribution", plot: p}, nil
}

// ninesTicks labels 1, 10, 100… as 0%, 90%, 99%, 99.9%…
func ninesTicks(decades int) plot.ConstantTicks {
	var ts []plot.Tick
	for d := 0; d <= decades; d++ {
		x := math.Pow(10, float64(d))
		ts = append(ts, plot.Tick{Value: x, Label: ninesLabel(d)})
		if d < decades {
			for m := 2; m < 10; m++ {
				ts = append(ts, plot.Tick{Value: x * float64(m)})
			}
		}
	}
	return ts
}

func ninesLabel(d int) string {
	switch d {
	case 0:
		return "0%"
	case 1:
		return "90%"
	case 2:
		return "99%"
	}
	return fmt.Sprintf("99.%s%%", repeat9(d-2))
}

func repeat9(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '9'
	}
	return string(b)
}
