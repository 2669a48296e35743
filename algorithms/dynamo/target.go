package dynamo

import (
	"fmt"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/hashing"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
)

// Workload is the tour's workload: open-loop Poisson arrivals at 2000 ops/s
// of YCSB-A (half reads, half updates) over 10,000 Zipfian keys, so hot keys
// see concurrent writes.
const Workload = "ycsb-a keys=zipf:theta=0.99,n=10000 arrival=poisson:rate=2000 clients=uniform:n=100"

const day = float64(24 * time.Hour)

// Params are the parameters of both targets; the cluster's (nodes, delay,
// jitter, loss, cpu_send, cpu_recv, fifo, crash…, partition, fault plan,
// slow) come from the shared vocabulary (Cluster).
var Params = []algorithms.Param{
	algorithms.Param{Name: "vnodes", Type: algorithms.Int, Default: "16", Doc: "virtual nodes (tokens) per node"}.Range(1, 4096),
	algorithms.Param{Name: "n", Type: algorithms.Int, Default: "3", Doc: "replicas per key (N)"}.Range(1, MaxNodes),
	algorithms.Param{Name: "r", Type: algorithms.Int, Default: "2", Doc: "replies a get waits for (R)"}.Range(1, MaxNodes),
	algorithms.Param{Name: "w", Type: algorithms.Int, Default: "2", Doc: "acks a put waits for (W)"}.Range(1, MaxNodes),
	algorithms.Param{Name: "timeout", Type: algorithms.Duration, Default: "50ms", Doc: "an op whose quorum is not met by then fails"}.Range(float64(time.Microsecond), day),
	{Name: "read_repair", Type: algorithms.Enum, Default: "async", Choices: []string{"async", "blocking"},
		Doc: "async: repair stale replicas after the get returned (Dynamo); blocking: write back to W replicas before returning (ABD), so R+W>N reads are linearizable"},
	algorithms.Param{Name: "down_for", Type: algorithms.Duration, Default: "0s", Doc: "old name, kept one release: restart_at = crash_at + down_for (0s: use restart_at)"}.Range(0, day),
	algorithms.Param{Name: "antientropy", Type: algorithms.Duration, Default: "100ms", Doc: "period of Merkle-tree anti-entropy between replicas (0: off)"}.Range(0, day),
	algorithms.Param{Name: "handoff", Type: algorithms.Duration, Default: "50ms", Doc: "period at which hinted replicas are offered back to their home node"}.Range(float64(time.Microsecond), day),
	{Name: "merkle_leaves", Type: algorithms.Enum, Default: "16", Choices: []string{"2", "4", "8", "16", "32", "64", "128", "256"}, Doc: "Merkle leaves per key range"},
	{Name: "hash", Type: algorithms.Enum, Default: "xxhash", Choices: hashing.HashNames, Doc: "hash of keys and ring points"},
}

// Cluster declares the shared cluster parameters with Dynamo's defaults.
// Omitted: dup (a message's payload is an index into a pool freed on
// delivery, so a copy cannot be delivered twice), fsync and group_commit
// (the store does not model its disk).
var Cluster = &algorithms.ClusterSpec{
	Defaults: map[string]string{
		simnet.ParamNodes: "5", simnet.ParamDelay: "const:d=200us", simnet.ParamJitter: "exp:mean=800us",
	},
	MaxNodes: MaxNodes,
	Omit:     []string{simnet.ParamDup, simnet.ParamFsync, simnet.ParamGroup},
}

// Aliases are the old names of the outage parameters (down_for is mapped
// in ConfigFrom: it was a length, restart_at is a time).
var Aliases = map[string]string{"down": simnet.ParamCrash, "down_at": simnet.ParamCrashAt}

func init() {
	for _, sloppy := range []bool{true, false} {
		name, desc := "dynamo/quorum", "Dynamo: vnode ring, N/R/W quorum, vector clocks, sloppy quorum + hinted handoff, read repair, Merkle anti-entropy"
		if !sloppy {
			name, desc = "dynamo/strict", "Dynamo with a strict quorum over the first N of the preference list (no sloppy quorum, no hinted handoff)"
		}
		sloppy := sloppy
		algorithms.Register(algorithms.Info{
			Name:         name,
			Description:  desc,
			Params:       Params,
			Cluster:      Cluster,
			Aliases:      Aliases,
			Checked:      true,
			Tour:         sloppy,
			Workload:     Workload,
			DefaultClock: algorithms.Virtual,
			// 1 ≤ r, w ≤ n ≤ nodes and faults aimed at a leader (Dynamo
			// has none) are bad input (exit 2).
			Check: func(p algorithms.Params) error {
				_, err := ConfigFrom(p, sloppy)
				return err
			},
			NewSim: func(env algorithms.Env) (harness.SimTarget, error) {
				cfg, err := ConfigFrom(env.Params, sloppy)
				if err != nil {
					return nil, err
				}
				return NewSim(cfg)
			},
		})
	}
}

// ConfigFrom validates a target's parameters as a whole.
func ConfigFrom(p algorithms.Params, sloppy bool) (Config, error) {
	h, err := hashing.ParseHash(p.String("hash"))
	if err != nil {
		return Config{}, err
	}
	cl, err := algorithms.ClusterOf(p)
	if err != nil {
		return Config{}, err
	}
	if d := p.Duration("down_for"); d > 0 {
		cl.Faults.RestartAt = cl.Faults.CrashAt + d
	}
	var leaves int
	fmt.Sscan(p.String("merkle_leaves"), &leaves)
	cfg := Config{
		Nodes: cl.Net.Nodes, VNodes: p.Int("vnodes"), N: p.Int("n"), R: p.Int("r"), W: p.Int("w"),
		Sloppy: sloppy, Hash: h, Cluster: cl, BlockingRepair: p.String("read_repair") == "blocking",
		Timeout:     p.Duration("timeout"),
		AntiEntropy: p.Duration("antientropy"), Handoff: p.Duration("handoff"), Leaves: leaves,
	}
	if err := cfg.check(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

var (
	_ harness.SimTarget = (*Sim)(nil)
	_ harness.SimSetup  = (*Sim)(nil)
	_ harness.Metricser = (*Sim)(nil)

	_ harness.HistoryRecorder = (*Sim)(nil)
)
