package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dsbench/dsbench/results"
)

// label names a run in legends and tables: target, parameters, workload and
// repetition, leaving out what every run of the document shares.
func labels(runs []results.Run) []string {
	reps, workloads := map[int]bool{}, map[string]bool{}
	for _, r := range runs {
		reps[r.Repetition] = true
		workloads[r.Workload] = true
	}
	out := make([]string, len(runs))
	for i, r := range runs {
		parts := []string{r.Target}
		if p := paramString(r.Params); p != "" {
			parts = append(parts, p)
		}
		if len(workloads) > 1 {
			w := r.WorkloadName
			if w == "" || w == "custom" {
				w = r.Workload
			}
			parts = append(parts, w)
		}
		if len(reps) > 1 {
			parts = append(parts, fmt.Sprintf("#%d", r.Repetition))
		}
		if r.Shard != "" {
			parts = append(parts, "shard "+r.Shard)
		}
		out[i] = strings.Join(parts, " ")
	}
	return out
}

func paramString(p map[string]string) string {
	ks := make([]string, 0, len(p))
	for k, v := range p {
		ks = append(ks, k+"="+v)
	}
	sort.Strings(ks)
	return strings.Join(ks, " ")
}
