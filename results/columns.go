package results

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The wide table — one row per run — is written by the csv and xlsx formats
// from one list of columns, so both carry the same figures in the same order:
// the run's identity, one param.<name> column per parameter, the counters,
// every latency and service figure, the fairness figures, one metric.<name>
// column per family metric, the outcome, then the environment (version,
// commit, start time, host, CPU, the command line shell-quoted), repeated on
// every row so that appended files keep it. Parameter and metric columns are
// the union over the document's runs, sorted by name; Options.Columns fixes
// the set instead, so files written by different invocations line up.

// cellKind says how a cell is written.
type cellKind uint8

const (
	textCell  cellKind = iota // written as is
	countCell                 // an exact unsigned integer
	numCell                   // a float64
	boolCell                  // true/false
)

// cell is one value of the wide table. An undefined figure has ok false and
// is written empty.
type cell struct {
	kind  cellKind
	ok    bool
	text  string
	count uint64
	num   float64
	flag  bool
}

func textOf(s string) cell  { return cell{kind: textCell, ok: true, text: s} }
func countOf(v uint64) cell { return cell{kind: countCell, ok: true, count: v} }
func boolOf(v bool) cell    { return cell{kind: boolCell, ok: true, flag: v} }
func numOf(v float64, ok bool) cell {
	return cell{kind: numCell, ok: ok && v == finite(v), num: v}
}

// String is the cell as CSV writes it: numbers in the shortest form that
// reads back exactly, without exponents (which some spreadsheets mis-type).
func (c cell) String() string {
	if !c.ok {
		return ""
	}
	switch c.kind {
	case countCell:
		return u64(c.count)
	case numCell:
		return f64(c.num)
	case boolCell:
		return strconv.FormatBool(c.flag)
	}
	return c.text
}

// column is one column of the wide table.
type column struct {
	name  string // the csv header and the name --columns takes
	label string // the xlsx header: the name with its unit, for people
	get   func(doc *Document, r *Run) cell
}

// unitLabel is the xlsx header of a fixed column: its name with the unit
// moved out of the middle into parentheses ("latency_ns_p99" → "latency p99
// (ns)"), for the person reading the spreadsheet.
func unitLabel(name string) string {
	switch {
	case strings.HasSuffix(name, "_ns_count"):
		return strings.TrimSuffix(name, "_ns_count") + " count"
	case strings.Contains(name, "_ns_"):
		base, field, _ := strings.Cut(name, "_ns_")
		return base + " " + field + " (ns)"
	case strings.HasSuffix(name, "_ops_s"):
		return strings.TrimSuffix(name, "_ops_s") + " (ops/s)"
	case strings.HasSuffix(name, "_s"):
		return strings.TrimSuffix(name, "_s") + " (s)"
	}
	return strings.ReplaceAll(name, "_", " ")
}

func col(name string, get func(*Document, *Run) cell) column {
	return column{name: name, label: unitLabel(name), get: get}
}

