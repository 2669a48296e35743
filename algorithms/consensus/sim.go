package consensus

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
	"github.com/dsbench/dsbench/workloads"
)

// SimConfig is what every consensus target shares: the cluster (network,
// CPUs, disks, faults), its timers and the client side.
type SimConfig struct {
	Cluster algorithms.Cluster
	// Spread puts the nodes on a line: link a→b gets |a−b|·Spread on top
	// of the cluster's delay.
	Spread    time.Duration
	Election  TimeoutRange  // election timeout, uniform in [Min, Max]
	Heartbeat time.Duration // the leader's keep-alive period
	// Timeout fails an op whose command is not answered that long after it
	// started (0: never).
	Timeout time.Duration
	// Trials > 0 runs the elections experiment (elections.go): crash the
	// leader Trials times and end the run. Settle is how long the cluster
	// runs between a restart and the next crash.
	Trials int
	Settle time.Duration
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func (s SimConfig) nodes() int { return s.Cluster.Net.Nodes }

func (s SimConfig) check() error {
	n := s.nodes()
	switch {
	case n > 64:
		return fmt.Errorf("nodes=%d: at most 64", n)
	case s.Heartbeat <= 0:
		return fmt.Errorf("heartbeat=%v must be positive", s.Heartbeat)
	case s.Election.Min <= s.Heartbeat:
		// A follower must hear a heartbeat before its timer runs out, or
		// candidates duel forever (etcd raft panics: election tick must be
		// greater than heartbeat tick).
		return fmt.Errorf("election_timeout=%v must start above heartbeat=%v (a follower hears at least one heartbeat per timeout)", s.Election, s.Heartbeat)
	case s.Trials > 0 && s.Cluster.Faults.Crash.Kind != simnet.SelectLeader:
		return fmt.Errorf("trials=%d repeats leader crashes: set crash=leader (got crash=%v)", s.Trials, s.Cluster.Faults.Crash)
	case s.Trials > 0 && n < 3:
		return fmt.Errorf("trials=%d needs nodes ≥ 3 (a majority must survive the leader's crash)", s.Trials)
	}
	return nil
}

// shifted is a delay distribution moved right by add.
type shifted struct {
	d   workloads.DurationDist
	add time.Duration
}

func (s shifted) Next(r *rand.Rand) time.Duration { return s.d.Next(r) + s.add }
func (s shifted) Mean() time.Duration             { return s.d.Mean() + s.add }
func (s shifted) String() string                  { return s.d.String() + "+" + s.add.String() }

// newNet builds the cluster's network with the spread and the protocol's
// message kinds.
func newNet[P any](w *harness.World, s SimConfig, kinds []string) *simnet.Net[P] {
	nt, err := algorithms.NewNet[P](w, s.Cluster, kinds)
	if err != nil {
		panic(err) // validated when the target was built
	}
	if s.Spread > 0 {
		base := nt.Config().Delay
		for a := 0; a < nt.Nodes(); a++ {
			for b := 0; b < nt.Nodes(); b++ {
				if a != b {
					nt.SetLinkDelay(a, b, shifted{base, time.Duration(abs(a-b)) * s.Spread})
				}
			}
		}
	}
	return nt
}

// scheduleFaults schedules the cluster's faults; with trials the crash
// is the experiment's, repeated, not the one-shot crash=leader.
func scheduleFaults[P any](nt *simnet.Net[P], s SimConfig) {
	f := s.Cluster.Faults
	if s.Trials > 0 {
		f.Crash = simnet.Selector{}
	}
	if err := nt.Schedule(f); err != nil {
		panic(err) // validated when the target was built
	}
}

// startElections wires the elections bookkeeping (and the trials, if any)
// to the protocol's crash, restart and heartbeat.
func startElections[P any](c *core, nt *simnet.Net[P], s SimConfig, beat func(int)) *elections {
	settle := s.Settle
	if settle <= 0 {
		settle = 2 * s.Election.Max
	}
	e := newElections(c, nt.Nodes(), s.Trials, s.Heartbeat, settle)
	e.limit = s.Timeout
	e.crash, e.restarts, e.beat, e.up = nt.Crash, nt.Restart, beat, nt.Up
	nt.Leader = func() int { return c.leader }
	e.start()
	return e
}

// metrics are the figures every protocol reports.
func (c *core) metrics(nt interface {
	Stats() *simnet.Stats
}, kinds []string, cluster map[string]float64) map[string]float64 {
	st := nt.Stats()
	per := func(x uint64) float64 {
		if c.answered == 0 {
			return 0
		}
		return float64(x) / float64(c.answered)
	}
	m := cluster
	m["messages_per_op"] = per(st.Sent)
	m["leader_changes"] = float64(c.leaderChanges)
	m["phase1_runs"] = float64(c.phase1Runs)
	m["proposals_retried"] = float64(c.retried)
	m["phase1_recovered"] = float64(c.recovered)
	m["unavailable_s"] = c.unavailableSeconds()
	m["chosen"] = float64(c.chosen)
	m["safety_violations"] = float64(c.safety())
	m["outstanding"] = float64(len(c.out))
	m["timed_out"] = float64(c.timedOut)
	m["duplicates"] = float64(c.duplicates)
	for k, name := range kinds {
		if n := st.ByKind[k].Sent; n > 0 {
			m["messages_per_op_"+name] = per(n)
		}
	}
	if c.el != nil {
		c.el.metrics(m)
	}
	return m
}
