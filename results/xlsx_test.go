package results

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// repeatedDoc is the fixture plus two more repetitions of r1 with other
// latencies, so the aggregate sheet has a group of three.
func repeatedDoc() *Document {
	doc := fixtureDoc()
	for i, p99 := range []float64{2500, 1700} {
		r := doc.Runs[0]
		r.ID = "r" + strconv.Itoa(4+i)
		r.Repetition = 2 + i
		r.Seed = uint64(100 + i)
		r.LatencyNs.P99 = p99
		r.Metrics = map[string]float64{"keys_moved": float64(20 + i), "stale_read_rate": 0.015}
		doc.Runs = append(doc.Runs, r)
	}
	return doc
}

// openXLSX writes doc as xlsx and opens it with excelize's reader.
func openXLSX(t *testing.T, doc *Document, o Options) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteWith(&buf, XLSX, doc, o); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// header maps a sheet's header labels to column letters.
func header(t *testing.T, f *excelize.File, sheet string) map[string]string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil || len(rows) == 0 {
		t.Fatalf("sheet %s: %v (%d rows)", sheet, err, len(rows))
	}
	m := map[string]string{}
	for i, h := range rows[0] {
		name, _ := excelize.ColumnNumberToName(i + 1)
		m[h] = name
	}
	return m
}

func cellOf(t *testing.T, f *excelize.File, sheet, ref string) (string, excelize.CellType) {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	typ, err := f.GetCellType(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	return v, typ
}

// wantNumber checks a cell holds the number want, stored as a number.
func wantNumber(t *testing.T, f *excelize.File, sheet, ref string, want float64) {
	t.Helper()
	v, typ := cellOf(t, f, sheet, ref)
	if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("%s!%s = %q is stored as type %d, not as a number", sheet, ref, v, typ)
		return
	}
	got, err := strconv.ParseFloat(v, 64)
	if err != nil || math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
		t.Errorf("%s!%s = %q, want %v", sheet, ref, v, want)
	}
}

func TestXLSX(t *testing.T) {
	doc := repeatedDoc()
	f := openXLSX(t, doc, Options{})

	if got, want := f.GetSheetList(), []string{"runs", "metrics", "intervals", "percentiles", "environment", "aggregate"}; !slices.Equal(got, want) {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	for _, sheet := range f.GetSheetList() {
		p, err := f.GetPanes(sheet)
		if err != nil || !p.Freeze || p.YSplit != 1 {
			t.Errorf("%s: header row not frozen (%+v, %v)", sheet, p, err)
		}
	}
	filtered := map[string]bool{}
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm._FilterDatabase" {
			filtered[dn.Scope] = true
		}
	}
	for _, sheet := range f.GetSheetList() {
		if !filtered[sheet] {
			t.Errorf("%s has no autofilter (defined names %+v)", sheet, f.GetDefinedName())
		}
	}

	// runs: one row per run, units in the headers, numbers as numbers,
	// undefined figures empty
	h := header(t, f, "runs")
	for _, label := range []string{"run id", "param shards", "latency p99 (ns)", "throughput (ops/s)", "duration (s)", "shards jain", "metric keys_moved", "command"} {
		if h[label] == "" {
			t.Errorf("runs has no column %q (have %v)", label, h)
		}
	}
	rows, _ := f.GetRows("runs")
	if len(rows) != 1+len(doc.Runs) {
		t.Fatalf("runs has %d rows for %d runs", len(rows), len(doc.Runs))
	}
	wantNumber(t, f, "runs", h["latency p99 (ns)"]+"2", 1990)
	wantNumber(t, f, "runs", h["ops"]+"2", 1002)
	wantNumber(t, f, "runs", h["metric keys_moved"]+"2", 12)
	if v, _ := cellOf(t, f, "runs", h["run id"]+"2"); v != "r1" {
		t.Errorf("runs A2 = %q", v)
	}
	if v, _ := cellOf(t, f, "runs", h["shards jain"]+"3"); v != "" {
		t.Errorf("r2 has no shards: shards jain = %q, want an empty cell", v)
	}
	if v, _ := cellOf(t, f, "runs", h["latency p99 (ns)"]+"4"); v != "" {
		t.Errorf("r3 has no samples: latency p99 = %q, want an empty cell", v)
	}
	if v, _ := cellOf(t, f, "runs", h["command"]+"2"); v != doc.Environment.Command {
		t.Errorf("command %q", v)
	}

	// metrics: long, values as numbers
	h = header(t, f, "metrics")
	mrows, _ := f.GetRows("metrics")
	found := false
	for i, r := range mrows[1:] {
		if r[0] == "r1" && r[7] == "latency_ns.p99" {
			wantNumber(t, f, "metrics", h["value"]+strconv.Itoa(i+2), 1990)
			found = true
		}
	}
	if !found {
		t.Error("metrics has no r1 latency_ns.p99 row")
	}

	// percentiles: from the histogram, monotone, p100 = the max
	prow, _ := f.GetRows("percentiles")
	var lat []float64
	for _, r := range prow[1:] {
		if r[0] == "r1" {
			v, err := strconv.ParseFloat(r[7], 64)
			if err != nil {
				t.Fatalf("percentile row %v", r)
			}
			lat = append(lat, v)
		}
	}
	if len(lat) != len(xlsxPercentiles) || !slices.IsSorted(lat) || lat[len(lat)-1] != doc.Runs[0].LatencyNs.Max {
		t.Errorf("r1 percentiles %v (max %v)", lat, doc.Runs[0].LatencyNs.Max)
	}

	// environment
	erows, _ := f.GetRows("environment")
	env := map[string]string{}
	for _, r := range erows[1:] {
		if len(r) > 1 {
			env[r[0]] = r[1]
		}
	}
	if env["host"] != "testhost" || env["commit"] != "abc1234" || env["command"] != doc.Environment.Command {
		t.Errorf("environment %v", env)
	}

	// aggregate: r1, r4, r5 are repetitions; p99 1990, 2500, 1700
	h = header(t, f, "aggregate")
	arows, _ := f.GetRows("aggregate")
	row := -1
	for i, r := range arows[1:] {
		if r[0] == "builtin/map" && r[4] == "latency_ns_p99" {
			row = i + 2
		}
		if r[0] != "builtin/map" {
			t.Errorf("aggregate row for an unrepeated run: %v", r)
		}
	}
	if row < 0 {
		t.Fatal("no aggregate of latency_ns_p99")
	}
	ref := func(label string) string { return h[label] + strconv.Itoa(row) }
	xs := []float64{1990, 2500, 1700}
	mean := (1990 + 2500 + 1700) / 3.0
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	half := 4.303 * math.Sqrt(ss/2) / math.Sqrt(3)
	wantNumber(t, f, "aggregate", ref("n"), 3)
	wantNumber(t, f, "aggregate", ref("median"), 1990)
	wantNumber(t, f, "aggregate", ref("min"), 1700)
	wantNumber(t, f, "aggregate", ref("max"), 2500)
	wantNumber(t, f, "aggregate", ref("mean"), mean)
	wantNumber(t, f, "aggregate", ref("ci95 low (mean)"), mean-half)
	wantNumber(t, f, "aggregate", ref("ci95 high (mean)"), mean+half)
}

