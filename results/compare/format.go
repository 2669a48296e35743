package compare

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Formats lists the output formats Write accepts.
var Formats = []string{"table", "md", "json", "csv"}

// Write renders r in one of Formats.
func Write(w io.Writer, r *Result, format string) error {
	switch format {
	case "table", "":
		return writeTable(w, r)
	case "md", "markdown":
		return writeMarkdown(w, r)
	case "json":
		return writeJSON(w, r)
	case "csv":
		return writeCSV(w, r)
	}
	return fmt.Errorf("unknown compare format %q (valid: %s)", format, strings.Join(Formats, ", "))
}

func header() []string {
	return []string{"run", "metric", "base", "candidate", "change", "ci", "p", "n", "verdict"}
}

// cells renders one row for people.
func cells(r Row, alpha float64) []string {
	verdict := r.Verdict
	if len(r.Failed) > 0 {
		verdict += " FAIL " + strings.Join(r.Failed, ", ")
	}
	ci := ""
	if !math.IsNaN(r.Lo) {
		ci = fmt.Sprintf("[%s, %s]", pct(r.Lo), pct(r.Hi))
	}
	p := ""
	if !math.IsNaN(r.P) {
		p = fmt.Sprintf("%.3f", r.P)
	}
	n := fmt.Sprintf("%d+%d", r.NBase, r.NCand)
	if r.Label == "geomean" {
		n = fmt.Sprintf("%d keys", r.NBase)
	}
	return []string{r.Label, r.Metric, human(r.Metric, r.Base), human(r.Metric, r.Cand), pct(r.Change), ci, p, n, verdict}
}

func pct(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "?"
	}
	return fmt.Sprintf("%+.2f%%", f*100)
}

// human formats a metric value: durations for latency, ops/s for throughput.
func human(metric string, v float64) string {
	if math.IsNaN(v) {
		return "?"
	}
	switch {
	case strings.HasPrefix(metric, "latency.") || strings.HasPrefix(metric, "service."):
		return humanNs(v)
	case metric == "throughput":
		return siOps(v)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

func humanNs(ns float64) string {
	d := time.Duration(ns)
	switch {
	case d < time.Microsecond:
		return fmt.Sprintf("%.0fns", ns)
	case d < time.Millisecond:
		return fmt.Sprintf("%.3gµs", ns/1e3)
	case d < time.Second:
		return fmt.Sprintf("%.3gms", ns/1e6)
	}
	return fmt.Sprintf("%.3gs", ns/1e9)
}

func siOps(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.3gG/s", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.3gM/s", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.3gk/s", v/1e3)
	}
	return fmt.Sprintf("%.3g/s", v)
}

func writeTable(w io.Writer, r *Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header(), "\t"))
	for _, row := range append(append([]Row(nil), r.Rows...), r.Geomean...) {
		fmt.Fprintln(tw, strings.Join(cells(row, r.Alpha), "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := io.WriteString(w, footer(r, ""))
	return err
}

// footer explains the test and lists notes, failures and undecided gates.
func footer(r *Result, bullet string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n%sMann–Whitney U, α=%g, noise band ±%g%%, CI %g%% Hodges–Lehmann; significance needs ≥ %d samples per side.\n",
		bullet, r.Alpha, r.Noise*100, (1-r.Alpha)*100, r.Need)
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "%snote: %s\n", bullet, n)
	}
	for _, f := range r.Failures {
		fmt.Fprintf(&b, "%sFAIL %s\n", bullet, f)
	}
	for _, u := range r.Undecided {
		fmt.Fprintf(&b, "%sUNDECIDED %s\n", bullet, u)
	}
	for _, n := range r.New {
		fmt.Fprintf(&b, "%snew (no baseline to compare with): %s\n", bullet, n)
	}
	for _, g := range r.Gone {
		fmt.Fprintf(&b, "%sgone (in the baseline only): %s\n", bullet, g)
	}
	if len(r.Gates) > 0 && len(r.Failures) == 0 && len(r.Undecided) == 0 {
		fmt.Fprintf(&b, "%sPASS: no gate crossed with significance\n", bullet)
	}
	return b.String()
}

// writeMarkdown writes a pull-request comment: one summary line first (pass,
// or which gates were crossed), then the rows that changed, the unchanged
// ones folded into <details>, then the notes.
func writeMarkdown(w io.Writer, r *Result) error {
	var b strings.Builder
	b.WriteString(Summary(r) + "\n\n")
	var changed, same []Row
	for _, row := range r.Rows {
		if len(row.Failed) > 0 || row.Insufficient || (row.Verdict != Same && row.Verdict != "") {
			changed = append(changed, row)
		} else {
			same = append(same, row)
		}
	}
	n := len(same)
	same = append(same, r.Geomean...)
	if len(changed) > 0 {
		mdRows(&b, r, changed)
	}
	if len(same) > 0 {
		what := fmt.Sprintf("%d unchanged row(s)", n)
		if len(r.Geomean) > 0 {
			what += " and the geomeans"
		}
		fmt.Fprintf(&b, "\n<details><summary>%s</summary>\n\n", what)
		mdRows(&b, r, same)
		b.WriteString("\n</details>\n")
	}
	b.WriteString(footer(r, "- "))
	_, err := io.WriteString(w, b.String())
	return err
}

