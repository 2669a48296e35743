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

// Params are the parameters of both targets.
var Params = []algorithms.Param{
	algorithms.Param{Name: "nodes", Type: algorithms.Int, Default: "5", Doc: "physical nodes"}.Range(1, MaxNodes),
	algorithms.Param{Name: "vnodes", Type: algorithms.Int, Default: "16", Doc: "virtual nodes (tokens) per node"}.Range(1, 4096),
	algorithms.Param{Name: "n", Type: algorithms.Int, Default: "3", Doc: "replicas per key (N)"}.Range(1, MaxNodes),
	algorithms.Param{Name: "r", Type: algorithms.Int, Default: "2", Doc: "replies a get waits for (R)"}.Range(1, MaxNodes),
	algorithms.Param{Name: "w", Type: algorithms.Int, Default: "2", Doc: "acks a put waits for (W)"}.Range(1, MaxNodes),
	{Name: simnet.ParamDelay, Type: algorithms.Dist, Default: "const:d=200us", Doc: simnet.DocDelay},
	{Name: simnet.ParamJitter, Type: algorithms.Dist, Default: "exp:mean=800us", Doc: simnet.DocJitter},
	algorithms.Param{Name: simnet.ParamLoss, Type: algorithms.Float, Default: "0", Doc: simnet.DocLoss}.Range(0, 0.99),
	algorithms.Param{Name: "timeout", Type: algorithms.Duration, Default: "50ms", Doc: "an op whose quorum is not met by then fails"}.Range(float64(time.Microsecond), day),
	algorithms.Param{Name: "down", Type: algorithms.Int, Default: "-1", Doc: "index of a node that is unreachable from down_at (-1: none)"}.Range(-1, MaxNodes-1),
	algorithms.Param{Name: "down_at", Type: algorithms.Duration, Default: "300ms", Doc: "virtual time the node goes down"}.Range(0, day),
	algorithms.Param{Name: "down_for", Type: algorithms.Duration, Default: "400ms", Doc: "how long it stays down (0: forever)"}.Range(0, day),
	algorithms.Param{Name: "antientropy", Type: algorithms.Duration, Default: "100ms", Doc: "period of Merkle-tree anti-entropy between replicas (0: off)"}.Range(0, day),
	algorithms.Param{Name: "handoff", Type: algorithms.Duration, Default: "50ms", Doc: "period at which hinted replicas are offered back to their home node"}.Range(float64(time.Microsecond), day),
	{Name: "merkle_leaves", Type: algorithms.Enum, Default: "16", Choices: []string{"2", "4", "8", "16", "32", "64", "128", "256"}, Doc: "Merkle leaves per key range"},
	{Name: "hash", Type: algorithms.Enum, Default: "xxhash", Choices: hashing.HashNames, Doc: "hash of keys and ring points"},
}

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
			Tour:         sloppy,
			Workload:     Workload,
			DefaultClock: algorithms.Virtual,
			// 1 ≤ r, w ≤ n ≤ nodes and down < nodes are bad input (exit 2).
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
	var leaves int
	fmt.Sscan(p.String("merkle_leaves"), &leaves)
	cfg := Config{
		Nodes: p.Int("nodes"), VNodes: p.Int("vnodes"), N: p.Int("n"), R: p.Int("r"), W: p.Int("w"),
		Sloppy: sloppy, Hash: h,
		Delay: p.Dist(simnet.ParamDelay), Jitter: p.Dist(simnet.ParamJitter), Loss: p.Float(simnet.ParamLoss),
		Timeout: p.Duration("timeout"),
		Down:    p.Int("down"), DownAt: p.Duration("down_at"), DownFor: p.Duration("down_for"),
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
)
