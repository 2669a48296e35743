package results

import (
	"encoding/csv"
	"io"
	"strconv"
)

// The long CSV has one row per (run, figure), for pivot tables:
// run_id,target,params,workload,workload_spec,clock,repetition,metric,value.
// params is the parameters set for the run (the sweep point, "k=v k=v"; every
// parameter is in csv and json), workload the short workload name and
// workload_spec its canonical, fully resolved spec. The figures are the
// counters, throughput, every latency and service figure (overall and per
// kind, as kinds.<kind>.latency_ns.p99 …), the fairness figures with
// per-shard and per-client counts (fairness.shards.counts.<i>), and the
// family metrics (metrics.<name>); an undefined figure has an empty value.
// The time series is the intervals format.
func writeCSVLong(w io.Writer, doc *Document) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"run_id", "target", "params", "workload", "workload_spec", "clock", "repetition", "metric", "value"}); err != nil {
		return err
	}
	for _, r := range doc.Runs {
		id := []string{r.ID, r.Target, paramsText(r.Params, shownParams(r, TableOptions{})), workloadLabel(r),
			r.Workload, r.Clock, strconv.Itoa(r.Repetition)}
		emit := func(metric, value string) error {
			return cw.Write(append(id[:len(id):len(id)], metric, value))
		}
		for _, fig := range longFigures(r) {
			if err := emit(fig.name, fig.value); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

type figure struct{ name, value string }

func longFigures(r Run) []figure {
	var out []figure
	num := func(name string, v float64) { out = append(out, figure{name, f64(v)}) }
	cnt := func(name string, v uint64) { out = append(out, figure{name, u64(v)}) }
	summary := func(prefix string, s Summary) {
		cells := summaryCells(s)
		for i, f := range summaryFields {
			out = append(out, figure{prefix + "." + f, cells[i]})
		}
	}
	spread := func(prefix string, s Spread) {
		cells := spreadCells(s)
		for i, f := range spreadFields {
			out = append(out, figure{prefix + "." + f, cells[i]})
		}
		for i, c := range s.Counts {
			cnt(prefix+".counts."+strconv.Itoa(i), c)
		}
		for i, p := range s.LatencyP99Ns {
			num(prefix+".latency_p99_ns."+strconv.Itoa(i), p)
		}
	}
	cnt("ops", r.Ops)
	cnt("errors", r.Errors)
	cnt("denied", r.Denied)
	cnt("warmup_ops", r.WarmupOps)
	num("duration_s", r.DurationS)
	out = append(out, figure{"throughput_ops_s", numOf(r.ThroughputOpsS, r.ThroughputDefined()).String()})
	summary("latency_ns", r.LatencyNs)
	summary("service_ns", r.ServiceNs)
	for _, k := range sortedKeys(r.Kinds) {
		kr := r.Kinds[k]
		cnt("kinds."+k+".ops", kr.Ops)
		cnt("kinds."+k+".errors", kr.Errors)
		cnt("kinds."+k+".denied", kr.Denied)
		summary("kinds."+k+".latency_ns", kr.LatencyNs)
		summary("kinds."+k+".service_ns", kr.ServiceNs)
	}
	spread("fairness.shards", r.Fairness.Shards)
	spread("fairness.clients", r.Fairness.Clients)
	for _, k := range sortedKeys(r.Metrics) {
		num("metrics."+k, r.Metrics[k])
	}
	return out
}
