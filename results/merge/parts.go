package merge

import (
	"math"
	"math/bits"
	"sort"

	"github.com/dsbench/dsbench/results"
)

func mergeKinds(rs []*results.Run, c *counters) map[string]results.KindRun {
	out := map[string]results.KindRun{}
	for _, r := range rs {
		for name, k := range r.Kinds {
			m := out[name]
			m.Ops = c.add(m.Ops, k.Ops, "kinds."+name+".ops")
			m.Errors = c.add(m.Errors, k.Errors, "kinds."+name+".errors")
			m.Denied = c.add(m.Denied, k.Denied, "kinds."+name+".denied")
			m.LatencyNs = poolSummary(m.LatencyNs, k.LatencyNs)
			m.ServiceNs = poolSummary(m.ServiceNs, k.ServiceNs)
			out[name] = m
		}
	}
	return out
}

// poolSummary combines two summaries without their histograms: count, mean,
// max and stddev exactly (pooled variance), percentiles as the larger of the
// two, an upper bound of the pooled percentile.
func poolSummary(a, b results.Summary) results.Summary {
	if a.Count == 0 {
		return b
	}
	if b.Count == 0 {
		return a
	}
	na, nb := float64(a.Count), float64(b.Count)
	n := na + nb
	mean := (na*a.Mean + nb*b.Mean) / n
	ss := na*(a.Stddev*a.Stddev+(a.Mean-mean)*(a.Mean-mean)) + nb*(b.Stddev*b.Stddev+(b.Mean-mean)*(b.Mean-mean))
	return results.Summary{
		Count: a.Count + b.Count, Mean: mean, Stddev: math.Sqrt(ss / n),
		P50: math.Max(a.P50, b.P50), P90: math.Max(a.P90, b.P90), P99: math.Max(a.P99, b.P99),
		P999: math.Max(a.P999, b.P999), P9999: math.Max(a.P9999, b.P9999), Max: math.Max(a.Max, b.Max),
	}
}

func addCounts(dst, src []uint64, c *counters, what string) []uint64 {
	for len(dst) < len(src) {
		dst = append(dst, 0)
	}
	for i, v := range src {
		dst[i] = c.add(dst[i], v, what)
	}
	return dst
}

func mergeFairness(rs []*results.Run, c *counters) results.Fairness {
	var f results.Fairness
	var shards, clients []uint64
	var p99 []float64
	clientCounts := true
	for _, r := range rs {
		shards = addCounts(shards, r.Fairness.Shards.Counts, c, "fairness.shards.counts")
		for i, v := range r.Fairness.Shards.LatencyP99Ns {
			for len(p99) <= i {
				p99 = append(p99, 0)
			}
			p99[i] = math.Max(p99[i], v)
		}
		if r.Fairness.Clients.N > 0 && len(r.Fairness.Clients.Counts) == 0 {
			clientCounts = false
		}
		clients = addCounts(clients, r.Fairness.Clients.Counts, c, "fairness.clients.counts")
	}
	if len(shards) > 0 {
		f.Shards = results.SpreadOf(shards)
		f.Shards.LatencyP99Ns = p99
	}
	if clientCounts && len(clients) > 0 {
		f.Clients = results.SpreadOf(clients)
	} else if !clientCounts {
		// Without counts the spread cannot be recomputed; keep only how
		// many clients the largest shard saw, a lower bound.
		for _, r := range rs {
			f.Clients.N = max(f.Clients.N, r.Fairness.Clients.N)
		}
	}
	return f
}

// mergeMetrics keeps figures equal on every shard and replaces the others by
// their weighted mean.
func mergeMetrics[T any](parts []T, get func(T) (map[string]float64, uint64)) map[string]float64 {
	names := map[string]bool{}
	for _, p := range parts {
		m, _ := get(p)
		for k := range m {
			names[k] = true
		}
	}
	if len(names) == 0 {
		return nil
	}
	keys := make([]string, 0, len(names))
	for k := range names {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := map[string]float64{}
	for _, k := range keys {
		var sum, wsum, first float64
		equal, seen := true, 0
		for _, p := range parts {
			m, w := get(p)
			v, ok := m[k]
			if !ok {
				continue
			}
			if seen == 0 {
				first = v
			} else if v != first {
				equal = false
			}
			seen++
			sum += v * float64(w)
			wsum += float64(w)
		}
		switch {
		case equal:
			out[k] = first
		case wsum > 0:
			out[k] = sum / wsum
		}
	}
	return out
}

// mergeIntervals merges the time series step by step (shards start together
// when a scheduler starts them; step i covers the same second on each).
func mergeIntervals(rs []*results.Run, c *counters) []results.Interval {
	n := 0
	for _, r := range rs {
		n = max(n, len(r.Intervals))
	}
	out := make([]results.Interval, n)
	for i := range out {
		var parts []results.Interval
		for _, r := range rs {
			if i < len(r.Intervals) {
				parts = append(parts, r.Intervals[i])
			}
		}
		iv := &out[i]
		iv.StartS = parts[0].StartS
		for _, p := range parts {
			iv.Ops = c.add(iv.Ops, p.Ops, "intervals.ops")
			iv.Errors = c.add(iv.Errors, p.Errors, "intervals.errors")
			iv.Denied = c.add(iv.Denied, p.Denied, "intervals.denied")
			iv.ThroughputOpsS += p.ThroughputOpsS
			iv.LatencyP50Ns = math.Max(iv.LatencyP50Ns, p.LatencyP50Ns)
			iv.LatencyP99Ns = math.Max(iv.LatencyP99Ns, p.LatencyP99Ns)
			iv.LatencyMaxNs = math.Max(iv.LatencyMaxNs, p.LatencyMaxNs)
		}
		iv.Metrics = mergeMetrics(parts, func(p results.Interval) (map[string]float64, uint64) { return p.Metrics, p.Ops })
	}
	return out
}

// counters adds the shards' counters and remembers the first that would
// wrap past 2^64−1: a merged count that wrapped (2^64−1 + 3000 = 2999)
// would be silently wrong, so Merge refuses it.
type counters struct{ overflow string }

func (c *counters) add(a, b uint64, what string) uint64 {
	s, carry := bits.Add64(a, b, 0)
	if carry != 0 {
		if c.overflow == "" {
			c.overflow = what
		}
		return math.MaxUint64
	}
	return s
}
