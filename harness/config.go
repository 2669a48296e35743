package harness

import (
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/dsbench/dsbench/harness/history"
	"github.com/dsbench/dsbench/workloads"
)

// Config is one run's settings. Zero values mean the documented defaults.
type Config struct {
	// Source returns the op stream of one worker (wall clock) or one client
	// population (virtual time): part Index of Of. Each part must be
	// independent (its own derived seed) so the parts together have the
	// statistics of the whole workload.
	Source func(part workloads.Part) (workloads.Source, error)
	// Closed runs a closed loop: each worker sends its next op when the
	// previous one completes (plus Think in virtual time); ops' At is ignored
	// and latency = service.
	Closed bool
	// Workers is, on the wall clock, the number of closed-loop workers
	// (default 1) or the cap on open-loop ops in flight (default 0: as many as
	// the target needs, up to 10,000; 1 reproduces a single blocking client).
	// In virtual time it is the number of closed-loop clients or open-loop
	// parts (default 1).
	Workers int
	// Think is the closed-loop think time between ops (virtual time); nil = none.
	Think workloads.DurationDist

	Ops      uint64        // measured ops to run; 0 = until Duration
	Duration time.Duration // measured time to run; 0 = until Ops
	// Warmup runs first, is measured separately and is discarded.
	WarmupOps uint64
	Warmup    time.Duration

	Interval time.Duration // time-series step; default 1s
	Seed     uint64        // root seed: per-worker and per-component seeds derive from it

	Shards  int // expected number of shards (a sizing hint; more are counted too)
	Clients int // number of client ids (from the workload)

	// Progress, if set, is called about ten times a second from a goroutine
	// of the harness (never from the per-op path) with the measured ops so far.
	Progress func(done uint64)

	// Check records the client history of a target that implements
	// HistoryRecorder and checks it for linearizability after the run
	// (check.go); CheckLimit bounds the checker's wall time per key
	// (default DefaultCheckLimit).
	Check      bool
	CheckLimit time.Duration
}

// Report is what one run measured: raw histograms and counters, summarised
// by package results.
type Report struct {
	Loop        string // "open" or "closed"
	Ops         uint64 // measured ops (warm-up excluded)
	Errors      uint64
	Denied      uint64
	WarmupOps   uint64
	Duration    time.Duration // measured time, from the first intended start to the last completion
	Interrupted bool          // the context was cancelled before the run ended

	// Latency (done − intended) and Service (done − sent) over all kinds, in ns.
	Latency, Service *hdr.Histogram
	// The open loop's account of its own schedule (generator.go): SendLag
	// (actual − intended send, ns; nil in a closed loop), the measured ops
	// the schedule asked for (Intended = Ops + Dropped) and those due before
	// the end that were never sent (Dropped).
	SendLag           *hdr.Histogram
	Intended, Dropped uint64
	DroppedEstimated  bool // past a count of 2^24 the rest of Dropped is estimated
	// IntendedSpan runs from the start of the measured phase to the last
	// intended start the schedule asked for; SentSpan to the last actual
	// send. Their ratio to the op counts gives the requested and achieved rates.
	IntendedSpan, SentSpan time.Duration
	Kinds                  [workloads.NumKinds]KindReport

	ShardOps        []uint64  // ops served per shard (Outcome.Shard)
	ShardLatencyP99 []float64 // p99 latency per shard, ns, when recorded
	// ClientOps and ClientDenied count ops and denials per client: indexed
	// by client id when ClientIDs is nil (ids below DenseClientReport), else
	// one entry per client seen, ClientIDs naming them in increasing order.
	// Clients is the size of the workload's client spread (ids 0…Clients−1
	// that sent nothing count as 0 in fairness figures), or, if larger, the
	// largest id seen + 1.
	ClientOps    []uint64
	ClientDenied []uint64
	ClientIDs    []uint32
	Clients      uint64
	Intervals    []IntervalReport
	Metrics      map[string]float64 // from the target's Metricser, if any
	FirstError   error
	Events       uint64 // virtual time: discrete events the World ran
	// Check is the linearizability verdict when Config.Check was set and
	// the target records a history; nil otherwise.
	Check *history.Result
}

// KindReport is the share of a run of one op kind.
type KindReport struct {
	Ops, Errors, Denied uint64
	Latency, Service    *hdr.Histogram // nil when no op of the kind ran
}

// IntervalReport is one step of the time series. Steps are Config.Interval
// long, doubled as often as needed to keep at most MaxIntervals of them. The
// last one runs to the end of the measured phase: a tail under half a step
// is merged into the interval before it (which then runs up to 1.5 steps),
// a longer one is kept and marked Partial.
type IntervalReport struct {
	Start   time.Duration
	Ops     uint64
	Errors  uint64
	Denied  uint64
	Latency *hdr.Histogram     // 2 significant digits
	Metrics map[string]float64 // from the target's IntervalMetricser, if any
	// Partial marks a last interval shorter than a step (at least half a
	// step, or the only interval of a shorter run).
	Partial bool
}

// NewHistogram returns a histogram over 1 ns … 1 h at 3 significant digits
// (docs/design.md rule 4).
func NewHistogram() *hdr.Histogram { return hdr.New(1, int64(time.Hour), 3) }
