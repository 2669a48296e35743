package results

import (
	"encoding/json"
)

// Undefined figures. A figure that a run cannot have — the percentiles of a
// distribution with no samples, fairness over shards for a target that
// reports none, the latency of an interval in which nothing completed — is
// not a measurement of 0: written as 0 it silently corrupts an average or a
// pivot. Every writer leaves it empty instead: null in JSON, an empty cell in
// CSV and XLSX, "-" in the human tables. Go readers get 0 back (json decodes
// null into a float64 as no change), and Defined tells the two apart.

// Defined reports whether the summary's figures mean anything: it has
// samples (a summary built by hand without a count but with figures counts
// too; Summarize gives the zero Summary for no samples).
func (s Summary) Defined() bool { return s.Count > 0 || s != Summary{} }

// Defined reports whether the spread's figures mean anything: something was
// counted over at least one shard or client.
func (s Spread) Defined() bool { return s.N > 0 || s.Jain != 0 }

// Defined reports whether the interval's latency figures mean anything: an
// op completed in it.
func (iv Interval) Defined() bool { return iv.Ops > 0 }

// ThroughputDefined reports whether the run's throughput means anything: it
// measured for some time (or states a rate, as a document built by hand may).
func (r *Run) ThroughputDefined() bool { return r.DurationS > 0 || r.ThroughputOpsS > 0 }

// opt is a JSON number that is null when undefined.
func opt(v float64, ok bool) *float64 {
	if !ok {
		return nil
	}
	v = finite(v)
	return &v
}

// MarshalJSON writes the summary's figures as null when it has no samples.
func (s Summary) MarshalJSON() ([]byte, error) {
	ok := s.Defined()
	return json.Marshal(struct {
		Count  uint64   `json:"count"`
		P50    *float64 `json:"p50"`
		P90    *float64 `json:"p90"`
		P99    *float64 `json:"p99"`
		P999   *float64 `json:"p999"`
		P9999  *float64 `json:"p9999"`
		Max    *float64 `json:"max"`
		Mean   *float64 `json:"mean"`
		Stddev *float64 `json:"stddev"`
	}{s.Count, opt(s.P50, ok), opt(s.P90, ok), opt(s.P99, ok), opt(s.P999, ok), opt(s.P9999, ok),
		opt(s.Max, ok), opt(s.Mean, ok), opt(s.Stddev, ok)})
}

// MarshalJSON writes the spread's indexes as null when nothing was counted.
func (s Spread) MarshalJSON() ([]byte, error) {
	ok := s.Defined()
	return json.Marshal(struct {
		N            int       `json:"n"`
		Jain         *float64  `json:"jain"`
		MaxMean      *float64  `json:"max_mean"`
		CoV          *float64  `json:"cov"`
		Gini         *float64  `json:"gini"`
		Counts       []uint64  `json:"counts,omitempty"`
		LatencyP99Ns []float64 `json:"latency_p99_ns,omitempty"`
	}{s.N, opt(s.Jain, ok), opt(s.MaxMean, ok), opt(s.CoV, ok), opt(s.Gini, ok), s.Counts, s.LatencyP99Ns})
}

// MarshalJSON writes an empty interval's latency figures as null.
func (iv Interval) MarshalJSON() ([]byte, error) {
	ok := iv.Defined()
	return json.Marshal(struct {
		StartS         float64            `json:"start_s"`
		Ops            uint64             `json:"ops"`
		Errors         uint64             `json:"errors"`
		Denied         uint64             `json:"denied"`
		ThroughputOpsS float64            `json:"throughput_ops_s"`
		LatencyP50Ns   *float64           `json:"latency_p50_ns"`
		LatencyP99Ns   *float64           `json:"latency_p99_ns"`
		LatencyMaxNs   *float64           `json:"latency_max_ns"`
		Metrics        map[string]float64 `json:"metrics,omitempty"`
	}{finite(iv.StartS), iv.Ops, iv.Errors, iv.Denied, finite(iv.ThroughputOpsS),
		opt(iv.LatencyP50Ns, ok), opt(iv.LatencyP99Ns, ok), opt(iv.LatencyMaxNs, ok), iv.Metrics})
}
