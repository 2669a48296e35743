package report

import (
	"bytes"
	"fmt"
	"html/template"
	"regexp"

	"github.com/dsbench/dsbench/results"
)

// The page is self-contained: CSS inline, SVG inlined, no script and no URL
// to fetch, so it opens from a CI artifact or an e-mail attachment.
var page = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dsbench report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { padding: 0.3em 0.7em; border-bottom: 1px solid #ddd; }
th { text-align: left; background: #f4f4f4; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.failed td { color: #a00; }
.env { color: #555; font-size: 0.9em; }
figure { margin: 1.5em 0; }
figure svg { max-width: 100%; height: auto; }
.warn { color: #a00; font-weight: bold; }
</style>
</head>
<body>
<h1>dsbench report</h1>
<p class="env">{{.Env.Version}}{{if .Env.Commit}} ({{.Env.Commit}}){{end}} · {{.Env.GoVersion}} · {{.Env.OS}}/{{.Env.Arch}} · {{.Env.CPU}} · {{.Env.Cores}} cores · {{.Start}}{{if .Env.Command}}<br><code>{{.Env.Command}}</code>{{end}}</p>
{{if .Interrupted}}<p class="warn">Interrupted: these results are partial.</p>{{end}}
<h2>Summary</h2>
<table>
<thead><tr><th>run</th><th>clock</th><th>seed</th><th>ops</th><th>errors</th><th>throughput</th><th>p50</th><th>p99</th><th>p99.9</th><th>max</th><th>shard Jain</th></tr></thead>
<tbody>
{{range .Rows}}<tr{{if .Error}} class="failed"{{end}}><td>{{.Name}}{{if .Error}} — {{.Error}}{{end}}</td><td>{{.Clock}}</td><td class="n">{{.Seed}}</td><td class="n">{{.Ops}}</td><td class="n">{{.Errors}}</td><td class="n">{{.Throughput}}</td><td class="n">{{.P50}}</td><td class="n">{{.P99}}</td><td class="n">{{.P999}}</td><td class="n">{{.Max}}</td><td class="n">{{.Jain}}</td></tr>
{{end}}</tbody>
</table>
{{range .Charts}}<h2>{{.Title}}</h2>
<figure>{{.SVG}}</figure>
{{end}}</body>
</html>
`))

type row struct {
	Name, Clock, Error                    string
	Seed, Ops, Errors                     uint64
	Throughput, P50, P99, P999, Max, Jain string
}

type figure struct {
	Title string
	SVG   template.HTML
}

var prolog = regexp.MustCompile(`^\s*<\?xml[^>]*\?>\s*(<!DOCTYPE[^>]*>\s*)?`)

// HTML renders the page: the summary table and the charts, whose SVG
// renderings svgs holds in the same order.
func HTML(doc *results.Document, charts []Chart, svgs [][]byte) ([]byte, error) {
	if len(svgs) != len(charts) {
		return nil, fmt.Errorf("report: %d charts but %d SVGs", len(charts), len(svgs))
	}
	names := labels(doc.Runs)
	data := struct {
		Env         results.Environment
		Start       string
		Interrupted bool
		Rows        []row
		Charts      []figure
	}{Env: doc.Environment, Interrupted: doc.Interrupted}
	if !doc.Environment.Start.IsZero() {
		data.Start = doc.Environment.Start.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	for i, r := range doc.Runs {
		jain := ""
		if r.Fairness.Shards.N > 1 {
			jain = fmt.Sprintf("%.4f", r.Fairness.Shards.Jain)
		}
		data.Rows = append(data.Rows, row{
			Name: names[i], Clock: r.Clock, Error: r.Error, Seed: r.Seed, Ops: r.Ops, Errors: r.Errors,
			Throughput: results.HumanRate(r.ThroughputOpsS), P50: results.HumanDuration(r.LatencyNs.P50),
			P99: results.HumanDuration(r.LatencyNs.P99), P999: results.HumanDuration(r.LatencyNs.P999),
			Max: results.HumanDuration(r.LatencyNs.Max), Jain: jain,
		})
	}
	for i, c := range charts {
		// The SVG is our own renderer's output, not user input.
		data.Charts = append(data.Charts, figure{c.Title, template.HTML(prolog.ReplaceAll(svgs[i], nil))})
	}
	var b bytes.Buffer
	if err := page.Execute(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
