package results

import (
	"encoding/csv"
	"io"
	"strconv"
)

// writeCSV writes the wide table (see columns.go): RFC 4180 with a header
// row, one row per run, undefined figures as empty cells.
func writeCSV(w io.Writer, doc *Document, o Options) error {
	cols, err := wideColumns(doc, o.Columns)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.name
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	row := make([]string, len(cols))
	for i := range doc.Runs {
		r := &doc.Runs[i]
		for j, c := range cols {
			row[j] = c.get(doc, r).String()
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// summaryCells are a summary's figures as text, empty when undefined.
func summaryCells(s Summary) []string {
	vals := summaryValues(s)
	out := make([]string, len(vals))
	out[0] = u64(s.Count) // exact even past 2^53
	for i := 1; i < len(vals); i++ {
		out[i] = numOf(vals[i], s.Defined()).String()
	}
	return out
}

// spreadCells are a spread's figures as text, the indexes empty when undefined.
func spreadCells(s Spread) []string {
	ok := s.Defined()
	return []string{strconv.Itoa(s.N), numOf(s.Jain, ok).String(), numOf(s.MaxMean, ok).String(),
		numOf(s.CoV, ok).String(), numOf(s.Gini, ok).String()}
}

func u64(v uint64) string  { return strconv.FormatUint(v, 10) }
func f64(v float64) string { return strconv.FormatFloat(finite(v), 'f', -1, 64) }