func mdRows(b *strings.Builder, r *Result, rows []Row) {
	h := header()
	b.WriteString("| " + strings.Join(h, " | ") + " |\n|")
	for i := range h {
		if i < 2 || i == len(h)-1 {
			b.WriteString(" --- |")
		} else {
			b.WriteString(" ---: |")
		}
	}
	b.WriteString("\n")
	for _, row := range rows {
		c := cells(row, r.Alpha)
		if row.Label == "geomean" {
			c[0] = "**geomean**"
		}
		if len(row.Failed) > 0 {
			c[len(c)-1] = "**" + c[len(c)-1] + "**"
		}
		for i := range c {
			c[i] = mdCell(c[i])
		}
		b.WriteString("| " + strings.Join(c, " | ") + " |\n")
	}
}

// Summary is the comparison in one line, for the top of a pull-request
// comment: FAIL with the gates crossed (or the new and gone runs, with
// FailOnMissing), UNDECIDED, or PASS; how many rows
// changed; how many runs are new or gone.
func Summary(r *Result) string {
	changed := 0
	for _, row := range r.Rows {
		if row.Verdict != Same && !row.Insufficient {
			changed++
		}
	}
	var s string
	switch {
	case len(r.Failures) > 0:
		s = fmt.Sprintf("**FAIL**: %d gate(s) crossed with significance: %s", len(r.Failures), strings.Join(r.Failures, "; "))
	case len(r.ZeroBase) > 0 && len(r.Failures) == 0:
		s = fmt.Sprintf("**CANNOT JUDGE**: %d gate(s) on a zero base: %s", len(r.ZeroBase), strings.Join(r.ZeroBase, "; "))
	case r.MissingFails:
		s = fmt.Sprintf("**FAIL**: %d new and %d gone run(s) with --fail-on-missing; %d of %d row(s) changed", len(r.New), len(r.Gone), changed, len(r.Rows))
		return s
	case len(r.Undecided) > 0:
		s = fmt.Sprintf("**UNDECIDED**: too few runs to decide %s", strings.Join(r.Undecided, "; "))
	case len(r.Gates) > 0:
		s = fmt.Sprintf("**PASS**: no gate crossed with significance; %d of %d row(s) changed", changed, len(r.Rows))
	default:
		s = fmt.Sprintf("**No gates**: %d of %d row(s) changed significantly", changed, len(r.Rows))
	}
	if len(r.New) > 0 || len(r.Gone) > 0 {
		s += fmt.Sprintf("; %d new and %d gone run(s), not compared", len(r.New), len(r.Gone))
	}
	return s
}

func writeCSV(w io.Writer, r *Result) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"label", "target", "params", "workload", "clock", "metric", "n_base", "n_candidate",
		"base", "candidate", "change", "ci_low", "ci_high", "p", "verdict", "failed"})
	for _, row := range append(append([]Row(nil), r.Rows...), r.Geomean...) {
		cw.Write([]string{row.Label, row.Target, row.Params, row.Workload, row.Clock, row.Metric,
			strconv.Itoa(row.NBase), strconv.Itoa(row.NCand), num(row.Base), num(row.Cand),
			num(row.Change), num(row.Lo), num(row.Hi), num(row.P), row.Verdict, strings.Join(row.Failed, ";")})
	}
	cw.Flush()
	return cw.Error()
}

func num(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return ""
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// jsonNum writes NaN as null, which encoding/json refuses to do itself.
type jsonNum float64

func (f jsonNum) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return []byte("null"), nil
	}
	return []byte(strconv.FormatFloat(float64(f), 'g', -1, 64)), nil
}

type jsonRow struct {
	Key
	Label        string   `json:"label"`
	Metric       string   `json:"metric"`
	NBase        int      `json:"n_base"`
	NCand        int      `json:"n_candidate"`
	Base         jsonNum  `json:"base"`
	Cand         jsonNum  `json:"candidate"`
	Change       jsonNum  `json:"change"`
	Lo           jsonNum  `json:"ci_low"`
	Hi           jsonNum  `json:"ci_high"`
	P            jsonNum  `json:"p"`
	Verdict      string   `json:"verdict,omitempty"`
	Insufficient bool     `json:"insufficient,omitempty"`
	Failed       []string `json:"failed,omitempty"`
}

func toJSON(rows []Row) []jsonRow {
	out := make([]jsonRow, len(rows))
	for i, r := range rows {
		out[i] = jsonRow{r.Key, r.Label, r.Metric, r.NBase, r.NCand, jsonNum(r.Base), jsonNum(r.Cand),
			jsonNum(r.Change), jsonNum(r.Lo), jsonNum(r.Hi), jsonNum(r.P), r.Verdict, r.Insufficient, r.Failed}
	}
	return out
}

func writeJSON(w io.Writer, r *Result) error {
	doc := struct {
		Alpha     float64     `json:"alpha"`
		Noise     float64     `json:"noise"`
		Need      int         `json:"need"`
		Failed    bool        `json:"failed"`
		Rows      []jsonRow   `json:"rows"`
		Geomean   []jsonRow   `json:"geomean,omitempty"`
		Notes     []string    `json:"notes,omitempty"`
		Gates     []Threshold `json:"gates,omitempty"`
		Failures  []string    `json:"failures,omitempty"`
		Undecided []string    `json:"undecided,omitempty"`
		New       []string    `json:"new,omitempty"`
		Gone      []string    `json:"gone,omitempty"`
	}{r.Alpha, r.Noise, r.Need, r.Failed(), toJSON(r.Rows), toJSON(r.Geomean), r.Notes, r.Gates, r.Failures, r.Undecided, r.New, r.Gone}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// mdCell keeps a cell one cell of the comment's table and shows HTML in a
// label (a URL parameter, say) as text: a pull-request comment renders it.
var mdCell = strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "&", "&amp;", "\n", " ").Replace
