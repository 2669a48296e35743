package results

import (
	"bufio"
	"bytes"
	"encoding/csv"
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
}

func TestCSVLong(t *testing.T) {
	doc := fixtureDoc()
	recs, err := csv.NewReader(strings.NewReader(render(t, CSVLong, doc))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != "run_id,target,workload,metric,value" {
		t.Fatalf("header %v", recs[0])
	}
	got := map[string]string{}
	for _, r := range recs[1:] {
		if len(r) != 5 {
			t.Fatalf("record %v", r)
		}
		if _, err := strconv.ParseFloat(r[4], 64); err != nil {
			t.Errorf("value %q of %s is not a number", r[4], r[3])
		}
		key := r[0] + " " + r[3]
		if _, dup := got[key]; dup {
			t.Errorf("%s twice", key)
		}
		got[key] = r[4]
	}
	for k, want := range map[string]string{
		"r1 latency_ns.p99": "1990", "r1 kinds.update.ops": "200", "r1 fairness.shards.counts.3": "102",
		"r1 metrics.keys_moved": "12", "r2 fairness.clients.n": "1", "r3 ops": "0",
	} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
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
