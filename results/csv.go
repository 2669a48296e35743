package results

import (
	"encoding/csv"
	"io"
	"strconv"
)

// The wide CSV has one row per run: the run's identity, one param.<name>
// column per parameter seen in any run, the counters, every latency and
// service figure, the fairness figures, and one metric.<name> column per
// family metric seen in any run (both sorted by name; empty where a run has
// none). Per-kind figures, per-shard counts and intervals are in csv-long
// and json. Numbers are written in the shortest form that reads back
// exactly, without exponents, which some spreadsheets mis-type.
func writeCSV(w io.Writer, doc *Document) error {
	params, metrics := map[string]bool{}, map[string]bool{}
	for _, r := range doc.Runs {
		for k := range r.Params {
			params[k] = true
		}
		for k := range r.Metrics {
			metrics[k] = true
		}
	}
	paramKeys, metricKeys := sortedKeys(params), sortedKeys(metrics)

	header := []string{"run_id", "target", "workload_name", "workload", "seed", "clock", "loop", "repetition", "workers", "shard"}
	for _, k := range paramKeys {
		header = append(header, "param."+k)
	}
	header = append(header, "ops", "errors", "denied", "warmup_ops", "duration_s", "throughput_ops_s")
	header = append(header, summaryColumns("latency_ns")...)
	header = append(header, summaryColumns("service_ns")...)
	header = append(header, spreadColumns("shards")...)
	header = append(header, spreadColumns("clients")...)
	for _, k := range metricKeys {
		header = append(header, "metric."+k)
	}
	header = append(header, "interrupted", "error")

	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range doc.Runs {
		row := []string{r.ID, r.Target, r.WorkloadName, r.Workload, u64(r.Seed), r.Clock, r.Loop,
			strconv.Itoa(r.Repetition), strconv.Itoa(r.Workers), r.Shard}
		for _, k := range paramKeys {
			row = append(row, r.Params[k])
		}
		row = append(row, u64(r.Ops), u64(r.Errors), u64(r.Denied), u64(r.WarmupOps), f64(r.DurationS), f64(r.ThroughputOpsS))
		row = append(row, summaryCells(r.LatencyNs)...)
		row = append(row, summaryCells(r.ServiceNs)...)
		row = append(row, spreadCells(r.Fairness.Shards)...)
		row = append(row, spreadCells(r.Fairness.Clients)...)
		for _, k := range metricKeys {
			if v, ok := r.Metrics[k]; ok {
				row = append(row, f64(v))
			} else {
				row = append(row, "")
			}
		}
		row = append(row, strconv.FormatBool(r.Interrupted), r.Error)
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

var summaryFields = []string{"count", "p50", "p90", "p99", "p999", "p9999", "max", "mean", "stddev"}

func summaryColumns(prefix string) []string {
	out := make([]string, len(summaryFields))
	for i, f := range summaryFields {
		out[i] = prefix + "_" + f
	}
	return out
}

func summaryValues(s Summary) []float64 {
	return []float64{float64(s.Count), s.P50, s.P90, s.P99, s.P999, s.P9999, s.Max, s.Mean, s.Stddev}
}

func summaryCells(s Summary) []string {
	vals := summaryValues(s)
	out := make([]string, len(vals))
	out[0] = u64(s.Count) // exact even past 2^53
	for i := 1; i < len(vals); i++ {
		out[i] = f64(vals[i])
	}
	return out
}

var spreadFields = []string{"n", "jain", "max_mean", "cov", "gini"}

func spreadColumns(prefix string) []string {
	out := make([]string, len(spreadFields))
	for i, f := range spreadFields {
		out[i] = prefix + "_" + f
	}
	return out
}

func spreadCells(s Spread) []string {
	return []string{strconv.Itoa(s.N), f64(s.Jain), f64(s.MaxMean), f64(s.CoV), f64(s.Gini)}
}

func u64(v uint64) string  { return strconv.FormatUint(v, 10) }
func f64(v float64) string { return strconv.FormatFloat(finite(v), 'f', -1, 64) }
