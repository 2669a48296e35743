package results

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

func render(t *testing.T, f Format, doc *Document) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, f, doc); err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	return buf.String()
}

// The Go benchmark format's grammar (golang.org/design/14313-benchmark-format):
// configuration lines "key: value" with a lower-case key without spaces, and
// benchmark lines "BenchmarkName-P N (value unit)+" with the name free of
// spaces. golang.org/x/perf is not a dependency, so the grammar is checked
// by regular expressions.
var (
	benchConfig = regexp.MustCompile(`^[a-z][^\sA-Z:]*: \S.*$`)
	benchLine   = regexp.MustCompile(`^(Benchmark[^\s]*)-(\d+)\s+(\d+)((?:\s+[-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?\d+)?\s+\S+)+)$`)
	benchValue  = regexp.MustCompile(`([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?\d+)?)\s+(\S+)`)
)

func TestBenchGrammar(t *testing.T) {
	doc := fixtureDoc()
	doc.Runs = append(doc.Runs, doc.Runs[0]) // a second repetition: a second sample
	doc.Runs[3].ID = "r4"
	out := render(t, Bench, doc)
	samples := map[string]int{}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if benchConfig.MatchString(line) {
			continue
		}
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("line is neither configuration nor a benchmark: %q", line)
		}
		if m[2] != "2" {
			t.Errorf("-P suffix %s, want the environment's 2 cores", m[2])
		}
		samples[m[1]]++
		units := map[string]string{}
		for _, v := range benchValue.FindAllStringSubmatch(m[4], -1) {
			if _, dup := units[v[2]]; dup {
				t.Errorf("unit %s twice in %q", v[2], line)
			}
			units[v[2]] = v[1]
		}
		for _, u := range []string{"ns/op", "ops/s", "p50-ns", "p99-ns", "p999-ns", "max-ns", "svc-p99-ns"} {
			if _, ok := units[u]; !ok {
				t.Errorf("no %s in %q", u, line)
			}
		}
		if m[1] == "BenchmarkBuiltin/map/shards=4/value_size=100/workload=ycsb-a/clock=wall" {
			n, _ := strconv.Atoi(m[3])
			if n != 1002 || units["ns/op"] != benchNum(doc.Runs[0].ServiceNs.Mean) || units["keys_moved"] != "12" {
				t.Errorf("r1 line has N=%d ns/op=%s keys_moved=%s", n, units["ns/op"], units["keys_moved"])
			}
		}
	}
	if samples["BenchmarkBuiltin/map/shards=4/value_size=100/workload=ycsb-a/clock=wall"] != 2 {
		t.Errorf("two repetitions should give two samples of one benchmark: %v", samples)
	}
	if len(samples) != 2 {
		t.Errorf("want the failed run left out, got benchmarks %v", samples)
	}
	for _, k := range []string{"goos: linux\n", "goarch: amd64\n", "pkg: github.com/dsbench/dsbench\n", "cpu: Test CPU @ 2.00GHz\n"} {
		if !strings.Contains(out, k) {
			t.Errorf("no %q header", k)
		}
	}
}

func TestBenchNameSanitises(t *testing.T) {
	r := Run{Target: "lb/p2c", Params: map[string]string{"b": "x y/z", "a": "1"}, WorkloadName: "my load", Clock: "virtual"}
	if got, want := BenchName(r, 4), "BenchmarkLb/p2c/a=1/b=x_y_z/workload=my_load/clock=virtual-4"; got != want {
		t.Errorf("BenchName = %q, want %q", got, want)
	}
}

func TestTableWriter(t *testing.T) {
	out := render(t, Table, fixtureDoc())
	header := strings.Split(out, "\n")[1]
	for _, col := range []string{" p99 ", " p999 ", " svc p99 ", " jain "} {
		if !strings.Contains(header, col) {
			t.Errorf("header %q lacks %q: auto-format must stay off", header, col)
		}
	}
	for _, want := range []string{"│  501 ops/s │", "│ r2* ", "│ r3! ", "closed loop (r2)", "* interrupted (r2)", "! r3 failed: opening target: boom", "stale_read_rate │ 0.015 │"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, fixtureDoc(), TableOptions{ParamKeys: []string{"shards"}}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "value_size") || !strings.Contains(buf.String(), "shards=4") {
		t.Errorf("ParamKeys did not select the params column")
	}
}

