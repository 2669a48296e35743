package report

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/dsbench/dsbench/results"
)

var update = flag.Bool("update", false, "rewrite golden files")

// sweepDoc is a hashing/ring sweep over vnodes, two repetitions each, with
// histograms, intervals and shard counts recorded from seeded draws.
func sweepDoc() *results.Document {
	r := rand.New(rand.NewPCG(1, 2))
	d := &results.Document{Schema: results.SchemaVersion, Environment: results.Environment{
		Version: "test", GoVersion: "go1.26", OS: "linux", Arch: "amd64", CPU: "test cpu", Cores: 2,
		Start: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Command: "dsbench run hashing/ring -p 'vnodes=10|100|1000' --runs 2",
	}}
	id := 0
	for _, vn := range []int{10, 100, 1000} {
		for rep := 0; rep < 2; rep++ {
			id++
			h := hdr.New(1, 3_600_000_000_000, 3)
			scale := 2e4 * (1 + 3/math.Sqrt(float64(vn)))
			for i := 0; i < 20000; i++ {
				h.RecordValue(int64(scale * math.Exp(0.8*r.NormFloat64())))
			}
			enc, _ := results.EncodeHistogram(h)
			counts := make([]uint64, 8)
			for i := 0; i < 20000; i++ {
				k := r.IntN(8)
				if r.Float64() < 2/math.Sqrt(float64(vn)) {
					k = 0
				}
				counts[k]++
			}
			var ivs []results.Interval
			for s := 0; s < 5; s++ {
				ivs = append(ivs, results.Interval{StartS: float64(s), Ops: 4000, ThroughputOpsS: 4000 * (1 + 0.05*r.NormFloat64()),
					LatencyP99Ns: scale * 6 * (1 + 0.1*r.NormFloat64())})
			}
			d.Runs = append(d.Runs, results.Run{
				ID: fmt.Sprintf("r%d", id), Target: "hashing/ring", Params: map[string]string{"vnodes": fmt.Sprint(vn), "nodes": "8"},
				Workload: "keys=zipf:theta=0.99", WorkloadName: "custom", Seed: 7, Clock: "wall", Repetition: rep,
				Ops: 20000, DurationS: 5, ThroughputOpsS: 4000, LatencyNs: results.Summarize(h), Histogram: enc,
				Fairness: results.Fairness{Shards: results.SpreadOf(counts)}, Intervals: ivs,
			})
		}
	}
	return d
}

func TestChartsCoverTheDocument(t *testing.T) {
	charts, err := Charts(sweepDoc())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range charts {
		names = append(names, c.Name)
	}
	want := "latency throughput p99 sweep-vnodes-throughput sweep-vnodes-p99 shards-r1 shards-r2 shards-r3 shards-r4 shards-r5 shards-r6"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("charts %q, want %q", got, want)
	}
	// No sweep when nothing varies, no shard bars without shards, nothing
	// at all for a run without data.
	one := sweepDoc()
	one.Runs = one.Runs[:1]
	one.Runs[0].Fairness = results.Fairness{}
	charts, _ = Charts(one)
	if len(charts) != 3 {
		t.Errorf("one run: %d charts, want latency, throughput, p99", len(charts))
	}
	empty := &results.Document{Runs: []results.Run{{ID: "r1", Target: "x/y", Error: "boom"}}}
	if charts, err := Charts(empty); err != nil || len(charts) != 0 {
		t.Errorf("failed run: %d charts, %v", len(charts), err)
	}
}

var textRE = regexp.MustCompile(`<text[^>]*>([^<]*)</text>`)

// TestGolden checks every chart's text (titles, axis labels, nines ticks,
// legends) and the page with the SVG bodies elided, against golden files.
func TestGolden(t *testing.T) {
	dir := t.TempDir()
	paths, err := Write(sweepDoc(), dir, Options{PNG: true})
	if err != nil {
		t.Fatal(err)
	}
	var texts bytes.Buffer
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		switch filepath.Ext(p) {
		case ".svg":
			fmt.Fprintf(&texts, "== %s\n", filepath.Base(p))
			for _, m := range textRE.FindAllSubmatch(b, -1) {
				fmt.Fprintf(&texts, "%s\n", m[1])
			}
		case ".png":
			if !bytes.HasPrefix(b, []byte("\x89PNG")) {
				t.Errorf("%s is not a PNG", p)
			}
		}
	}
	for _, want := range []string{"90%", "99%", "99.9%", "99.99%", "Latency by percentile (from intended start)"} {
		if !strings.Contains(texts.String(), want+"\n") {
			t.Errorf("latency chart lacks %q", want)
		}
	}
	golden(t, "testdata/charts.txt", texts.Bytes())
	page, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	elided := regexp.MustCompile(`(?s)<svg.*?</svg>`).ReplaceAll(page, []byte("<svg>…</svg>"))
	golden(t, "testdata/report.html", elided)
	if bytes.Contains(page, []byte("<?xml")) || bytes.Contains(page, []byte("src=")) || bytes.Contains(page, []byte("href=\"http")) {
		t.Error("the page is not self-contained or embeds an XML prolog")
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update to accept)", path)
	}
}

func chromium() string {
	for _, c := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	return ""
}

// TestHTMLOpensInChromium loads the page in headless Chromium and checks the
// DOM it built: every chart an SVG element, the summary table intact.
func TestHTMLOpensInChromium(t *testing.T) {
	bin := chromium()
	if bin == "" {
		t.Skip("Chromium is not installed (looked for /usr/bin/chromium, chromium, chromium-browser, google-chrome); .ci/run installs it")
	}
	dir := t.TempDir()
	doc := sweepDoc()
	if _, err := Write(doc, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	charts, _ := Charts(doc)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir="+t.TempDir(),
		"--dump-dom", "file://"+filepath.Join(dir, "report.html"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	if n := bytes.Count(dom, []byte("<svg")); n != len(charts) {
		t.Errorf("chromium built %d svg elements, want %d", n, len(charts))
	}
	if n := bytes.Count(dom, []byte("<tr>")) + bytes.Count(dom, []byte("<tr ")); n != len(doc.Runs)+1 {
		t.Errorf("chromium built %d table rows, want %d", n, len(doc.Runs)+1)
	}
	if !bytes.Contains(dom, []byte("dsbench report")) {
		t.Error("title missing from the DOM")
	}
}

func BenchmarkWrite(b *testing.B) {
	doc := sweepDoc()
	dir := b.TempDir()
	for b.Loop() {
		if _, err := Write(doc, dir, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
