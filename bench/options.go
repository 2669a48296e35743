package bench

import (
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
)

// Defaults of a run.
const (
	// DefaultSeed is the CLI's root seed when --seed is not given. Options.Seed
	// is used as given: its zero value is seed 0.
	DefaultSeed uint64 = 1
	// DefaultDuration is a run's measured time when neither Ops nor Duration is set.
	DefaultDuration = 3 * time.Second
	// DefaultTourDuration is each target's measured time in the tour.
	DefaultTourDuration = time.Second
)

// Options are a run's settings; zero values mean the defaults noted. Each
// field is the `dsbench run` flag of the same name, and errors name that flag.
type Options struct {
	Keys    string  // --keys: overrides the workload's key distribution
	Mix     string  // --mix: overrides the op mix
	Arrival string  // --arrival: overrides the arrival process
	Clients string  // --clients: overrides the client spread
	Rate    float64 // --rate: ops/s (open loop; a closed workload becomes constant:rate); 0 = as the workload says
	Trace   string  // --trace FILE: replay this op stream instead of generating one

	// Params are target parameters as key=value (the -p flag); key=a|b|c
	// sweeps one, and several sweeps form the cross product, first slowest.
	Params []string

	Ops      uint64        // measured ops per run; 0 = until Duration
	Duration time.Duration // measured time per run (virtual time on the virtual clock); both 0 = DefaultDuration
	Warmup   time.Duration // run this long first, measured separately and discarded

	// Workers is the number of closed-loop workers (default 1) or the cap on
	// open-loop ops in flight (0: as many as the target needs). Targets that
	// hold connections size their pools from it.
	Workers int
	Clock   algorithms.Clock // wall or virtual; "" = each target's default
	Seed    uint64           // the root seed (used as given; the CLI's default is DefaultSeed)
	Runs    int              // repetitions of each run (0 = 1); repetition k > 0 derives its seed
	// Load inserts keys [0, Load) before the measured phase of a target with
	// a load phase (YCSB's load), and makes the keyspace Load keys unless
	// Keys is set.
	Load      uint64
	ValueSize int    // value bytes for writes and the load; 0 = as the workload says (load: 100)
	Shard     string // "k/n": run shard k (from 0) of n of the load; "" = all of it

	// Shards is the number of shards (nodes, backends) the target has, when
	// known: a shard that served no op then counts as 0 in the fairness
	// figures. 0 counts the shards that served.
	Shards int

	// Check records the client history of targets that promise
	// linearizable operations (Info.Checked) and checks it with porcupine
	// after each run; a violation fails the run, naming the key and a
	// minimal window of its history. CheckLimit bounds the checker per key
	// (0: harness.DefaultCheckLimit).
	Check      bool
	CheckLimit time.Duration

	// Name is what the results call your own target (a harness.Target or
	// SimTarget value); default its Go type.
	Name string

	// Progress, if set, is told as each run starts, advances and ends (Run
	// only; Plan.Execute takes it as an argument).
	Progress Progress
}

// Progress follows the runs of a plan: the CLI draws bars with it.
type Progress interface {
	// Start is called as run i of n starts; expected is its op count if
	// known (0 = unknown).
	Start(label string, i, n int, expected uint64) RunProgress
}

// TimedProgress is a Progress that also takes each run's length on the
// wall clock, so it can draw elapsed against total: measured is the
// --duration of a wall-clock run that ends by time and warmup the warm-up
// before it; both are 0 for a run that ends by op count or runs in virtual
// time (whose duration is simulated time). Plan.Execute calls StartTimed
// instead of Start when the Progress has it.
type TimedProgress interface {
	StartTimed(label string, i, n int, expected uint64, warmup, measured time.Duration) RunProgress
}

// RunProgress follows one run.
type RunProgress interface {
	Set(done uint64)          // measured ops so far, ~10 times a second, never per op
	Done(rep *harness.Report) // the run ended (completed or interrupted)
	Abort()                   // the run failed
}

type noProgress struct{}

func (noProgress) Start(string, int, int, uint64) RunProgress { return noProgress{} }
func (noProgress) Set(uint64)                                 {}
func (noProgress) Done(*harness.Report)                       {}
func (noProgress) Abort()                                     {}
