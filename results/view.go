package results

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// TableOptions tunes the human formats (table and md).
type TableOptions struct {
	// ParamKeys lists the parameters shown in the params column, in order,
	// e.g. the swept ones. nil shows each run's ParamsSet (every parameter
	// for a run that does not record it); an empty non-nil slice shows none.
	ParamKeys []string
}

// view is a document laid out for people: the run table, the metrics table
// and the footnotes, shared by the table and md writers.
type view struct {
	header  []string
	numeric []bool // right-aligned columns
	rows    [][]string
	metrics [][]string // run, target, metric, value
	notes   []string
}

var runColumns = []struct {
	name    string
	numeric bool
}{
	{"run", false}, {"target", false}, {"params", false}, {"workload", false}, {"clock", false},
	{"ops", true}, {"throughput", true}, {"p50", true}, {"p99", true}, {"p999", true}, {"max", true},
	{"svc p99", true}, {"errors", true}, {"denied", true}, {"jain", true},
}

func newView(doc *Document, opt TableOptions) view {
	var v view
	for _, c := range runColumns {
		v.header = append(v.header, c.name)
		v.numeric = append(v.numeric, c.numeric)
	}
	var closed, interrupted []string
	for _, r := range doc.Runs {
		id := r.ID
		if r.Interrupted {
			id += "*"
			interrupted = append(interrupted, r.ID)
		}
		if r.FellBehind != "" {
			id += "~"
			v.notes = append(v.notes, fmt.Sprintf("~ %s: the generator fell behind: %s; latency includes its lag", r.ID, r.FellBehind))
		}
		if r.Error != "" {
			id += "!"
			v.notes = append(v.notes, fmt.Sprintf("! %s failed: %s", r.ID, oneLine(r.Error)))
		} else if r.FirstError != "" {
			v.notes = append(v.notes, fmt.Sprintf("%s: %d op errors, the first: %s", r.ID, r.Errors, oneLine(r.FirstError)))
		}
		if r.Loop == "closed" {
			closed = append(closed, r.ID)
		}
		jain := "-"
		if r.Fairness.Shards.N > 0 {
			jain = strconv.FormatFloat(r.Fairness.Shards.Jain, 'f', 3, 64)
		}
		lat := r.LatencyNs
		v.rows = append(v.rows, []string{
			id, r.Target, paramsText(r.Params, shownParams(r, opt)), workloadLabel(r), clockLabel(r),
			strconv.FormatUint(r.Ops, 10), rateText(r), durText(lat, lat.P50), durText(lat, lat.P99),
			durText(lat, lat.P999), durText(lat, lat.Max), durText(r.ServiceNs, r.ServiceNs.P99),
			strconv.FormatUint(r.Errors, 10), strconv.FormatUint(r.Denied, 10), jain,
		})
		for _, k := range sortedKeys(r.Metrics) {
			v.metrics = append(v.metrics, []string{r.ID, r.Target, k, numberText(r.Metrics[k])})
		}
	}
	if len(closed) > 0 {
		v.notes = append(v.notes, fmt.Sprintf("closed loop (%s): no intended schedule, so latency = service and queueing delay is not seen",
			strings.Join(closed, ", ")))
	}
	if len(interrupted) > 0 {
		v.notes = append(v.notes, fmt.Sprintf("* interrupted (%s): ended early; the figures cover what was measured",
			strings.Join(interrupted, ", ")))
	}
	v.dropEmptyColumn("params")
	return v
}

// dropEmptyColumn removes a column no row fills (the params column when
// every run used its defaults), so the table stays narrow.
func (v *view) dropEmptyColumn(name string) {
	col := slices.Index(v.header, name)
	if col < 0 || len(v.rows) == 0 {
		return
	}
	for _, r := range v.rows {
		if r[col] != "" {
			return
		}
	}
	v.header = slices.Delete(v.header, col, col+1)
	v.numeric = slices.Delete(v.numeric, col, col+1)
	for i := range v.rows {
		v.rows[i] = slices.Delete(v.rows[i], col, col+1)
	}
}

func paramsText(p map[string]string, keys []string) string {
	if keys == nil {
		keys = sortedKeys(p)
	}
	var parts []string
	for _, k := range keys {
		if val, ok := p[k]; ok {
			parts = append(parts, k+"="+val)
		}
	}
	return strings.Join(parts, " ")
}

func workloadLabel(r Run) string {
	if r.WorkloadName != "" {
		return r.WorkloadName
	}
	return r.Workload
}

func clockLabel(r Run) string {
	switch {
	case r.Clock == "":
		return r.Loop
	case r.Loop == "":
		return r.Clock
	}
	return r.Clock + "/" + r.Loop
}

func rateText(r Run) string {
	if r.Ops == 0 {
		return "-"
	}
	return HumanRate(r.ThroughputOpsS)
}

func durText(s Summary, ns float64) string {
	if s.Count == 0 {
		return "-"
	}
	return HumanDuration(ns)
}

// numberText prints a metric: integers exactly, others with four
// significant digits.
func numberText(f float64) string {
	if f == float64(int64(f)) && f < 1e15 && f > -1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', 4, 64)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// shownParams picks the params column's keys for one run.
func shownParams(r Run, opt TableOptions) []string {
	if opt.ParamKeys != nil {
		return opt.ParamKeys
	}
	return r.ParamsSet
}
