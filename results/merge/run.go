package merge

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/dsbench/dsbench/results"
)

// mergeRuns combines one run's shards (see Merge for what is exact).
func mergeRuns(rs []*results.Run) (results.Run, error) {
	f := rs[0]
	if err := sameRun(rs); err != nil {
		return results.Run{}, err
	}
	out := results.Run{
		Target: f.Target, Params: maps.Clone(f.Params), ParamsSet: slices.Clone(f.ParamsSet),
		Workload: f.Workload, WorkloadName: f.WorkloadName,
		Seed: f.Seed, Clock: f.Clock, Loop: f.Loop, Repetition: f.Repetition,
		Kinds: map[string]results.KindRun{}, Metrics: map[string]float64{},
	}
	var errs, behind []string
	var c counters
	for _, r := range rs {
		out.Workers += r.Workers
		out.Dropped = c.add(out.Dropped, r.Dropped, "dropped")
		out.RequestedOpsS += r.RequestedOpsS
		if r.FellBehind != "" {
			behind = append(behind, fmt.Sprintf("shard %s: %s", r.Shard, r.FellBehind))
		}
		out.SendLagNs = worstLag(out.SendLagNs, r.SendLagNs)
		out.Ops = c.add(out.Ops, r.Ops, "ops")
		out.Errors = c.add(out.Errors, r.Errors, "errors")
		out.Denied = c.add(out.Denied, r.Denied, "denied")
		out.WarmupOps = c.add(out.WarmupOps, r.WarmupOps, "warmup_ops")
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
	out.FellBehind = strings.Join(behind, "; ")
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
	out.Kinds = mergeKinds(rs, &c)
	out.Fairness = mergeFairness(rs, &c)
	out.Metrics = mergeMetrics(rs, func(r *results.Run) (map[string]float64, uint64) { return r.Metrics, r.Ops })
	out.Intervals = mergeIntervals(rs, &c)
	if c.overflow != "" {
		return out, fmt.Errorf("%s: the shards' sum exceeds 2^64−1 (a counter cannot hold it; are these really shards of one run?)", c.overflow)
	}
	return out, nil
}

// sameRun rejects shards that cannot be parts of one run: the op stream of
// shard k is part k·W+j of n·W of the stream the root seed defines, so a
// shard with another seed, or another worker count W, replays parts that
// overlap or leave holes, and their sum is no longer one load.
func sameRun(rs []*results.Run) error {
	f := rs[0]
	for _, r := range rs[1:] {
		if r.Seed != f.Seed {
			return fmt.Errorf("shard %s has seed %d, shard %s seed %d: shards of one run share the seed", r.Shard, r.Seed, f.Shard, f.Seed)
		}
		if r.Workers != f.Workers {
			return fmt.Errorf("shard %s ran %d workers, shard %s %d: shards of one run use the same --workers", r.Shard, r.Workers, f.Shard, f.Workers)
		}
	}
	return nil
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

// worstLag combines the shards' send lags. Their histograms are not kept, so
// the merged run shows, figure by figure, the worst shard's: the shard whose
// generator lagged most decides whether the whole run's latency is to be
// trusted.
func worstLag(a, b *results.Summary) *results.Summary {
	if b == nil {
		return a
	}
	if a == nil {
		c := *b
		return &c
	}
	c := *a
	c.Count += b.Count
	c.P50, c.P90, c.P99 = math.Max(c.P50, b.P50), math.Max(c.P90, b.P90), math.Max(c.P99, b.P99)
	c.P999, c.P9999, c.Max = math.Max(c.P999, b.P999), math.Max(c.P9999, b.P9999), math.Max(c.Max, b.Max)
	c.Mean, c.Stddev = math.Max(c.Mean, b.Mean), math.Max(c.Stddev, b.Stddev)
	return &c
}
