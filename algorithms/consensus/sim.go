package consensus

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
	"github.com/dsbench/dsbench/workloads"
)

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// SimConfig is what every consensus target shares: the cluster, its
// network, its clock and its faults.
type SimConfig struct {
	Net simnet.Config
	// Spread puts the nodes on a line: link a→b gets |a−b|·Spread on top
	// of Net.Delay.
	Spread        time.Duration
	Tick          time.Duration // one logical tick
	ElectionTicks int           // election timeout T in ticks, drawn uniform in [T, 2T)
	// Crash is a node that crashes at CrashAt (-1: none) and restarts at
	// RestartAt (0: never).
	Crash              int
	CrashAt, RestartAt time.Duration
	// Faults, when FaultGap > 0, is a random schedule (from the seed) of
	// partitions and crashes from 0 to FaultsEnd, one at a time, each
	// lasting exp(FaultLen) after an exp(FaultGap) gap; at FaultsEnd all
	// heal (simnet.FaultPlan).
	FaultGap, FaultLen, FaultsEnd time.Duration
	// Timeout fails an op whose command is not applied that long after it
	// started (0: never).
	Timeout time.Duration
}

func (s SimConfig) check() error {
	n := s.Net.Nodes
	if err := s.Net.Check(); err != nil {
		return err
	}
	switch {
	case n > 64:
		return fmt.Errorf("nodes=%d: at most 64", n)
	case s.Crash >= n:
		return fmt.Errorf("crash=%d: no such node (valid: -1 for none, 0 … %d)", s.Crash, n-1)
	case s.Crash >= 0 && s.RestartAt > 0 && s.RestartAt <= s.CrashAt:
		return fmt.Errorf("restart_at=%v must be after crash_at=%v (or 0 for never)", s.RestartAt, s.CrashAt)
	case s.Tick <= 0:
		return fmt.Errorf("tick=%v must be positive", s.Tick)
	case s.ElectionTicks < 2:
		// The leader heartbeats every tick: an election timeout of one tick
		// fires between two heartbeats, so candidates duel forever (etcd
		// raft panics: election tick must be greater than heartbeat tick).
		return fmt.Errorf("election_ticks=%d must exceed the heartbeat period of 1 tick (valid: ≥ 2)", s.ElectionTicks)
	case s.FaultGap > 0 && s.FaultLen <= 0:
		return fmt.Errorf("fault_len=%v must be positive when fault_gap=%v is set", s.FaultLen, s.FaultGap)
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

// scheduleFaults sets the link delays and schedules the configured crash
// and random fault plan.
func scheduleFaults[P any](w *harness.World, nt *simnet.Net[P], s SimConfig) {
	if s.Spread > 0 {
		base := s.Net.Delay
		if base == nil {
			base, _ = workloads.ParseDurationDist(simnet.DefaultDelay)
		}
		for a := 0; a < nt.Nodes(); a++ {
			for b := 0; b < nt.Nodes(); b++ {
				if a != b {
					nt.SetLinkDelay(a, b, shifted{base, time.Duration(abs(a-b)) * s.Spread})
				}
			}
		}
	}
	if s.Crash >= 0 {
		node := int64(s.Crash)
		w.At(s.CrashAt, func(*harness.World, *harness.Request, int64) { nt.Crash(int(node)) }, nil, node)
		if s.RestartAt > 0 {
			w.At(s.RestartAt, func(*harness.World, *harness.Request, int64) { nt.Restart(int(node)) }, nil, node)
		}
	}
	if s.FaultGap > 0 {
		// The plan was validated by check; an error here is unreachable.
		_, _ = nt.ScheduleFaults(simnet.FaultPlan{End: s.FaultsEnd, Gap: s.FaultGap, Len: s.FaultLen})
	}
}

// metrics are the figures both protocols report.
func (c *core) metrics(st *simnet.Stats, kinds []string) map[string]float64 {
	acked := float64(len(c.acked))
	per := func(x uint64) float64 {
		if acked == 0 {
			return 0
		}
		return float64(x) / acked
	}
	chosen := 0
	agreed, _ := c.agreedLog()
	for _, v := range agreed {
		if v > 0 {
			chosen++
		}
	}
	m := map[string]float64{
		"messages_per_op":    per(st.Sent),
		"messages_sent":      float64(st.Sent),
		"messages_delivered": float64(st.Delivered),
		"messages_dropped":   float64(st.Dropped),
		"leader_changes":     float64(c.leaderChanges),
		"phase1_runs":        float64(c.phase1Runs),
		"proposals_retried":  float64(c.retried),
		"phase1_recovered":   float64(c.recovered),
		"unavailable_s":      c.unavailableSeconds(),
		"chosen":             float64(chosen),
		"safety_violations":  float64(c.safety()),
		"outstanding":        float64(len(c.out)),
		"timed_out":          float64(c.timedOut),
	}
	for k, name := range kinds {
		if n := st.ByKind[k].Sent; n > 0 {
			m["messages_per_op_"+name] = per(n)
		}
	}
	return m
}
