package results

import (
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// The xlsx format is an Excel workbook (Office Open XML, written with
// excelize) for people who pivot and chart in a spreadsheet, with no JSON in
// between. Every sheet has a frozen header row and an autofilter; numbers are
// stored as numbers and units sit in the headers; an undefined figure is an
// empty cell. The sheets:
//
//	runs         the wide table, one row per run (the csv format's columns,
//	             Options.Columns respected)
//	metrics      one row per (run, figure), as csv-long
//	intervals    one row per (run, interval), as the intervals format
//	percentiles  one row per (run, percentile): p0 … p99.99 and p100 of the
//	             latency and service histograms
//	environment  where and when: version, commit, host, CPU, the command
//	aggregate    for repeated runs (--runs K): per group and figure, n,
//	             median, min, max, mean and a 95% interval (see Aggregates);
//	             present only when some run was repeated

// xlsxPercentiles are the percentiles of the percentiles sheet.
var xlsxPercentiles = []float64{0, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100}

func writeXLSX(w io.Writer, doc *Document, o Options) error {
	cols, err := wideColumns(doc, o.Columns)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	x := &xlsxBook{f: f}

	// runs
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = c.label
	}
	var rows [][]any
	for i := range doc.Runs {
		row := make([]any, len(cols))
		for j, c := range cols {
			row[j] = c.get(doc, &doc.Runs[i]).xlsx()
		}
		rows = append(rows, row)
	}
	x.sheet("runs", header, rows)

	// metrics
	rows = rows[:0:0]
	for i := range doc.Runs {
		r := &doc.Runs[i]
		id := []any{r.ID, r.Target, paramsText(r.Params, shownParams(*r, TableOptions{})), workloadLabel(*r), r.Workload, r.Clock, r.Repetition}
		for _, fig := range longFigures(*r) {
			row := append(append([]any{}, id...), fig.name, numberCell(fig.value))
			rows = append(rows, row)
		}
	}
	x.sheet("metrics", []any{"run_id", "target", "params", "workload", "workload_spec", "clock", "repetition", "metric", "value"}, rows)

	// intervals
	gauges := intervalGauges(doc)
	header = header[:0:0]
	for _, h := range intervalHeader(gauges) {
		header = append(header, unitLabel(h))
	}
	rows = rows[:0:0]
	for ri := range doc.Runs {
		r := &doc.Runs[ri]
		for i := range r.Intervals {
			cells := intervalCells(r, i, gauges)
			row := make([]any, len(cells))
			for j, c := range cells {
				row[j] = c.xlsx()
			}
			rows = append(rows, row)
		}
	}
	x.sheet("intervals", header, rows)

	// percentiles
	rows, err = percentileRows(doc)
	if err != nil {
		return err
	}
	x.sheet("percentiles", []any{"run_id", "target", "params", "workload", "clock", "repetition", "percentile", "latency (ns)", "service (ns)"}, rows)

	// environment
	e := doc.Environment
	env := [][]any{
		{"schema", SchemaVersion}, {"dsbench_version", e.Version}, {"commit", e.Commit},
		{"go_version", e.GoVersion}, {"os", e.OS}, {"arch", e.Arch}, {"cpu", e.CPU}, {"cores", e.Cores},
		{"started_at", startedAt(e.Start)}, {"host", e.Host}, {"command", e.Command},
		{"interrupted", doc.Interrupted}, {"runs", len(doc.Runs)},
	}
	x.sheet("environment", []any{"key", "value"}, env)

	// aggregate
	if aggs := Aggregates(doc); len(aggs) > 0 {
		rows = rows[:0:0]
		for _, a := range aggs {
			rows = append(rows, []any{a.Target, a.Params, a.Workload, a.Clock, a.Figure, a.N,
				a.Median, a.Min, a.Max, a.Mean, optNum(a.CILow), optNum(a.CIHigh)})
		}
		x.sheet("aggregate", []any{"target", "params", "workload", "clock", "figure", "n", "median", "min", "max", "mean", "ci95 low (mean)", "ci95 high (mean)"}, rows)
	}
	if x.err != nil {
		return x.err
	}
	if err := f.DeleteSheet("Sheet1"); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}

// xlsxBook adds sheets and keeps the first error.
type xlsxBook struct {
	f   *excelize.File
	err error
}

// sheet writes one sheet: the header row in bold, frozen, with an
// autofilter over the table.
func (x *xlsxBook) sheet(name string, header []any, rows [][]any) {
	if x.err != nil {
		return
	}
	f := x.f
	if _, err := f.NewSheet(name); err != nil {
		x.err = err
		return
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		x.err = err
		return
	}
	set := func(row int, values []any) {
		if x.err == nil {
			x.err = f.SetSheetRow(name, "A"+strconv.Itoa(row), &values)
		}
	}
	set(1, header)
	for i, r := range rows {
		set(i+2, r)
	}
	if x.err != nil {
		return
	}
	last, _ := excelize.ColumnNumberToName(max(len(header), 1))
	if err := f.SetCellStyle(name, "A1", last+"1", bold); err != nil {
		x.err = err
		return
	}
	if err := f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		x.err = err
		return
	}
	x.err = f.AutoFilter(name, fmt.Sprintf("A1:%s%d", last, len(rows)+1), nil)
}

// xlsx is the cell's value for excelize: a number, a bool, text, or nil
// (an empty cell) when undefined.
func (c cell) xlsx() any {
	if !c.ok {
		return nil
	}
	switch c.kind {
	case countCell:
		return c.count
	case numCell:
		return c.num
	case boolCell:
		return c.flag
	}
	return c.text
}

// numberCell turns a long figure's text back into a number ("" is empty).
func numberCell(s string) any {
	if s == "" {
		return nil
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return v
	}
	return s
}

func optNum(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

// percentileRows reads each run's histograms and lists their percentiles.
// A run with no histogram (it failed, or was read from a document written
// without) has no rows.
func percentileRows(doc *Document) ([][]any, error) {
	var rows [][]any
	for i := range doc.Runs {
		r := &doc.Runs[i]
		lat, err := DecodeHistogram(r.Histogram)
		if err == ErrNoHistogram {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("run %s: %w", r.ID, err)
		}
		svc, err := DecodeHistogram(r.ServiceHistogram)
		if err != nil && err != ErrNoHistogram {
			return nil, fmt.Errorf("run %s: %w", r.ID, err)
		}
		if lat.TotalCount() == 0 {
			continue
		}
		params := paramsText(r.Params, shownParams(*r, TableOptions{}))
		for _, p := range xlsxPercentiles {
			var s any
			if svc != nil && svc.TotalCount() > 0 {
				s = svc.ValueAtPercentile(p)
			}
			rows = append(rows, []any{r.ID, r.Target, params, workloadLabel(*r), r.Clock, r.Repetition, p, lat.ValueAtPercentile(p), s})
		}
	}
	return rows, nil
}
