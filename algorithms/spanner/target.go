package spanner

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
)

// Workload is the tour's workload: YCSB A (half reads, half updates) at
// 2000 ops/s from 100 clients; one virtual second of it runs in a blink.
const Workload = "ycsb-a arrival=poisson:rate=2000 clients=uniform:n=100"

// Params are spanner/truetime's own parameters; the Paxos group's replicas
// are the shared cluster's (nodes, delay, jitter, cpu_send, cpu_recv, fsync…).
var Params = []algorithms.Param{
	algorithms.Param{Name: "epsilon_min", Type: algorithms.Duration, Default: "1ms", Doc: "TrueTime ε right after a poll of the time masters"}.Range(0, float64(time.Second)),
	algorithms.Param{Name: "drift", Type: algorithms.Duration, Default: "200us", Doc: "clock drift bound per second of time (ε grows by this per s between polls)"}.Range(0, float64(100*time.Millisecond)),
	algorithms.Param{Name: "poll", Type: algorithms.Duration, Default: "30s", Doc: "interval between polls of the time masters"}.Range(float64(time.Millisecond), float64(time.Hour)),
	algorithms.Param{Name: "groups", Type: algorithms.Int, Default: "4", Doc: "Paxos groups (key mod groups), each replicated on every node and led by node group mod nodes"}.Range(1, maxGroups),
	{Name: "commit_wait", Type: algorithms.Bool, Default: "true", Doc: "the leader waits until TT.after(s) before releasing locks and replying (false shows external-consistency violations)"},
	{Name: "reads", Type: algorithms.Enum, Default: "nearest", Choices: []string{"nearest", "leader"}, Doc: "who serves snapshot reads: the client's nearest replica (node client mod nodes) or the group's leader"},
	algorithms.Param{Name: "staleness", Type: algorithms.Duration, Default: "0s", Doc: "snapshot reads read at TT.now().latest − staleness (0s: fresh, externally consistent reads; larger: reads in the past that skip the safe-time wait)"}.Range(0, float64(time.Hour)),
	algorithms.Param{Name: "lease", Type: algorithms.Duration, Default: "10s", Doc: "Paxos leader lease (Spanner's default: 10s): replicas that hear nothing from a crashed leader for this long elect a new one; at least 8 × the top of ε"}.Range(float64(time.Millisecond), float64(time.Hour)),
	{Name: "safe_wait", Type: algorithms.Bool, Default: "true", Doc: "a replica serves a read at t only once its safe time t_safe ≥ t (false shows snapshot violations)"},
}

// cluster is the Paxos groups' cluster: 5 replicas on FIFO links (TCP).
// Crashes and restarts (crash=N|leader|random, crash_at, restart_at) run
// leader failover (failover.go). Partitions, random fault plans, loss and
// duplication are not offered: a lost message is never retransmitted, and a
// partitioned leader is not deposed (its lease is not checked against its
// own clock) — NOTES.md.
var cluster = &algorithms.ClusterSpec{
	Defaults: map[string]string{simnet.ParamFIFO: "true"},
	MaxNodes: maxNodes,
	Omit: []string{simnet.ParamLoss, simnet.ParamDup,
		simnet.ParamPartition, simnet.ParamFaultGap, simnet.ParamFaultLen, simnet.ParamFaultsEnd},
}

