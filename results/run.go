package results

import (
	"maps"
	"math"
	"slices"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// RunMeta is what a Run records that the harness does not know: the caller's
// description of the run.
type RunMeta struct {
	ID           string            // "r1", "r2", … within the document
	Target       string            // family/name
	Params       map[string]string // every parameter, defaults filled in
	ParamsSet    []string          // the parameters the user set, sorted
	Workload     string            // canonical, fully resolved spec
	WorkloadName string            // preset name, or "custom"
	Seed         uint64
	Clock        string // "wall" or "virtual"
	Repetition   int
	Workers      int
	Shard        string // "k/n", or ""
	Error        string // why the run failed, if it did
}

// MaxClientCounts bounds the per-client counts a Run keeps: with more clients
// than this, only the fairness figures are kept, so a run with a million
// tenants does not write a million numbers.
const MaxClientCounts = 256

// NewRun summarises one harness report. rep may be nil when the run failed
// before measuring anything; the Run then carries only meta.
//
// Non-finite numbers never reach the Run: summaries and fairness figures
// become 0 and non-finite metrics are omitted (a 0 would be a false reading).
// Shard fairness is left empty (N = 0) when no op reported a shard.
func NewRun(meta RunMeta, rep *harness.Report) Run {
	r := Run{
		ID:           meta.ID,
		Target:       meta.Target,
		Params:       maps.Clone(meta.Params),
		ParamsSet:    append([]string{}, meta.ParamsSet...),
		Workload:     meta.Workload,
		WorkloadName: meta.WorkloadName,
		Seed:         meta.Seed,
		Clock:        meta.Clock,
		Repetition:   meta.Repetition,
		Workers:      meta.Workers,
		Shard:        meta.Shard,
		Error:        meta.Error,
		Kinds:        map[string]KindRun{},
		Metrics:      map[string]float64{},
		Intervals:    []Interval{},
	}
	if r.Params == nil {
		r.Params = map[string]string{}
	}
	if rep == nil {
		return r
	}
	r.Loop = rep.Loop
	r.Ops, r.Errors, r.Denied, r.WarmupOps = rep.Ops, rep.Errors, rep.Denied, rep.WarmupOps
	r.DurationS = rep.Duration.Seconds()
	if r.DurationS > 0 {
		r.ThroughputOpsS = finite(float64(rep.Ops) / r.DurationS)
	}
	r.Interrupted = rep.Interrupted
	if rep.FirstError != nil {
		r.FirstError = rep.FirstError.Error()
	}
	r.LatencyNs = Summarize(rep.Latency)
	r.ServiceNs = Summarize(rep.Service)
	if rep.Loop == "open" && rep.SendLag != nil {
		lag := Summarize(rep.SendLag)
		r.SendLagNs = &lag
		r.RequestedOpsS = finite(rep.RequestedRate())
		r.Dropped = rep.Dropped
		r.FellBehind = rep.FellBehind()
	}
	for k := range workloads.NumKinds {
		kr := rep.Kinds[k]
		if kr.Ops == 0 && kr.Latency == nil {
			continue
		}
		r.Kinds[k.String()] = KindRun{
			Ops: kr.Ops, Errors: kr.Errors, Denied: kr.Denied,
			LatencyNs: Summarize(kr.Latency), ServiceNs: Summarize(kr.Service),
		}
	}
	r.Fairness = fairnessOf(rep)
	r.Metrics = finiteMetrics(rep.Metrics)
	r.Intervals = intervalsOf(rep)
	// Encoding only fails on a histogram hdrhistogram-go cannot represent;
	// the summaries above still hold, so the run keeps them without it.
	r.Histogram, _ = EncodeHistogram(rep.Latency)
	r.ServiceHistogram, _ = EncodeHistogram(rep.Service)
	return r
}

func fairnessOf(rep *harness.Report) Fairness {
	var f Fairness
	var served uint64
	for _, c := range rep.ShardOps {
		served += c
	}
	if served > 0 {
		f.Shards = SpreadOf(rep.ShardOps)
		if len(rep.ShardLatencyP99) > 0 {
			f.Shards.LatencyP99Ns = make([]float64, len(rep.ShardLatencyP99))
			for i, v := range rep.ShardLatencyP99 {
				f.Shards.LatencyP99Ns[i] = finite(v)
			}
		}
	}
	if rep.ClientIDs != nil {
		f.Clients = SpreadWithZeros(rep.ClientOps, rep.Clients)
	} else if len(rep.ClientOps) > 0 {
		f.Clients = SpreadOf(rep.ClientOps)
		if len(rep.ClientOps) > MaxClientCounts {
			f.Clients.Counts = nil
		}
	}
	return f
}

func intervalsOf(rep *harness.Report) []Interval {
	out := make([]Interval, 0, len(rep.Intervals))
	for i, iv := range rep.Intervals {
		step := intervalStep(rep, i)
		p50, p99, pmax := intervalLatency(iv.Latency)
		out = append(out, Interval{
			StartS:         iv.Start.Seconds(),
			Ops:            iv.Ops,
			Errors:         iv.Errors,
			Denied:         iv.Denied,
			ThroughputOpsS: finite(float64(iv.Ops) / step.Seconds()),
			LatencyP50Ns:   p50,
			LatencyP99Ns:   p99,
			LatencyMaxNs:   pmax,
			Metrics:        nilIfEmpty(finiteMetrics(iv.Metrics)),
			Partial:        iv.Partial,
		})
	}
	return out
}

var intervalQuantiles = []float64{50, 99, 100}

// intervalLatency is the part of Summarize an interval keeps; it skips the
// mean and deviation, whose walks over the counts cost a thousand times
// more than the percentile scan, for every interval of a long run.
func intervalLatency(h *hdr.Histogram) (p50, p99, pmax float64) {
	if h == nil || h.TotalCount() == 0 {
		return 0, 0, 0
	}
	q := h.ValueAtPercentilesSlice(intervalQuantiles)
	return float64(q[0]), float64(q[1]), float64(q[2])
}

// intervalStep is the length of interval i: up to the next interval's start,
// and for the last one up to the end of the run (a partial step), falling
// back to the previous step, then one second, when that is not positive.
func intervalStep(rep *harness.Report, i int) time.Duration {
	ivs := rep.Intervals
	if i+1 < len(ivs) {
		if d := ivs[i+1].Start - ivs[i].Start; d > 0 {
			return d
		}
	} else if d := rep.Duration - ivs[i].Start; d > 0 {
		return d
	}
	if i > 0 {
		if d := ivs[i].Start - ivs[i-1].Start; d > 0 {
			return d
		}
	}
	return time.Second
}

func finiteMetrics(m map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(m))
	for k, v := range m {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			out[k] = v
		}
	}
	return out
}

func nilIfEmpty(m map[string]float64) map[string]float64 {
	if len(m) == 0 {
		return nil
	}
	return m
}

// NewDocument assembles a dsbench/v1 document; it is interrupted when any of
// its runs was.
func NewDocument(env Environment, runs []Run) *Document {
	d := &Document{Schema: SchemaVersion, Environment: env, Runs: slices.Clone(runs)}
	if d.Runs == nil {
		d.Runs = []Run{}
	}
	for _, r := range runs {
		d.Interrupted = d.Interrupted || r.Interrupted
	}
	return d
}
