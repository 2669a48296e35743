package report

import (
	"bytes"
	"fmt"
	"image/color"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Chart is one rendered plot.
type Chart struct {
	Name  string // file stem: "latency", "throughput", "shards-r1", "sweep-vnodes"…
	Title string
	plot  *plot.Plot
}

// Size of every chart.
const (
	width  = 8 * vg.Inch
	height = 4.5 * vg.Inch
)

// SVG renders the chart as an SVG document.
func (c Chart) SVG() ([]byte, error) { return c.render("svg") }

// PNG renders the chart as a PNG image.
func (c Chart) PNG() ([]byte, error) { return c.render("png") }

func (c Chart) render(format string) (out []byte, err error) {
	// gonum/plot panics on an axis it cannot tick (a range of 1e300 from a
	// hand-edited result): that is a bad document, not a crash.
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("chart %s cannot be drawn from these figures: %v", c.Name, p)
		}
	}()
	wt, err := c.plot.WriterTo(width, height, format)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("rendering %s: %w", c.Name, err)
	}
	return b.Bytes(), nil
}

// palette is Okabe & Ito's colour-blind-safe set.
var palette = []color.Color{
	color.RGBA{0, 114, 178, 255}, color.RGBA{213, 94, 0, 255}, color.RGBA{0, 158, 115, 255},
	color.RGBA{204, 121, 167, 255}, color.RGBA{230, 159, 0, 255}, color.RGBA{86, 180, 233, 255},
	color.RGBA{0, 0, 0, 255}, color.RGBA{240, 228, 66, 255},
}

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	p.Legend.Left = true
	return p
}

// addLine adds one labelled series with the i-th colour and dash style.
func addLine(p *plot.Plot, i int, label string, xys plotter.XYs) error {
	if len(xys) == 0 {
		return nil
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	l.Color = palette[i%len(palette)]
	l.Width = vg.Points(1.5)
	if d := i / len(palette); d > 0 {
		l.Dashes = []vg.Length{vg.Points(float64(2 + 2*d)), vg.Points(2)}
	}
	p.Add(l)
	if len(xys) == 1 {
		s, _ := plotter.NewScatter(xys)
		s.Color = l.Color
		s.Shape = draw.CircleGlyph{}
		p.Add(s)
	}
	p.Legend.Add(label, l)
	return nil
}

// unit picks a duration unit for nanosecond values up to max.
func unit(maxNs float64) (float64, string) {
	switch {
	case maxNs >= 5e9:
		return 1e9, "s"
	case maxNs >= 5e6:
		return 1e6, "ms"
	case maxNs >= 5e3:
		return 1e3, "µs"
	}
	return 1, "ns"
}

func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '-' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// headroom raises a linear y axis so the legend, drawn top left, clears the data.
func headroom(ps ...*plot.Plot) {
	for _, p := range ps {
		if p.Y.Max > p.Y.Min {
			p.Y.Max += (p.Y.Max - p.Y.Min) * 0.25
		}
	}
}

// addPoints marks each point of a short series, so sweeps show what was measured.
func addPoints(p *plot.Plot, i int, xys plotter.XYs) {
	if s, err := plotter.NewScatter(xys); err == nil {
		s.Color = palette[i%len(palette)]
		s.Shape = draw.CircleGlyph{}
		p.Add(s)
	}
}
