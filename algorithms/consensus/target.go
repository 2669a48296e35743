package consensus

import (
	"fmt"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
)

// Workload is the tour's: open-loop Poisson arrivals, 3000 ops/s, YCSB-A's
// mix (every op is a command through the log).
const Workload = "ycsb-a arrival=poisson:rate=3000"

const maxNodes = 31

var common = []algorithms.Param{
	{Name: "election_timeout", Type: algorithms.String, Default: "10ms..20ms", Doc: "election timeout range MIN..MAX: each timeout uniform in it, redrawn at every reset (e.g. 150ms..300ms; 150ms..150ms for no randomness)"},
	algorithms.Param{Name: "heartbeat", Type: algorithms.Duration, Default: "1ms", Doc: "the leader's keep-alive period (below the minimum election timeout)"}.Range(float64(time.Microsecond), float64(time.Minute)),
	algorithms.Param{Name: "spread", Type: algorithms.Duration, Default: "0s", Doc: "nodes on a line: the link between nodes a and b gets |a−b|·spread on top of delay (near and far acceptors)"}.Range(0, float64(time.Minute)),
	algorithms.Param{Name: "timeout", Type: algorithms.Duration, Default: "10s", Doc: "an op whose command is not answered by then fails (a cluster that cannot commit ends the run), and a trial whose election takes longer is cut there (elections_cut); 0: wait forever"}.Range(0, float64(24*time.Hour)),
	algorithms.Param{Name: "trials", Type: algorithms.Int, Default: "0", Doc: "with crash=leader: crash the leader at a random point of its heartbeat interval this many times, time each election, and end the run (the Raft paper's Fig. 16); 0: off"}.Range(0, 1e6),
	algorithms.Param{Name: "settle", Type: algorithms.Duration, Default: "0s", Doc: "trials: how long the cluster runs after an election before the next crash (0: twice the maximum election timeout)"}.Range(0, float64(time.Hour)),
}

var quorumParams = []algorithms.Param{
	algorithms.Param{Name: "q1", Type: algorithms.Int, Default: "4", Doc: "phase-1 (leader election) quorum size; q1 + q2 > nodes"}.Range(1, maxNodes),
	algorithms.Param{Name: "q2", Type: algorithms.Int, Default: "2", Doc: "phase-2 (commit) quorum size, the leader included"}.Range(1, maxNodes),
	{Name: "unsafe", Type: algorithms.Bool, Default: "false", Doc: "accept q1 + q2 ≤ nodes: quorums that need not intersect, a deliberately unsafe variant for --check to catch"},
}

func simConfig(p algorithms.Params) (SimConfig, error) {
	c, err := algorithms.ClusterOf(p)
	if err != nil {
		return SimConfig{}, err
	}
	el, err := ParseTimeoutRange(p.String("election_timeout"))
	if err != nil {
		return SimConfig{}, err
	}
	return SimConfig{
		Cluster: c, Spread: p.Duration("spread"), Election: el, Heartbeat: p.Duration("heartbeat"),
		Timeout: p.Duration("timeout"), Trials: p.Int("trials"), Settle: p.Duration("settle"),
	}, nil
}

// paxosConfig returns the quorums of the named Paxos target.
func paxosConfig(name string, p algorithms.Params) PaxosConfig {
	n := p.Int("nodes")
	if name == "flexible-paxos" {
		return PaxosConfig{Q1: p.Int("q1"), Q2: p.Int("q2"), Unsafe: p.Bool("unsafe")}
	}
	return PaxosConfig{Q1: majority(n), Q2: majority(n)}
}

func newTarget(name string, p algorithms.Params) (harness.SimTarget, error) {
	sc, err := simConfig(p)
	if err != nil {
		return nil, fmt.Errorf("consensus/%s: %w", name, err)
	}
	var t harness.SimTarget
	switch name {
	case "raft":
		t, err = NewRaftSim(sc)
	case "etcd-raft":
		t, err = NewEtcdRaftSim(sc)
	default:
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
		{"raft", "Raft from Ongaro's thesis as a state machine: randomized elections, log replication, commit rule, reads through the log", nil},
		{"etcd-raft", "etcd raft (go.etcd.io/raft/v3 RawNode), the production reference, driven by the simulator", nil},
	} {
		name := t.name
		algorithms.Register(algorithms.Info{
			Name:         "consensus/" + name,
			Description:  t.desc,
			Params:       append(append([]algorithms.Param(nil), common...), t.extra...),
			Tour:         name == "multi-paxos",
			Workload:     Workload,
			DefaultClock: algorithms.Virtual,
			Cluster:      &algorithms.ClusterSpec{MaxNodes: maxNodes},
			Checked:      true,
			Check: func(p algorithms.Params) error {
				_, err := newTarget(name, p)
				return err
			},
			NewSim: func(env algorithms.Env) (harness.SimTarget, error) { return newTarget(name, env.Params) },
		})
	}
}