func TestMarkdownEscapes(t *testing.T) {
	out := render(t, MD, fixtureDoc())
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") - 1
		if cells != 15 && cells != 4 {
			t.Errorf("row with %d cells (an unescaped pipe?): %q", cells, line)
		}
	}
}

func TestCSVWide(t *testing.T) {
	doc := fixtureDoc()
	recs, err := csv.NewReader(strings.NewReader(render(t, CSV, doc))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1+len(doc.Runs) {
		t.Fatalf("%d records for %d runs", len(recs), len(doc.Runs))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	r1 := recs[1]
	for name, want := range map[string]string{
		"run_id": "r1", "param.shards": "4", "param.service": "", "latency_ns_p99": "1990",
		"metric.stale_read_rate": "0.015", "shards_n": "4", "latency_ns_p999": "1500159",
	} {
		i, ok := col[name]
		if !ok {
			t.Errorf("no column %s", name)
		} else if r1[i] != want {
			t.Errorf("r1 %s = %q, want %q", name, r1[i], want)
		}
	}
	if recs[2][col["param.service"]] != "exp:mean=1ms, jitter|2" {
		t.Errorf("a value with a comma did not survive: %q", recs[2][col["param.service"]])
	}
	// r2 has no shards: its shard fairness is undefined, written empty (not 0)
	for _, name := range []string{"shards_jain", "shards_max_mean", "shards_cov", "shards_gini"} {
		if v := recs[2][col[name]]; v != "" {
			t.Errorf("r2 %s = %q, want empty (undefined)", name, v)
		}
	}
	if v := recs[2][col["shards_n"]]; v != "0" {
		t.Errorf("r2 shards_n = %q, want 0", v)
	}
	// the environment rides on every row, the command shell-quoted
	for name, want := range map[string]string{
		"dsbench_version": "v0.1.0-test", "commit": "abc1234", "started_at": "2026-01-02T03:04:05Z",
		"host": "testhost", "cpu": "Test CPU @ 2.00GHz", "command": "dsbench run builtin/map -p 'shards=4|8'",
	} {
		for _, rec := range recs[1:] {
			if rec[col[name]] != want {
				t.Errorf("%s %s = %q, want %q", rec[0], name, rec[col[name]], want)
			}
		}
	}
}

func TestCSVColumnsFixTheSet(t *testing.T) {
	doc := fixtureDoc()
	cols, err := ParseColumns("run_id, param.shards,metric.keys_moved,metric.nosuch,latency_ns_p99,host")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteWith(&buf, CSV, doc, Options{Columns: cols}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0], ","); got != "run_id,param.shards,metric.keys_moved,metric.nosuch,latency_ns_p99,host" {
		t.Errorf("header %s", got)
	}
	if got := strings.Join(recs[1], ","); got != "r1,4,12,,1990,testhost" {
		t.Errorf("r1 %s", got)
	}
	for _, bad := range []string{"run_id,latency_p99", "run_id,run_id", ",", "param."} {
		if _, err := ParseColumns(bad); err == nil {
			t.Errorf("ParseColumns(%q) accepted it", bad)
		} else if strings.Contains(bad, "latency_p99") && !strings.Contains(err.Error(), "latency_ns_p99") {
			t.Errorf("error %q does not list the valid columns", err)
		}
	}
}

func TestIntervalsCSV(t *testing.T) {
	doc := fixtureDoc()
	recs, err := csv.NewReader(strings.NewReader(render(t, Intervals, doc))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range doc.Runs {
		n += len(r.Intervals)
	}
	if len(recs) != 1+n || n == 0 {
		t.Fatalf("%d records for %d intervals", len(recs), n)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	first := recs[1]
	if first[col["run_id"]] != "r1" || first[col["interval"]] != "0" || first[col["ops"]] != "600" || first[col["gauge.keys_moved"]] != "5" {
		t.Errorf("first interval row %v", first)
	}
	if recs[2][col["gauge.keys_moved"]] != "" {
		t.Errorf("an interval without the gauge should leave it empty: %v", recs[2])
	}
}

func TestJSONNullForUndefined(t *testing.T) {
	var got struct {
		Runs []struct {
			LatencyNs map[string]*float64 `json:"latency_ns"`
			Fairness  struct {
				Shards struct {
					Jain *float64 `json:"jain"`
				} `json:"shards"`
			} `json:"fairness"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(render(t, JSON, fixtureDoc())), &got); err != nil {
		t.Fatal(err)
	}
	if got.Runs[0].Fairness.Shards.Jain == nil || got.Runs[0].LatencyNs["p99"] == nil {
		t.Errorf("r1's figures are defined but came out null")
	}
	if v := got.Runs[1].Fairness.Shards.Jain; v != nil {
		t.Errorf("r2 has no shards: jain should be null, got %v", *v)
	}
	if v := got.Runs[2].LatencyNs["p99"]; v != nil {
		t.Errorf("r3 has no samples: p99 should be null, got %v", *v)
	}
	// and the document reads back, nulls as zero values
	doc, err := Read(strings.NewReader(render(t, JSON, fixtureDoc())))
	if err != nil || doc.Runs[1].Fairness.Shards.Defined() || !doc.Runs[0].Fairness.Shards.Defined() {
		t.Errorf("read back: %v", err)
	}
}

func TestCSVLong(t *testing.T) {
	doc := fixtureDoc()
	recs, err := csv.NewReader(strings.NewReader(render(t, CSVLong, doc))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != "run_id,target,params,workload,workload_spec,clock,repetition,metric,value" {
		t.Fatalf("header %v", recs[0])
	}
	got := map[string]string{}
	ids := map[string]string{}
	for _, r := range recs[1:] {
		if len(r) != 9 {
			t.Fatalf("record %v", r)
		}
		if _, err := strconv.ParseFloat(r[8], 64); err != nil && r[8] != "" {
			t.Errorf("value %q of %s is not a number", r[8], r[7])
		}
		key := r[0] + " " + r[7]
		if _, dup := got[key]; dup {
			t.Errorf("%s twice", key)
		}
		got[key] = r[8]
		ids[r[0]] = strings.Join(r[1:7], "|")
	}
	for k, want := range map[string]string{
		"r1 latency_ns.p99": "1990", "r1 kinds.update.ops": "200", "r1 fairness.shards.counts.3": "102",
		"r1 metrics.keys_moved": "12", "r2 fairness.clients.n": "1", "r3 ops": "0",
		// undefined figures are empty, not 0: r2 has no shards, r3 no samples
		"r2 fairness.shards.jain": "", "r2 fairness.shards.n": "0", "r3 latency_ns.p99": "", "r3 latency_ns.count": "0",
	} {
		if v, ok := got[k]; !ok || v != want {
			t.Errorf("%s = %q (present %v), want %q", k, v, ok, want)
		}
	}
	// every row names the run's parameters and the workload's full spec
	if want := "builtin/map|shards=4 value_size=100|ycsb-a|" + doc.Runs[0].Workload + "|wall|1"; ids["r1"] != want {
		t.Errorf("r1 identity %q, want %q", ids["r1"], want)
	}
}

func TestHLogReadsBack(t *testing.T) {
	doc := fixtureDoc()
	rd := hdr.NewHistogramLogReader(strings.NewReader(render(t, HLog, doc)))
	var tags []string
	for {
		h, err := rd.NextIntervalHistogram()
		if err != nil {
			t.Fatal(err)
		}
		if h == nil {
			break
		}
		tags = append(tags, h.Tag())
		run := doc.Runs[(len(tags)-1)/2] // latency then service, per run
		if run.ID == "r1" && strings.HasSuffix(h.Tag(), "/latency") {
			want, _ := DecodeHistogram(run.Histogram)
			if !h.Equals(want) {
				t.Error("r1 latency histogram changed in the log")
			}
		}
	}
	if got := strings.Join(tags, " "); got != "r1/builtin/map/latency r1/builtin/map/service r2/builtin/sleep/latency r2/builtin/sleep/service" {
		t.Errorf("tags %s", got)
	}
}

func TestHGRMBlocks(t *testing.T) {
	doc := fixtureDoc()
	sc := bufio.NewScanner(strings.NewReader(render(t, HGRM, doc)))
	var heads []string
	var counts []int
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "# dsbench run ") {
			heads = append(heads, strings.Fields(line)[3])
		}
		if i := strings.Index(line, "Total count    ="); i >= 0 {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(line[i+len("Total count    ="):]), "]"))
			counts = append(counts, n)
		}
	}
	if strings.Join(heads, " ") != "r1: r2:" || len(counts) != 2 || counts[0] != 1002 || counts[1] != 501 {
		t.Errorf("blocks %v with counts %v", heads, counts)
	}
}

// Every writer handles a document with no runs, and one built by hand with
// no environment (zero start time) and nil maps.
func TestWritersSparseDocuments(t *testing.T) {
	bare := &Document{Runs: []Run{fixtureDoc().Runs[0], {ID: "r2"}}}
	for _, doc := range []*Document{NewDocument(fixtureEnv(), nil), bare} {
		for _, f := range Formats() {
			if err := Write(io.Discard, f, doc); err != nil {
				t.Errorf("%s: %v", f, err)
			}
		}
	}
	if err := Write(io.Discard, JSON, nil); err == nil {
		t.Error("Write accepted a nil document")
	}
}

func BenchmarkWriteJSON(b *testing.B) {
	doc := fixtureDoc()
	b.ReportAllocs()
	for b.Loop() {
		Write(io.Discard, JSON, doc)
	}
}

func BenchmarkWriteTable(b *testing.B) {
	doc := fixtureDoc()
	b.ReportAllocs()
	for b.Loop() {
		Write(io.Discard, Table, doc)
	}
}

func TestTableGroupsManyMetricsPerRun(t *testing.T) {
	doc := &Document{Schema: SchemaVersion}
	for i := 0; i < 3; i++ {
		r := Run{ID: fmt.Sprintf("r%d", i+1), Target: "fam/t", Metrics: map[string]float64{}}
		for j := 0; j < 20; j++ {
			r.Metrics[fmt.Sprintf("figure_%02d", j)] = float64(j)
		}
		doc.Runs = append(doc.Runs, r)
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, doc, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "figure_00=0  figure_01=1") || strings.Contains(out, "│ metric ") {
		t.Errorf("60 metric rows were not grouped per run:\n%s", out)
	}
	for _, id := range []string{"r1", "r2", "r3"} {
		if !strings.Contains(out, "figure_19=19") || !strings.Contains(out, id) {
			t.Errorf("run %s or its last figure missing", id)
		}
	}
}

// HTML in a value (a URL with <script>, an ampersand) is shown as text by a
// Markdown viewer, never rendered (issue 16's probe).
func TestMarkdownEscapesHTML(t *testing.T) {
	doc := fixtureDoc()
	doc.Runs[0].Params["url"] = `http://x/<script>alert(1)</script>?a=1&b=2`
	doc.Runs[0].ParamsSet = append(doc.Runs[0].ParamsSet, "url")
	out := render(t, MD, doc)
	if strings.Contains(out, "<script>") || !strings.Contains(out, "&lt;script&gt;") || !strings.Contains(out, "a=1&amp;b=2") {
		t.Errorf("HTML not escaped:\n%s", out)
	}
}
