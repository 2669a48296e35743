package merge

import (
	"fmt"
	"maps"
	"math"
	"strings"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/dsbench/dsbench/results"
)

// mergeRuns combines one run's shards (see Merge for what is exact).
func mergeRuns(rs []*results.Run) (results.Run, error) {
	f := rs[0]
	out := results.Run{
		Target: f.Target, Params: maps.Clone(f.Params), Workload: f.Workload, WorkloadName: f.WorkloadName,
		Seed: f.Seed, Clock: f.Clock, Loop: f.Loop, Repetition: f.Repetition,
		Kinds: map[string]results.KindRun{}, Metrics: map[string]float64{},
	}
	var errs []string
	for _, r := range rs {
		out.Workers += r.Workers
		out.Ops += r.Ops
		out.Errors += r.Errors
		out.Denied += r.Denied
		out.WarmupOps += r.WarmupOps
		out.DurationS = math.Max(out.DurationS, r.DurationS)
		out.Interrupted = out.Interrupted || r.Interrupted
		if r.Error != "" {
			errs = append(errs, fmt.Sprintf("shard %s: %s", r.Shard, r.Error))
		}
		if out.FirstError == "" {
			out.FirstError = r.FirstError
		}
	}
	out.Error = strings.Join(errs, "; ")
	if out.DurationS > 0 {
		out.ThroughputOpsS = float64(out.Ops) / out.DurationS
	}
	var err error
	if out.Histogram, out.LatencyNs, err = mergeHist(rs, func(r *results.Run) string { return r.Histogram }); err != nil {
		return out, fmt.Errorf("latency histogram: %w", err)
	}
	if out.ServiceHistogram, out.ServiceNs, err = mergeHist(rs, func(r *results.Run) string { return r.ServiceHistogram }); err != nil {
		return out, fmt.Errorf("service histogram: %w", err)
	}
	out.Kinds = mergeKinds(rs)
	out.Fairness = mergeFairness(rs)
	out.Metrics = mergeMetrics(rs, func(r *results.Run) (map[string]float64, uint64) { return r.Metrics, r.Ops })
	out.Intervals = mergeIntervals(rs)
	return out, nil
}

// mergeHist adds the shards' histograms. All shards must carry one, or none
// (a document written without histograms cannot be merged exactly, so the
// summaries are then left empty rather than guessed).
func mergeHist(rs []*results.Run, get func(*results.Run) string) (string, results.Summary, error) {
	var sum *hdr.Histogram
	missing := 0
	for _, r := range rs {
		if get(r) == "" {
			missing++
			continue
		}
		h, err := results.DecodeHistogram(get(r))
		if err != nil {
			return "", results.Summary{}, fmt.Errorf("shard %s: %w", r.Shard, err)
		}
		if sum == nil {
			sum = h
			continue
		}
		if dropped := sum.Merge(h); dropped > 0 {
			return "", results.Summary{}, fmt.Errorf("shard %s: %d values out of the first shard's range", r.Shard, dropped)
		}
	}
	if sum == nil {
		return "", results.Summary{}, nil
	}
	if missing > 0 {
		return "", results.Summary{}, fmt.Errorf("%d of %d shards have no histogram", missing, len(rs))
	}
	enc, err := results.EncodeHistogram(sum)
	return enc, results.Summarize(sum), err
}