func TestXLSXColumns(t *testing.T) {
	f := openXLSX(t, fixtureDoc(), Options{Columns: []string{"run_id", "metric.keys_moved", "latency_ns_p99"}})
	rows, _ := f.GetRows("runs")
	if got := strings.Join(rows[0], ","); got != "run id,metric keys_moved,latency p99 (ns)" {
		t.Errorf("header %s", got)
	}
	if _, err := f.GetRows("aggregate"); err == nil {
		t.Error("an aggregate sheet without repeated runs")
	}
}

func TestStudentT975(t *testing.T) {
	// the table's last entries against the expansion, and known values beyond
	for df, want := range map[int]float64{30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980, 1000: 1.962} {
		if got := studentT975(df); math.Abs(got-want) > 1.5e-3 {
			t.Errorf("t(0.975, %d) = %.4f, want %.3f", df, got, want)
		}
	}
	if got := studentT975(31); got > studentT975(30) || got < studentT975(40) {
		t.Errorf("t(0.975, 31) = %v is not between df 30 and 40", got)
	}
}

func TestCommandLineQuotes(t *testing.T) {
	for _, c := range []struct {
		argv []string
		want string
	}{
		{[]string{"dsbench", "run", "hashing/ring"}, "dsbench run hashing/ring"},
		{[]string{"dsbench", "run", "-p", "vnodes=10|100"}, "dsbench run -p 'vnodes=10|100'"},
		{[]string{"dsbench", "run", "-w", "ycsb-a arrival=poisson:rate=1e3"}, "dsbench run -w 'ycsb-a arrival=poisson:rate=1e3'"},
		{[]string{"dsbench", "it's", ""}, `dsbench 'it'\''s' ''`},
		{[]string{"dsbench", "$HOME", "a*b"}, "dsbench '$HOME' 'a*b'"},
	} {
		if got := CommandLine(c.argv); got != c.want {
			t.Errorf("CommandLine(%q) = %s, want %s", c.argv, got, c.want)
		}
	}
}
