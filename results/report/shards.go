package report

import (
	"fmt"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/dsbench/dsbench/results"
)

// maxShardCharts bounds the per-run load charts.
const maxShardCharts = 12

// shardCharts draws, per run with two shards or more, the ops each shard
// served, with the mean as a reference line.
func shardCharts(runs []results.Run, names []string) []*Chart {
	var out []*Chart
	for i, r := range runs {
		counts := r.Fairness.Shards.Counts
		if len(counts) < 2 {
			continue
		}
		if len(out) == maxShardCharts {
			break
		}
		s := r.Fairness.Shards
		p := newPlot(fmt.Sprintf("Load per shard: %s (Jain %.3f, max/mean %.2f)", names[i], s.Jain, s.MaxMean), "shard", "ops")
		vals := make(plotter.Values, len(counts))
		var sum float64
		for j, c := range counts {
			vals[j] = float64(c)
			sum += float64(c)
		}
		w := vg.Length(float64(width-vg.Inch) / float64(len(counts)) * 0.7)
		bars, err := plotter.NewBarChart(vals, max(w, vg.Points(1)))
		if err != nil {
			continue
		}
		bars.Color = palette[0]
		bars.LineStyle.Width = 0
		p.Add(bars)
		mean := sum / float64(len(counts))
		ml, _ := plotter.NewLine(plotter.XYs{{X: -0.5, Y: mean}, {X: float64(len(counts)) - 0.5, Y: mean}})
		ml.Color = palette[1]
		ml.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
		p.Add(ml)
		p.Legend.Add("mean", ml)
		p.Y.Min = 0
		headroom(p)
		if len(counts) <= 32 {
			ticks := make([]string, len(counts))
			for j := range ticks {
				ticks[j] = fmt.Sprint(j)
			}
			p.NominalX(ticks...)
		}
		out = append(out, &Chart{Name: "shards-" + slug(r.ID), Title: "Load per shard, " + names[i], plot: p})
	}
	return out
}