func config(p algorithms.Params) (Config, error) {
	c, err := algorithms.ClusterOf(p)
	if err != nil {
		return Config{}, err
	}
	cfg := Config{
		TT: TTConfig{
			EpsilonMin: p.Duration("epsilon_min"),
			Drift:      float64(p.Duration("drift")) / float64(time.Second),
			Poll:       p.Duration("poll"),
		},
		Cluster: c, Groups: p.Int("groups"), CommitWait: p.Bool("commit_wait"),
		ReadsAtLeader: p.String("reads") == "leader", Staleness: p.Duration("staleness"), SafeWait: p.Bool("safe_wait"),
		Lease: p.Duration("lease"),
	}
	// ε must not outgrow the poll: the sawtooth's top is εmin + drift·poll.
	if top := cfg.TT.top(); top > time.Minute {
		return Config{}, fmt.Errorf("spanner: epsilon_min=%v + drift=%v/s × poll=%v gives ε up to %v (valid: at most 1m: TrueTime bounds ε to milliseconds)",
			cfg.TT.EpsilonMin, p.Duration("drift"), cfg.TT.Poll, top)
	}
	if err := cfg.check(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

func init() {
	algorithms.Register(algorithms.Info{
		Name:         "spanner/truetime",
		Description:  "Spanner (OSDI'12): TrueTime, Paxos replication as messages, commit wait overlapped with it, snapshot reads at replicas after a safe-time wait; external consistency checked",
		Params:       Params,
		Tour:         true,
		Workload:     Workload,
		DefaultClock: algorithms.Virtual,
		Cluster:      cluster,
		Check:        func(p algorithms.Params) error { _, err := config(p); return err },
		NewSim: func(env algorithms.Env) (harness.SimTarget, error) {
			cfg, err := config(env.Params)
			if err != nil {
				return nil, err
			}
			return NewSim(cfg, rand.New(rand.NewPCG(env.Seed, 0x7474)))
		},
	})
}

// TxnWorkload is spanner/txn's default workload: a quarter blind writes, a
// quarter read-modify-writes (read locks first), half read-only
// transactions, on 100,000 keys (1,562 rows of 64 groups) at 1000 txns/s.
const TxnWorkload = "mix=update:0.25,rmw:0.25,read:0.5 keys=uniform:n=100000 arrival=poisson:rate=1000 clients=uniform:n=100"

// TxnParams are spanner/txn's own parameters.
var TxnParams = []algorithms.Param{
	algorithms.Param{Name: "participants", Type: algorithms.Int, Default: "2", Doc: "Paxos groups each transaction touches (one key per group: the op key's row in the op's group and the next participants−1 groups); ≤ groups"}.Range(1, maxGroups),
	algorithms.Param{Name: "groups", Type: algorithms.Int, Default: "64", Doc: "Paxos groups (key mod groups), each replicated on every node and led by node group mod nodes"}.Range(1, maxGroups),
	Params[0], Params[1], Params[2],
	{Name: "commit_wait", Type: algorithms.Bool, Default: "true", Doc: "the coordinator waits until TT.after(s) before replying and releasing locks (false shows external-consistency violations)"},
	{Name: "safe_wait", Type: algorithms.Bool, Default: "true", Doc: "a replica serves a read-only transaction's read at t only once t_safe = min(t_Paxos, min prepare ts − 1) ≥ t (false shows snapshot violations)"},
	Params[7],
	algorithms.Param{Name: "outcome_timeout", Type: algorithms.Duration, Default: "1s", Doc: "with a crash configured: how long a prepared participant leader waits for its outcome before asking the coordinator group's leader (a status message), and how often a client whose attempt a crash hit asks for its outcome or retries a group with no leader"}.Range(float64(time.Millisecond), float64(time.Hour)),
}

// txnCluster: like spanner/truetime's, with crashes (crash=N|leader|random,
// crash_at, restart_at) running leader failover and 2PC recovery from the
// Paxos log (txn.go) — NOTES.md.
var txnCluster = &algorithms.ClusterSpec{
	Defaults: map[string]string{simnet.ParamFIFO: "true", simnet.ParamJitter: "exp:mean=200us", simnet.ParamFsync: "exp:mean=1ms"},
	MaxNodes: maxNodes,
	Omit: []string{simnet.ParamLoss, simnet.ParamDup,
		simnet.ParamPartition, simnet.ParamFaultGap, simnet.ParamFaultLen, simnet.ParamFaultsEnd},
}

func txnConfig(p algorithms.Params) (TxnConfig, error) {
	c, err := algorithms.ClusterOf(p)
	if err != nil {
		return TxnConfig{}, err
	}
	cfg := TxnConfig{Config: Config{
		TT: TTConfig{
			EpsilonMin: p.Duration("epsilon_min"),
			Drift:      float64(p.Duration("drift")) / float64(time.Second),
			Poll:       p.Duration("poll"),
		},
		Cluster: c, Groups: p.Int("groups"), CommitWait: p.Bool("commit_wait"), SafeWait: p.Bool("safe_wait"),
		Lease: p.Duration("lease"),
	}, Participants: p.Int("participants"), OutcomeTimeout: p.Duration("outcome_timeout")}
	if c.Faults.Crash.Kind == simnet.SelectNone {
		// No crash, no failover: the lease is never used, so it need not
		// cover ε (a large epsilon_min stays valid without a crash).
		cfg.Lease = max(cfg.Lease, minLeaseFactor*cfg.TT.top())
	}
	if top := cfg.TT.top(); top > time.Minute {
		return TxnConfig{}, fmt.Errorf("spanner: epsilon_min=%v + drift=%v/s × poll=%v gives ε up to %v (valid: at most 1m: TrueTime bounds ε to milliseconds)",
			cfg.TT.EpsilonMin, p.Duration("drift"), cfg.TT.Poll, top)
	}
	if err := cfg.check(); err != nil {
		return TxnConfig{}, err
	}
	return cfg, nil
}

func init() {
	algorithms.Register(algorithms.Info{
		Name:         "spanner/txn",
		Description:  "Spanner (OSDI'12) read-write transactions across Paxos groups: two-phase commit (prepare timestamps, coordinator's s ≥ all of them and TT.now().latest, commit wait), wound-wait locks, read-only transactions at one timestamp with t_safe bounded by prepared transactions; leader crashes recovered from the Paxos logs (prepared locks re-taken, commit records finished, presumed abort); external consistency, cross-group snapshots and atomicity checked",
		Params:       TxnParams,
		Workload:     TxnWorkload,
		DefaultClock: algorithms.Virtual,
		Cluster:      txnCluster,
		Check:        func(p algorithms.Params) error { _, err := txnConfig(p); return err },
		NewSim: func(env algorithms.Env) (harness.SimTarget, error) {
			cfg, err := txnConfig(env.Params)
			if err != nil {
				return nil, err
			}
			return NewTxnSim(cfg, rand.New(rand.NewPCG(env.Seed, 0x7478)))
		},
	})
}
