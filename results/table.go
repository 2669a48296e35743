package results

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// WriteTable writes the run table, then the family metrics table when any
// run has metrics, then the footnotes (closed loops, interrupted and failed
// runs).
func WriteTable(w io.Writer, doc *Document, opt TableOptions) error {
	v := newView(doc, opt)
	aligns := make([]tw.Align, len(v.numeric))
	for i, num := range v.numeric {
		aligns[i] = tw.AlignLeft
		if num {
			aligns[i] = tw.AlignRight
		}
	}
	if err := renderTable(w, v.header, aligns, v.rows); err != nil {
		return err
	}
	if len(v.metrics) > 0 {
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
		if len(v.metrics) > compactMetricsOver {
			// Many runs of many figures: one row per run, figures wrapped,
			// so the tour and wide sweeps stay readable on a terminal.
			aligns := []tw.Align{tw.AlignLeft, tw.AlignLeft, tw.AlignLeft}
			if err := renderTable(w, []string{"run", "target", "metrics"}, aligns, compactMetrics(v.metrics)); err != nil {
				return err
			}
		} else {
			mAligns := []tw.Align{tw.AlignLeft, tw.AlignLeft, tw.AlignLeft, tw.AlignRight}
			if err := renderTable(w, []string{"run", "target", "metric", "value"}, mAligns, v.metrics); err != nil {
				return err
			}
		}
	}
	for _, n := range v.notes {
		if _, err := fmt.Fprintln(w, n); err != nil {
			return err
		}
	}
	return nil
}

func renderTable(w io.Writer, header []string, aligns []tw.Align, rows [][]string) error {
	cfg := tablewriter.Config{
		Header: tw.CellConfig{
			Formatting: tw.CellFormatting{AutoFormat: tw.Off}, // keep "p99", not "P99"
			Alignment:  tw.CellAlignment{PerColumn: aligns},
		},
		Row: tw.CellConfig{Alignment: tw.CellAlignment{PerColumn: aligns}},
	}
	t := tablewriter.NewTable(w, tablewriter.WithConfig(cfg))
	t.Header(header)
	for _, r := range rows {
		// Append keeps a reference to the slice it is given.
		if err := t.Append(slices.Clone(r)); err != nil {
			return err
		}
	}
	return t.Render()
}

// compactMetricsOver is the number of metric rows above which the table
// writer groups them per run.
const compactMetricsOver = 40

// compactMetrics turns (run, target, metric, value) rows into one row per
// run whose last cell lists "metric=value" pairs, wrapped at about 100
// columns.
func compactMetrics(rows [][]string) [][]string {
	var out [][]string
	var line, cell strings.Builder
	flush := func() {
		if line.Len() > 0 {
			if cell.Len() > 0 {
				cell.WriteByte('\n')
			}
			cell.WriteString(line.String())
			line.Reset()
		}
	}
	for i, r := range rows {
		pair := r[2] + "=" + r[3]
		if line.Len() > 0 && line.Len()+2+len(pair) > 100 {
			flush()
		}
		if line.Len() > 0 {
			line.WriteString("  ")
		}
		line.WriteString(pair)
		if i == len(rows)-1 || rows[i+1][0] != r[0] {
			flush()
			out = append(out, []string{r[0], r[1], cell.String()})
			cell.Reset()
		}
	}
	return out
}
