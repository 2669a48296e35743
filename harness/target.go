package harness

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// Outcome is what a target reports for one op.
type Outcome struct {
	Shard  int32 // node / backend / partition that served the op; -1 for none
	Denied bool  // refused by policy (a rate limiter, a full queue): counted, not an error
	Err    error // the op failed
}

// NoShard is the Shard of an op that no shard served.
const NoShard int32 = -1

// Target is asked on the wall clock by many workers at once. now is the time
// since the run's start at which the op is sent (read once by the harness, so
// the algorithm never reads the clock itself: docs/design.md rule 1).
type Target interface {
	Do(now time.Duration, op *workloads.Op) Outcome
}

// Forker is implemented by wall-clock targets that keep per-worker state (a
// random source, a scratch buffer). The harness calls Fork once per worker
// before the run and then calls only the forked target from that worker.
type Forker interface {
	Fork(worker int, r *rand.Rand) Target
}

// SimTarget runs in virtual time. Start begins serving req at w.Now(); the
// target must eventually call w.Complete(req, outcome) exactly once, now or
// from an event it scheduled.
type SimTarget interface {
	Start(w *World, req *Request)
}

// SimSetup is implemented by simulated targets that schedule their own events
// (a backend that dies mid-run, a periodic compaction). Setup is called once,
// at virtual time 0, before the first op.
type SimSetup interface {
	Setup(w *World)
}

// RunEnder is implemented by simulated targets that decide themselves when
// a run has measured enough (N elections, a job finished). When EndsRun
// reports true, the run's Ops and Duration bounds are ignored and it ends
// when the target calls World.EndRun.
type RunEnder interface {
	EndsRun() bool
}

// Metricser reports family figures at the end of a run (write amplification,
// keys moved, stale-read rate…). Keys are snake_case.
type Metricser interface {
	Metrics() map[string]float64
}

// IntervalMetricser reports gauges sampled once per interval (L0 file count,
// queue depth), which land in the run's per-second time series.
type IntervalMetricser interface {
	IntervalMetrics() map[string]float64
}

// A target may also implement io.Closer; the caller (the CLI) closes it after
// the run — RunWall and RunSim do not.

// Loader is implemented by targets with a load phase, as YCSB has: Load
// inserts keys [0, n) with values of valueSize bytes before the measured run.
// It is not timed.
type Loader interface {
	Load(n uint64, valueSize int) error
}

// ContextLoader is a Loader whose load phase stops when ctx is done (Ctrl-C
// during a long --load): it returns ctx's error between batches, leaving
// the target fit to be closed. The CLI prefers it to Load.
type ContextLoader interface {
	LoadContext(ctx context.Context, n uint64, valueSize int) error
}

// ErrTargetBug marks a run that failed because a target broke its contract
// with the harness (an op it never completed, a panic in a wall-clock
// worker): a bug to report, not bad input. The CLI exits 3 for it.
var ErrTargetBug = errors.New("internal error in the target")
