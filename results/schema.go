package results

import "time"

// SchemaVersion names the JSON document format.
const SchemaVersion = "dsbench/v1"

// Document is everything one dsbench invocation measured.
type Document struct {
	Schema      string      `json:"schema"` // SchemaVersion
	Environment Environment `json:"environment"`
	Interrupted bool        `json:"interrupted"` // Ctrl-C ended the invocation early
	Runs        []Run       `json:"runs"`
}

// Environment is where and when the runs happened.
type Environment struct {
	Version   string    `json:"version"` // dsbench version
	Commit    string    `json:"commit"`  // VCS revision, "" if unknown
	GoVersion string    `json:"go_version"`
	OS        string    `json:"os"`
	Arch      string    `json:"arch"`
	CPU       string    `json:"cpu"`
	Cores     int       `json:"cores"`
	Start     time.Time `json:"start"`
	Host      string    `json:"host,omitempty"`    // the machine's host name
	Command   string    `json:"command,omitempty"` // the command line, shell-quoted, for reproduction
}

// Run is one (target, params, workload, repetition).
type Run struct {
	ID     string            `json:"id"` // "r1", "r2", … within the document
	Target string            `json:"target"`
	Params map[string]string `json:"params"` // every parameter, defaults filled in
	// ParamsSet names the parameters the user set (the sweep point); the
	// others are defaults. The table's params column shows these.
	ParamsSet    []string `json:"params_set"`
	Workload     string   `json:"workload"`      // canonical, fully resolved spec
	WorkloadName string   `json:"workload_name"` // short label: the preset name, or "custom"
	Seed         uint64   `json:"seed"`
	Clock        string   `json:"clock"` // "wall" or "virtual"
	Loop         string   `json:"loop"`  // "open" or "closed"; closed: latency = service
	Repetition   int      `json:"repetition"`
	Workers      int      `json:"workers"`
	Shard        string   `json:"shard,omitempty"` // "k/n" when run as one shard of a larger load

	Ops            uint64  `json:"ops"`
	Errors         uint64  `json:"errors"`
	Denied         uint64  `json:"denied"`
	DurationS      float64 `json:"duration_s"`
	ThroughputOpsS float64 `json:"throughput_ops_s"`
	WarmupOps      uint64  `json:"warmup_ops"`

	LatencyNs Summary `json:"latency_ns"` // done − intended start
	ServiceNs Summary `json:"service_ns"` // done − sent
	// The open loop's account of its own schedule, as wrk2 and k6 report
	// it: send lag (actual − intended send; 0 by construction in virtual
	// time), the schedule's rate, the ops due before the end of --duration
	// that were never sent, and, when it achieved under 0.95× the requested
	// rate or its send lag p99 was over 1 ms, why: such a run's latency
	// includes the generator's own lag. Absent in a closed loop.
	SendLagNs     *Summary           `json:"send_lag_ns,omitempty"`
	RequestedOpsS float64            `json:"requested_ops_s,omitempty"`
	Dropped       uint64             `json:"dropped,omitempty"`
	FellBehind    string             `json:"fell_behind,omitempty"`
	Kinds         map[string]KindRun `json:"kinds"` // per op kind ("read", "update", …)

	Fairness  Fairness           `json:"fairness"`
	Metrics   map[string]float64 `json:"metrics"`
	Intervals []Interval         `json:"intervals"`

	// Histogram and ServiceHistogram are the merged HDR histograms in
	// HdrHistogram's compressed base64 form ("HISTF…"), so results from
	// several machines merge without loss.
	Histogram        string `json:"histogram"`
	ServiceHistogram string `json:"service_histogram"`

	Interrupted bool   `json:"interrupted"`
	Error       string `json:"error,omitempty"`       // why the run failed, if it did
	FirstError  string `json:"first_error,omitempty"` // the first error an op returned, if any
}

// Summary is a latency distribution in nanoseconds.
type Summary struct {
	Count  uint64  `json:"count"`
	P50    float64 `json:"p50"`
	P90    float64 `json:"p90"`
	P99    float64 `json:"p99"`
	P999   float64 `json:"p999"`
	P9999  float64 `json:"p9999"`
	Max    float64 `json:"max"`
	Mean   float64 `json:"mean"`
	Stddev float64 `json:"stddev"`
}

// KindRun is the part of a run spent on one op kind.
type KindRun struct {
	Ops       uint64  `json:"ops"`
	Errors    uint64  `json:"errors"`
	Denied    uint64  `json:"denied"`
	LatencyNs Summary `json:"latency_ns"`
	ServiceNs Summary `json:"service_ns"`
}

// Fairness is how evenly ops spread over shards and over clients.
type Fairness struct {
	Shards  Spread `json:"shards"`
	Clients Spread `json:"clients"`
}

// Spread summarises a vector of per-shard or per-client op counts.
type Spread struct {
	N       int      `json:"n"`        // shards or clients seen
	Jain    float64  `json:"jain"`     // (Σx)² / (n·Σx²), in [1/n, 1]
	MaxMean float64  `json:"max_mean"` // peak-to-average
	CoV     float64  `json:"cov"`      // σ/μ
	Gini    float64  `json:"gini"`     // ΣΣ|xi − xj| / (2n²μ)
	Counts  []uint64 `json:"counts,omitempty"`
	// LatencyP99Ns is the p99 latency per shard (shards only, where recorded).
	LatencyP99Ns []float64 `json:"latency_p99_ns,omitempty"`
}

// Interval is one step (normally one second) of a run's time series.
type Interval struct {
	StartS         float64            `json:"start_s"`
	Ops            uint64             `json:"ops"`
	Errors         uint64             `json:"errors"`
	Denied         uint64             `json:"denied"`
	ThroughputOpsS float64            `json:"throughput_ops_s"`
	LatencyP50Ns   float64            `json:"latency_p50_ns"`
	LatencyP99Ns   float64            `json:"latency_p99_ns"`
	LatencyMaxNs   float64            `json:"latency_max_ns"`
	Metrics        map[string]float64 `json:"metrics,omitempty"`
	// Partial marks a last interval shorter than a step (a shorter tail is
	// merged into the interval before it); its rate is over its real length.
	Partial bool `json:"partial,omitempty"`
}
