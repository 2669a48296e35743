package results

import (
	"fmt"
	"io"
	"slices"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

func writeTable(w io.Writer, doc *Document) error {
	return WriteTable(w, doc, TableOptions{})
}

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
		mAligns := []tw.Align{tw.AlignLeft, tw.AlignLeft, tw.AlignLeft, tw.AlignRight}
		if err := renderTable(w, []string{"run", "target", "metric", "value"}, mAligns, v.metrics); err != nil {
			return err
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
