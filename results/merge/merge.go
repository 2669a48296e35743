package merge

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dsbench/dsbench/results"
)

// runKey pairs the runs of the shards: the same run in every shard document.
type runKey struct {
	target, params, workload, clock string
	rep                             int
}

func keyOf(r *results.Run) runKey {
	ks := make([]string, 0, len(r.Params))
	for k, v := range r.Params {
		ks = append(ks, k+"="+v)
	}
	sort.Strings(ks)
	return runKey{r.Target, strings.Join(ks, " "), r.Workload, r.Clock, r.Repetition}
}

func (k runKey) String() string {
	return fmt.Sprintf("%s %s %s %s repetition %d", k.target, k.params, k.workload, k.clock, k.rep)
}

// Merge combines the documents of shards 0…n−1 of one invocation into one
// document whose runs have no shard. Exact: ops, errors, denied, warm-up ops,
// per-kind counts, per-shard and per-client counts (and the fairness figures
// recomputed from them), interval counts, and the latency and service
// histograms, from which the summaries are recomputed. Not exactly mergeable,
// so documented: duration is the longest shard's and throughput is total
// ops over it; per-kind and per-interval percentiles and per-shard p99 are
// the maximum over the shards (an upper bound: no merged quantile exceeds
// the largest shard quantile); per-kind mean and stddev are pooled exactly;
// family metrics equal on every shard are kept, others become their
// ops-weighted mean; client fairness is recomputed only when every shard kept
// its client counts.
func Merge(docs []*results.Document) (*results.Document, error) {
	if len(docs) == 0 {
		return nil, fmt.Errorf("nothing to merge")
	}
	if err := checkShards(docs); err != nil {
		return nil, err
	}
	first := docs[0]
	groups := map[runKey][]*results.Run{}
	var order []runKey
	for i := range first.Runs {
		k := keyOf(&first.Runs[i])
		if _, dup := groups[k]; dup {
			return nil, fmt.Errorf("input 1 has two runs of %s", k)
		}
		groups[k] = []*results.Run{&first.Runs[i]}
		order = append(order, k)
	}
	for di, d := range docs[1:] {
		if len(d.Runs) != len(first.Runs) {
			return nil, fmt.Errorf("input %d has %d runs, input 1 has %d: not shards of one run", di+2, len(d.Runs), len(first.Runs))
		}
		for i := range d.Runs {
			k := keyOf(&d.Runs[i])
			g, ok := groups[k]
			if !ok {
				return nil, fmt.Errorf("input %d has a run of %s that input 1 lacks: not shards of one run", di+2, k)
			}
			if len(g) != di+1 {
				return nil, fmt.Errorf("input %d has two runs of %s", di+2, k)
			}
			groups[k] = append(g, &d.Runs[i])
		}
	}
	out := &results.Document{Schema: results.SchemaVersion, Environment: first.Environment, Runs: []results.Run{}}
	for _, d := range docs {
		out.Interrupted = out.Interrupted || d.Interrupted
		if d.Environment.Start.Before(out.Environment.Start) {
			out.Environment.Start = d.Environment.Start
		}
	}
	for i, k := range order {
		r, err := mergeRuns(groups[k])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		r.ID = fmt.Sprintf("r%d", i+1)
		out.Runs = append(out.Runs, r)
	}
	return out, nil
}
