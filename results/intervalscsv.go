package results

import (
	"encoding/csv"
	"io"
)

// The intervals format is every run's time series, one row per (run,
// interval), for a spreadsheet's line chart: the run's identity (as in
// csv-long), the interval's index and start, its counters, throughput and
// latency, and one gauge.<name> column per sampled gauge any interval
// reports (sorted by name). An interval in which no op completed has empty
// latency cells. partial marks a last interval shorter than a step.

// intervalHeader is the intervals table's header; intervalRows its rows.
func intervalHeader(gauges []string) []string {
	h := []string{"run_id", "target", "params", "workload", "clock", "repetition", "interval", "start_s",
		"ops", "errors", "denied", "throughput_ops_s", "latency_p50_ns", "latency_p99_ns", "latency_max_ns", "partial"}
	for _, g := range gauges {
		h = append(h, "gauge."+g)
	}
	return h
}

func intervalGauges(doc *Document) []string {
	gauges := map[string]bool{}
	for _, r := range doc.Runs {
		for _, iv := range r.Intervals {
			for k := range iv.Metrics {
				gauges[k] = true
			}
		}
	}
	return sortedKeys(gauges)
}

// intervalCells are one interval's row as cells.
func intervalCells(r *Run, i int, gauges []string) []cell {
	iv := r.Intervals[i]
	ok := iv.Defined()
	row := []cell{textOf(r.ID), textOf(r.Target), textOf(paramsText(r.Params, shownParams(*r, TableOptions{}))),
		textOf(workloadLabel(*r)), textOf(r.Clock), countOf(uint64(r.Repetition)), countOf(uint64(i)),
		numOf(iv.StartS, true), countOf(iv.Ops), countOf(iv.Errors), countOf(iv.Denied), numOf(iv.ThroughputOpsS, true),
		numOf(iv.LatencyP50Ns, ok), numOf(iv.LatencyP99Ns, ok), numOf(iv.LatencyMaxNs, ok), boolOf(iv.Partial)}
	for _, g := range gauges {
		v, has := iv.Metrics[g]
		row = append(row, numOf(v, has))
	}
	return row
}

func writeIntervals(w io.Writer, doc *Document) error {
	gauges := intervalGauges(doc)
	cw := csv.NewWriter(w)
	if err := cw.Write(intervalHeader(gauges)); err != nil {
		return err
	}
	for ri := range doc.Runs {
		r := &doc.Runs[ri]
		for i := range r.Intervals {
			cells := intervalCells(r, i, gauges)
			row := make([]string, len(cells))
			for j, c := range cells {
				row[j] = c.String()
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