// fixedColumns are the columns every wide table has, in order, with the
// place of the param.* and metric.* groups marked by nil getters.
func fixedColumns() []column {
	cols := []column{
		col("run_id", func(_ *Document, r *Run) cell { return textOf(r.ID) }),
		col("target", func(_ *Document, r *Run) cell { return textOf(r.Target) }),
		col("workload_name", func(_ *Document, r *Run) cell { return textOf(r.WorkloadName) }),
		col("workload", func(_ *Document, r *Run) cell { return textOf(r.Workload) }),
		col("seed", func(_ *Document, r *Run) cell { return countOf(r.Seed) }),
		col("clock", func(_ *Document, r *Run) cell { return textOf(r.Clock) }),
		col("loop", func(_ *Document, r *Run) cell { return textOf(r.Loop) }),
		col("repetition", func(_ *Document, r *Run) cell { return countOf(uint64(r.Repetition)) }),
		col("workers", func(_ *Document, r *Run) cell { return countOf(uint64(r.Workers)) }),
		col("shard", func(_ *Document, r *Run) cell { return textOf(r.Shard) }),
		{name: "param.*"},
		col("ops", func(_ *Document, r *Run) cell { return countOf(r.Ops) }),
		col("errors", func(_ *Document, r *Run) cell { return countOf(r.Errors) }),
		col("denied", func(_ *Document, r *Run) cell { return countOf(r.Denied) }),
		col("warmup_ops", func(_ *Document, r *Run) cell { return countOf(r.WarmupOps) }),
		col("duration_s", func(_ *Document, r *Run) cell { return numOf(r.DurationS, true) }),
		col("throughput_ops_s", func(_ *Document, r *Run) cell { return numOf(r.ThroughputOpsS, r.ThroughputDefined()) }),
	}
	cols = append(cols, summaryCols("latency_ns", func(r *Run) Summary { return r.LatencyNs })...)
	cols = append(cols, summaryCols("service_ns", func(r *Run) Summary { return r.ServiceNs })...)
	cols = append(cols, generatorCols()...)
	cols = append(cols, spreadCols("shards", func(r *Run) Spread { return r.Fairness.Shards })...)
	cols = append(cols, spreadCols("clients", func(r *Run) Spread { return r.Fairness.Clients })...)
	cols = append(cols,
		column{name: "metric.*"},
		col("interrupted", func(_ *Document, r *Run) cell { return boolOf(r.Interrupted) }),
		col("error", func(_ *Document, r *Run) cell { return textOf(r.Error) }),
		col("dsbench_version", func(d *Document, _ *Run) cell { return textOf(d.Environment.Version) }),
		col("commit", func(d *Document, _ *Run) cell { return textOf(d.Environment.Commit) }),
		col("started_at", func(d *Document, _ *Run) cell { return textOf(startedAt(d.Environment.Start)) }),
		col("host", func(d *Document, _ *Run) cell { return textOf(d.Environment.Host) }),
		col("cpu", func(d *Document, _ *Run) cell { return textOf(d.Environment.CPU) }),
		col("command", func(d *Document, _ *Run) cell { return textOf(d.Environment.Command) }),
	)
	return cols
}

