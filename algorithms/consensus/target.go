package consensus

import (
	"fmt"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
)

// Workload is the tour's: open-loop Poisson arrivals, 3000 ops/s, YCSB-A's
// mix (every op is a command through the log).
const Workload = "ycsb-a arrival=poisson:rate=3000"

const maxNodes = 31

var common = []algorithms.Param{
	algorithms.Param{Name: "nodes", Type: algorithms.Int, Default: "5", Doc: "cluster size"}.Range(1, maxNodes),
	{Name: simnet.ParamDelay, Type: algorithms.Dist, Default: simnet.DefaultDelay, Doc: simnet.DocDelay},
	{Name: simnet.ParamJitter, Type: algorithms.Dist, Default: simnet.DefaultJitter, Doc: simnet.DocJitter},
	algorithms.Param{Name: simnet.ParamLoss, Type: algorithms.Float, Default: simnet.DefaultLoss, Doc: simnet.DocLoss}.Range(0, 0.9),
	algorithms.Param{Name: simnet.ParamDup, Type: algorithms.Float, Default: simnet.DefaultDup, Doc: simnet.DocDup}.Range(0, 1),
	algorithms.Param{Name: "spread", Type: algorithms.Duration, Default: "0s", Doc: "nodes on a line: the link between nodes a and b gets |a−b|·spread on top of delay (near and far acceptors)"}.Range(0, float64(time.Minute)),
	algorithms.Param{Name: "tick", Type: algorithms.Duration, Default: "1ms", Doc: "logical tick: heartbeat period and election-timer unit"}.Range(float64(time.Microsecond), float64(time.Minute)),
	algorithms.Param{Name: "election_ticks", Type: algorithms.Int, Default: "10", Doc: "election timeout T in ticks; each timeout is uniform in [T, 2T) ticks (≥ 2: the leader heartbeats every tick)"}.Range(2, 10000),
	algorithms.Param{Name: "crash", Type: algorithms.Int, Default: "-1", Doc: "node that crashes at crash_at (-1: none; the initial leader is node 0)"}.Range(-1, maxNodes-1),
	algorithms.Param{Name: "crash_at", Type: algorithms.Duration, Default: "300ms", Doc: "virtual time the node crashes"}.Range(0, float64(24*time.Hour)),
	algorithms.Param{Name: "restart_at", Type: algorithms.Duration, Default: "0s", Doc: "virtual time it restarts (0: never)"}.Range(0, float64(24*time.Hour)),
	algorithms.Param{Name: "fault_gap", Type: algorithms.Duration, Default: "0s", Doc: "mean gap between random faults (partitions, crashes) drawn from the seed; 0: none"}.Range(0, float64(time.Hour)),
	algorithms.Param{Name: "fault_len", Type: algorithms.Duration, Default: "20ms", Doc: "mean length of a random fault"}.Range(float64(time.Microsecond), float64(time.Hour)),
	algorithms.Param{Name: "timeout", Type: algorithms.Duration, Default: "10s", Doc: "an op whose command is not applied by then fails (a cluster that cannot commit ends the run; 0: wait forever)"}.Range(0, float64(24*time.Hour)),
	algorithms.Param{Name: "faults_end", Type: algorithms.Duration, Default: "700ms", Doc: "virtual time the random faults stop and everything heals (the liveness phase follows)"}.Range(0, float64(24*time.Hour)),
}

var quorumParams = []algorithms.Param{
	algorithms.Param{Name: "q1", Type: algorithms.Int, Default: "4", Doc: "phase-1 (leader election) quorum size; q1 + q2 > nodes"}.Range(1, maxNodes),
	algorithms.Param{Name: "q2", Type: algorithms.Int, Default: "2", Doc: "phase-2 (commit) quorum size, the leader included"}.Range(1, maxNodes),
}

func simConfig(p algorithms.Params) SimConfig {
	return SimConfig{
		Net: simnet.Config{
			Nodes: p.Int("nodes"), Delay: p.Dist(simnet.ParamDelay), Jitter: p.Dist(simnet.ParamJitter),
			Loss: p.Float(simnet.ParamLoss), Dup: p.Float(simnet.ParamDup),
		},
		Spread: p.Duration("spread"),
		Tick:   p.Duration("tick"), ElectionTicks: p.Int("election_ticks"),
		Crash: p.Int("crash"), CrashAt: p.Duration("crash_at"), RestartAt: p.Duration("restart_at"),
		FaultGap: p.Duration("fault_gap"), FaultLen: p.Duration("fault_len"), FaultsEnd: p.Duration("faults_end"),
		Timeout: p.Duration("timeout"),
	}
}

// paxosConfig returns the quorums of the named Paxos target.
func paxosConfig(name string, p algorithms.Params) PaxosConfig {
	n := p.Int("nodes")
	if name == "flexible-paxos" {
		return PaxosConfig{Q1: p.Int("q1"), Q2: p.Int("q2")}
	}
	return PaxosConfig{Q1: majority(n), Q2: majority(n)}
}

func newTarget(name string, p algorithms.Params) (harness.SimTarget, error) {
	sc := simConfig(p)
	var (
		t   harness.SimTarget
		err error
	)
	if name == "raft" {
		t, err = NewRaftSim(sc)
	} else {
		t, err = NewPaxosSim(sc, paxosConfig(name, p))
	}
	if err != nil {
		return nil, fmt.Errorf("consensus/%s: %w", name, err)
	}
	return t, nil
}

func init() {
	for _, t := range []struct {
		name, desc string
		extra      []algorithms.Param
	}{
		{"multi-paxos", "Multi-Paxos (Lamport 2001): stable leader, phase 1 once, one phase-2 round trip per command, majority quorums", nil},
		{"flexible-paxos", "Flexible Paxos (Howard et al. 2016): Multi-Paxos with phase-1 quorum q1 and phase-2 quorum q2, q1+q2 > nodes", quorumParams},
		{"raft", "etcd raft (go.etcd.io/raft/v3 RawNode) driven by the simulator: MemoryStorage, ticks as events", nil},
	} {
		name := t.name
		algorithms.Register(algorithms.Info{
			Name:         "consensus/" + name,
			Description:  t.desc,
			Params:       append(append([]algorithms.Param(nil), common...), t.extra...),
			Tour:         name == "multi-paxos",
			Workload:     Workload,
			DefaultClock: algorithms.Virtual,
			Check: func(p algorithms.Params) error {
				_, err := newTarget(name, p)
				return err
			},
			NewSim: func(env algorithms.Env) (harness.SimTarget, error) { return newTarget(name, env.Params) },
		})
	}
}
