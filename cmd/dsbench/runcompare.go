package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/dsbench/dsbench/results"
	"github.com/dsbench/dsbench/results/compare"
)

// dsbench run T1 T2 --runs K --compare: the runs of the first variant are
// the base, those of the second the candidate, paired by workload and clock
// (compare.PairWorkload), so two algorithms — p2c against round-robin —
// are tested for significance in one command.

// checkCompare rejects, before anything runs, a --compare that could not be
// decided: it needs exactly two variants and enough repetitions to reach
// significance at the default α.
func checkCompare(ex *execution) error {
	vs := ex.plan.Variants()
	if len(vs) != 2 {
		return usagef("--compare needs exactly two variants (two targets, or one parameter with two values); this run has %d: %s",
			len(vs), strings.Join(vs, "; "))
	}
	need := compare.NeedSamples(0.05)
	if ex.opts.Runs < need {
		return usagef("--compare needs --runs %d or more: with fewer repetitions per variant the Mann–Whitney test cannot reach p < 0.05", need)
	}
	return nil
}

// compareVariants splits doc by variant and writes the comparison: to
// stdout after a table or Markdown, else to stderr so that stdout stays one
// machine-readable document.
func (a *App) compareVariants(ex *execution, doc *results.Document) error {
	var order []string
	sides := map[string]*results.Document{}
	for _, r := range doc.Runs {
		v := runVariant(r)
		d, ok := sides[v]
		if !ok {
			d = &results.Document{Schema: doc.Schema, Environment: doc.Environment}
			sides[v] = d
			order = append(order, v)
		}
		d.Runs = append(d.Runs, r)
	}
	if len(order) != 2 {
		return fmt.Errorf("--compare: the runs form %d variants, not 2: %s", len(order), strings.Join(order, "; "))
	}
	res, err := compare.Compare(sides[order[0]], sides[order[1]], compare.Options{PairBy: compare.PairWorkload})
	if err != nil {
		return fmt.Errorf("--compare: %w", err)
	}
	var w io.Writer = a.Stderr
	format := "table"
	switch ex.stdout {
	case results.Table:
		w = a.Stdout
	case results.MD:
		w, format = a.Stdout, "md"
	}
	fmt.Fprintf(w, "\nbase: %s; candidate: %s\n", order[0], order[1])
	return compare.Write(w, res, format)
}

// runVariant names a run's variant as Plan.Variants does: its target and
// the parameters set for it, sorted.
func runVariant(r results.Run) string {
	keys := append([]string(nil), r.ParamsSet...)
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(r.Target)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%s", k, r.Params[k])
	}
	return b.String()
}
