package ratelimit

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// The README comparison: every limiter on the tour's bursty multi-tenant
// workload through harness.RunSim, end to end. The harness's own counts must
// match the figures; go test -v -run Tour prints the table.
func TestTourComparison(t *testing.T) {
	spec, err := workloads.ParseSpec(TourWorkload)
	if err != nil {
		t.Fatalf("tour workload: %v", err)
	}
	const ops = 20_000 // five on/off cycles: 5 s of virtual time
	cols := []string{"admitted", "denied", "admitted_rate", "max_key_admitted_rate", "limit_rate",
		"max_admitted_in_any_window", "ideal_max_in_window", "false_admits", "false_denials",
		"jain_admitted_share", "jain_admitted", "bytes_per_key"}
	var b strings.Builder
	fmt.Fprintf(&b, "| target | %s |\n|---|%s\n", strings.Join(cols, " | "), strings.Repeat("---:|", len(cols)))
	for _, name := range names {
		info, _ := algorithms.Lookup("ratelimit/" + name)
		p, _ := info.Resolve(nil)
		st, err := info.NewSim(algorithms.Env{Params: p, Clock: algorithms.Virtual, Workload: spec, Seed: 1, Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := harness.RunSim(context.Background(), st, harness.Config{
			Source: func(part workloads.Part) (workloads.Source, error) { return spec.Generator(1, part) },
			Ops:    ops, Seed: 1, Clients: spec.Clients(),
		})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		m := rep.Metrics
		if m == nil {
			m = st.(harness.Metricser).Metrics()
		}
		if float64(rep.Denied) != m["denied"] || float64(rep.Ops) != m["admitted"]+m["denied"] {
			t.Errorf("%s: harness counted %d ops, %d denied; figures %v admitted, %v denied",
				name, rep.Ops, rep.Denied, m["admitted"], m["denied"])
		}
		fmt.Fprintf(&b, "| %s |", name)
		for _, c := range cols {
			if v, ok := m[c]; ok {
				fmt.Fprintf(&b, " %.4g |", v)
			} else {
				b.WriteString(" – |")
			}
		}
		b.WriteString("\n")
	}
	t.Log("\n" + b.String())
}
