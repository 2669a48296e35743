package coordination

import (
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
)

// ZKWorkload is the tour's workload: a read-dominated coordination load
// (90% getData, 8% setData, 1% lock acquires and 1% releases) on 10,000
// znodes from 1000 clients at 20,000 ops/s.
const ZKWorkload = "mix=read:0.9,update:0.08,acquire:0.01,release:0.01 keys=zipf:theta=0.99,n=10000 clients=uniform:n=1000 arrival=poisson:rate=20000"

const day = float64(24 * time.Hour)

// ZKParams are coordination/zookeeper's own parameters; the ensemble is
// the shared cluster's (nodes, delay, cpu_send, cpu_recv, fsync, …).
var ZKParams = []algorithms.Param{
	{Name: "txn_cpu", Type: algorithms.Dist, Default: "const:d=28.5us", Doc: "the leader's work per transaction beyond its messages (calibrated with cpu_send/cpu_recv on the paper's Table 1)"},
	{Name: "read_cpu", Type: algorithms.Dist, Default: "const:d=29.3us", Doc: "a server's work to serve one read from its replica"},
	{Name: "sync", Type: algorithms.Bool, Default: "false", Doc: "reads sync through the leader before reading locally (never stale)"},
	{Name: "watch", Type: algorithms.Bool, Default: "true", Doc: "reads leave a one-shot data watch"},
	algorithms.Param{Name: "session_timeout", Type: algorithms.Duration, Default: "2s", Doc: "time after a holder crashes until the leader expires its session"}.Range(0, day),
	algorithms.Param{Name: "hold", Type: algorithms.Duration, Default: "10ms", Doc: "how long an acquired lock is held (a release op of the same client and key ends it early)"}.Range(0, day),
	algorithms.Param{Name: "finalize_wait", Type: algorithms.Duration, Default: "200ms", Doc: "leader election: how long a server whose vote a quorum shares waits for a better one before deciding (ZooKeeper's finalizeWait)"}.Range(0, day),
	algorithms.Param{Name: "holder_crash", Type: algorithms.Float, Default: "0", Doc: "probability a lock holder crashes holding the lock (its session expires session_timeout later)"}.Range(0, 1),
}

// zkCluster is the ensemble's cluster: 5 servers on FIFO links (ZAB's TCP
// channels) with 50–150 µs one-way delays, 2.6 µs of CPU per message sent
// or received. Crashes and restarts (crash=N|leader|random) run ZAB's
// election and recovery (zabelect.go); partitions, random fault plans, loss
// and duplication are not offered: the model detects a failed leader by its
// connection resetting, not by missed pings, and never retransmits.
var zkCluster = &algorithms.ClusterSpec{
	Defaults: map[string]string{
		simnet.ParamDelay: "uniform:min=50us,max=150us", simnet.ParamFIFO: "true",
		simnet.ParamCPUSend: "const:d=2.6us", simnet.ParamCPURecv: "const:d=2.6us",
	},
	MaxNodes: maxServers,
	Omit: []string{simnet.ParamLoss, simnet.ParamDup,
		simnet.ParamPartition, simnet.ParamFaultGap, simnet.ParamFaultLen, simnet.ParamFaultsEnd},
}

func zkConfig(p algorithms.Params) (ZKConfig, error) {
	c, err := algorithms.ClusterOf(p)
	if err != nil {
		return ZKConfig{}, err
	}
	cfg := ZKConfig{
		Cluster: c, TxnCPU: p.Dist("txn_cpu"), ReadCPU: p.Dist("read_cpu"), Sync: p.Bool("sync"), Watch: p.Bool("watch"),
		SessionTimeout: p.Duration("session_timeout"), Hold: p.Duration("hold"), HolderCrash: p.Float("holder_crash"),
		FinalizeWait: p.Duration("finalize_wait"),
	}
	return cfg, cfg.check()
}

func init() {
	algorithms.Register(algorithms.Info{
		Name:         "coordination/zookeeper",
		Description:  "ZooKeeper (ATC'10): ZAB-ordered writes, local (stale) reads, watches, herd-free lock recipe",
		Params:       ZKParams,
		Tour:         true,
		Workload:     ZKWorkload,
		DefaultClock: algorithms.Virtual,
		Cluster:      zkCluster,
		Aliases:      map[string]string{"servers": simnet.ParamNodes},
		Check:        func(p algorithms.Params) error { _, err := zkConfig(p); return err },
		NewSim: func(env algorithms.Env) (harness.SimTarget, error) {
			cfg, err := zkConfig(env.Params)
			if err != nil {
				return nil, err
			}
			return NewZK(cfg)
		},
	})
}

