package report

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/dsbench/dsbench/results"
)

// Charts builds every chart the document has data for, in page order.
func Charts(doc *results.Document) ([]Chart, error) {
	names := labels(doc.Runs)
	var out []Chart
	lat, err := latencyChart(doc.Runs, names)
	if err != nil {
		return nil, err
	}
	add := func(cs ...*Chart) {
		for _, c := range cs {
			if c != nil {
				out = append(out, *c)
			}
		}
	}
	add(lat)
	add(timeCharts(doc.Runs, names)...)
	add(sweepCharts(doc.Runs)...)
	add(shardCharts(doc.Runs, names)...)
	return out, nil
}

// Options choose what Write produces.
type Options struct {
	PNG bool // also write a PNG of every chart
}

// Write renders doc into dir: NAME.svg (and NAME.png) per chart and
// report.html embedding them. It returns the paths written.
func Write(doc *results.Document, dir string, o Options) ([]string, error) {
	charts, err := Charts(doc)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	svgs := make([][]byte, len(charts))
	for i, c := range charts {
		if svgs[i], err = c.SVG(); err != nil {
			return paths, err
		}
		p := filepath.Join(dir, c.Name+".svg")
		if err := writeFile(p, svgs[i]); err != nil {
			return paths, err
		}
		paths = append(paths, p)
		if o.PNG {
			png, err := c.PNG()
			if err != nil {
				return paths, err
			}
			p := filepath.Join(dir, c.Name+".png")
			if err := writeFile(p, png); err != nil {
				return paths, err
			}
			paths = append(paths, p)
		}
	}
	page, err := HTML(doc, charts, svgs)
	if err != nil {
		return paths, err
	}
	p := filepath.Join(dir, "report.html")
	if err := writeFile(p, page); err != nil {
		return paths, err
	}
	return append(paths, p), nil
}

// writeFile writes through a temporary name, so no torn file is left behind.
func writeFile(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return os.Rename(tmp, path)
}
