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
	// Everything is rendered before anything is written: a chart that
	// cannot be drawn leaves no partial report behind.
	type file struct {
		name string
		data []byte
	}
	var files []file
	svgs := make([][]byte, len(charts))
	for i, c := range charts {
		if svgs[i], err = c.SVG(); err != nil {
			return nil, err
		}
		files = append(files, file{c.Name + ".svg", svgs[i]})
		if o.PNG {
			png, err := c.PNG()
			if err != nil {
				return nil, err
			}
			files = append(files, file{c.Name + ".png", png})
		}
	}
	page, err := HTML(doc, charts, svgs)
	if err != nil {
		return nil, err
	}
	files = append(files, file{"report.html", page})
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := writeFile(p, f.data); err != nil {
			return paths, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// writeFile writes through a temporary name, so no torn file is left behind.
func writeFile(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return os.Rename(tmp, path)
}