// ChubbyWorkload is chubby's default workload: small-file reads (90%) and
// writes (1%), and coarse locks (0.5% acquires, 0.5% releases; the rest of
// a holder's life is its hold), on 1000 files from 100 clients at 2000
// ops/s.
const ChubbyWorkload = "mix=read:0.98,update:0.01,acquire:0.005,release:0.005 keys=zipf:theta=0.99,n=1000 clients=uniform:n=100 arrival=poisson:rate=2000"

// ChubbyParams are coordination/chubby's own parameters; the cell is the
// shared cluster's (nodes = replicas, delay, fsync, crash=leader, …).
var ChubbyParams = []algorithms.Param{
	algorithms.Param{Name: "lease", Type: algorithms.Duration, Default: "12s", Doc: "session lease: each KeepAlive reply extends it this much (the paper's default, 12 s)"}.Range(float64(time.Millisecond), day),
	algorithms.Param{Name: "grace", Type: algorithms.Duration, Default: "45s", Doc: "grace period a client in jeopardy waits for a master beyond its lease (the paper's 45 s)"}.Range(0, day),
	algorithms.Param{Name: "master_lease", Type: algorithms.Duration, Default: "4s", Doc: "replicas help elect no new master while they heard from one within this (the master lease)"}.Range(float64(time.Millisecond), day),
	algorithms.Param{Name: "heartbeat", Type: algorithms.Duration, Default: "1s", Doc: "the master renews its lease at the replicas this often; election backoff in [0, heartbeat); a client looking for the master tries one replica per heartbeat"}.Range(float64(time.Microsecond), day),
	algorithms.Param{Name: "hold", Type: algorithms.Duration, Default: "200ms", Doc: "a lock holder's work before it writes to the resource and releases"}.Range(0, day),
	algorithms.Param{Name: "stall", Type: algorithms.Float, Default: "0", Doc: "probability a holder's client pauses (GC pause: no KeepAlives) right after acquiring"}.Range(0, 1),
	algorithms.Param{Name: "stall_for", Type: algorithms.Duration, Default: "20s", Doc: "length of a pause (beyond the lease: the session expires at the master and the lock moves on)"}.Range(0, day),
	{Name: "sequencer", Type: algorithms.Bool, Default: "true", Doc: "the resource server checks lock sequencers (false: stale holders' writes get through)"},
	{Name: "cache", Type: algorithms.Bool, Default: "true", Doc: "clients cache files; the master invalidates them (on KeepAlive replies) before a write completes"},
}

// chubbyCluster is the cell: 5 replicas on FIFO links (RPC over TCP) with
// 200 µs–1 ms one-way delays, a 1 ms log fsync with group commit. Crashes
// and restarts (crash=N|leader|random) run the master election
// (chubbyelect.go); partitions, random fault plans, loss and duplication are
// not offered: the master never steps down while it runs and nothing is
// retransmitted.
var chubbyCluster = &algorithms.ClusterSpec{
	Defaults: map[string]string{
		simnet.ParamDelay: "uniform:min=200us,max=1ms", simnet.ParamFIFO: "true", simnet.ParamFsync: "const:d=1ms",
	},
	MaxNodes: maxServers,
	Omit: []string{simnet.ParamLoss, simnet.ParamDup,
		simnet.ParamPartition, simnet.ParamFaultGap, simnet.ParamFaultLen, simnet.ParamFaultsEnd},
}

func chubbyConfig(p algorithms.Params) (ChubbyConfig, error) {
	c, err := algorithms.ClusterOf(p)
	if err != nil {
		return ChubbyConfig{}, err
	}
	cfg := ChubbyConfig{
		Cluster: c, Lease: p.Duration("lease"), Grace: p.Duration("grace"),
		MasterLease: p.Duration("master_lease"), Heartbeat: p.Duration("heartbeat"), Hold: p.Duration("hold"),
		Stall: p.Float("stall"), StallFor: p.Duration("stall_for"), Sequencer: p.Bool("sequencer"), Cache: p.Bool("cache"),
	}
	return cfg, cfg.check()
}

func init() {
	algorithms.Register(algorithms.Info{
		Name:         "coordination/chubby",
		Description:  "Chubby (OSDI'06): a replicated cell; KeepAlive-renewed session leases, master election with a grace period, coarse locks with sequencers, invalidated client caches",
		Params:       ChubbyParams,
		Cluster:      chubbyCluster,
		Workload:     ChubbyWorkload,
		DefaultClock: algorithms.Virtual,
		Checked:      true,
		Check:        func(p algorithms.Params) error { _, err := chubbyConfig(p); return err },
		NewSim: func(env algorithms.Env) (harness.SimTarget, error) {
			cfg, err := chubbyConfig(env.Params)
			if err != nil {
				return nil, err
			}
			return NewChubby(cfg)
		},
	})
}