func startedAt(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// generatorCols are the open loop's account of its schedule; empty cells in
// a closed loop, which has none.
func generatorCols() []column {
	lag := func(i int) func(*Document, *Run) cell {
		return func(_ *Document, r *Run) cell {
			if r.SendLagNs == nil {
				return numOf(0, false)
			}
			return numOf(summaryValues(*r.SendLagNs)[i], true)
		}
	}
	open := func(r *Run) bool { return r.SendLagNs != nil }
	return []column{
		col("send_lag_ns_p50", lag(1)),
		col("send_lag_ns_p99", lag(3)),
		col("send_lag_ns_max", lag(6)),
		col("requested_ops_s", func(_ *Document, r *Run) cell { return numOf(r.RequestedOpsS, open(r) && r.RequestedOpsS > 0) }),
		col("dropped", func(_ *Document, r *Run) cell { c := countOf(r.Dropped); c.ok = open(r); return c }),
		col("fell_behind", func(_ *Document, r *Run) cell { return textOf(r.FellBehind) }),
	}
}

var summaryFields = []string{"count", "p50", "p90", "p99", "p999", "p9999", "max", "mean", "stddev"}

func summaryValues(s Summary) []float64 {
	return []float64{float64(s.Count), s.P50, s.P90, s.P99, s.P999, s.P9999, s.Max, s.Mean, s.Stddev}
}

func summaryCols(prefix string, of func(*Run) Summary) []column {
	cols := []column{col(prefix+"_count", func(_ *Document, r *Run) cell { return countOf(of(r).Count) })}
	for i := 1; i < len(summaryFields); i++ {
		cols = append(cols, col(prefix+"_"+summaryFields[i], func(_ *Document, r *Run) cell {
			s := of(r)
			return numOf(summaryValues(s)[i], s.Defined())
		}))
	}
	return cols
}

var spreadFields = []string{"n", "jain", "max_mean", "cov", "gini"}

func spreadCols(prefix string, of func(*Run) Spread) []column {
	get := func(s Spread, i int) float64 { return []float64{0, s.Jain, s.MaxMean, s.CoV, s.Gini}[i] }
	cols := []column{col(prefix+"_n", func(_ *Document, r *Run) cell { return countOf(uint64(of(r).N)) })}
	for i := 1; i < len(spreadFields); i++ {
		cols = append(cols, column{name: prefix + "_" + spreadFields[i], label: prefix + " " + strings.ReplaceAll(spreadFields[i], "_", " "),
			get: func(_ *Document, r *Run) cell { s := of(r); return numOf(get(s, i), s.Defined()) }})
	}
	return cols
}

func paramCol(k string) column {
	return column{name: "param." + k, label: "param " + k, get: func(_ *Document, r *Run) cell {
		v, ok := r.Params[k]
		return cell{kind: textCell, ok: ok, text: v}
	}}
}

func metricCol(k string) column {
	return column{name: "metric." + k, label: "metric " + k, get: func(_ *Document, r *Run) cell {
		v, ok := r.Metrics[k]
		return numOf(v, ok)
	}}
}

// wideColumns lays out the wide table for doc: the fixed columns with every
// parameter and metric the runs report, or exactly the columns named.
func wideColumns(doc *Document, names []string) ([]column, error) {
	if names != nil {
		return namedColumns(names)
	}
	params, metrics := map[string]bool{}, map[string]bool{}
	for _, r := range doc.Runs {
		for k := range r.Params {
			params[k] = true
		}
		for k := range r.Metrics {
			metrics[k] = true
		}
	}
	var cols []column
	for _, c := range fixedColumns() {
		switch c.name {
		case "param.*":
			for _, k := range sortedKeys(params) {
				cols = append(cols, paramCol(k))
			}
		case "metric.*":
			for _, k := range sortedKeys(metrics) {
				cols = append(cols, metricCol(k))
			}
		default:
			cols = append(cols, c)
		}
	}
	return cols, nil
}

// namedColumns returns the columns named, in that order.
func namedColumns(names []string) ([]column, error) {
	fixed := map[string]column{}
	for _, c := range fixedColumns() {
		if c.get != nil {
			fixed[c.name] = c
		}
	}
	var cols []column
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if seen[n] {
			return nil, fmt.Errorf("column %q named twice", n)
		}
		seen[n] = true
		switch {
		case strings.HasPrefix(n, "param.") && len(n) > len("param."):
			cols = append(cols, paramCol(strings.TrimPrefix(n, "param.")))
		case strings.HasPrefix(n, "metric.") && len(n) > len("metric."):
			cols = append(cols, metricCol(strings.TrimPrefix(n, "metric.")))
		default:
			c, ok := fixed[n]
			if !ok {
				return nil, fmt.Errorf("unknown column %q (valid: %s, param.NAME, metric.NAME)", n, strings.Join(ColumnNames(), " "))
			}
			cols = append(cols, c)
		}
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("no columns named")
	}
	return cols, nil
}

// ColumnNames lists the wide table's fixed columns in their order (param.NAME
// and metric.NAME columns come from the runs).
func ColumnNames() []string {
	var out []string
	for _, c := range fixedColumns() {
		if c.get != nil {
			out = append(out, c.name)
		}
	}
	return out
}

// ParseColumns reads a --columns list (comma-separated) and checks every
// name, so a typo is bad input before anything runs.
func ParseColumns(list string) ([]string, error) {
	var names []string
	for _, n := range strings.Split(list, ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	if _, err := namedColumns(names); err != nil {
		return nil, fmt.Errorf("--columns: %w", err)
	}
	return slices.Clip(names), nil
}
