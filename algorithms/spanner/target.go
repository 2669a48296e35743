package spanner

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
)

// Workload is the tour's workload: YCSB A (half reads, half updates) at
// 2000 ops/s from 100 clients; one virtual second of it runs in a blink.
const Workload = "ycsb-a arrival=poisson:rate=2000 clients=uniform:n=100"

// Params are spanner/truetime's parameters.
var Params = []algorithms.Param{
	algorithms.Param{Name: "epsilon_min", Type: algorithms.Duration, Default: "1ms", Doc: "TrueTime ε right after a poll of the time masters"}.Range(0, float64(time.Second)),
	algorithms.Param{Name: "drift", Type: algorithms.Duration, Default: "200us", Doc: "clock drift bound per second of time (ε grows by this per s between polls)"}.Range(0, float64(100*time.Millisecond)),
	algorithms.Param{Name: "poll", Type: algorithms.Duration, Default: "30s", Doc: "interval between polls of the time masters"}.Range(float64(time.Millisecond), float64(time.Hour)),
	algorithms.Param{Name: "groups", Type: algorithms.Int, Default: "4", Doc: "Paxos groups (key mod groups), each with its own leader clock"}.Range(1, maxGroups),
	{Name: "replication_delay", Type: algorithms.Dist, Default: "exp:mean=2ms", Doc: "Paxos write latency of a commit within its group"},
	{Name: "commit_wait", Type: algorithms.Bool, Default: "true", Doc: "wait until TT.after(s) before acknowledging (false shows external-consistency violations)"},
}

func config(p algorithms.Params) (Config, error) {
	cfg := Config{
		TT: TTConfig{
			EpsilonMin: p.Duration("epsilon_min"),
			Drift:      float64(p.Duration("drift")) / float64(time.Second),
			Poll:       p.Duration("poll"),
		},
		Groups: p.Int("groups"), Replication: p.Dist("replication_delay"), CommitWait: p.Bool("commit_wait"),
	}
	if err := cfg.check(); err != nil {
		return Config{}, err
	}
	// ε must not outgrow the poll: the sawtooth's top is εmin + drift·poll.
	if top := cfg.TT.EpsilonMin + time.Duration(cfg.TT.Drift*float64(cfg.TT.Poll)); top > time.Minute {
		return Config{}, fmt.Errorf("spanner: epsilon_min=%v + drift=%v/s × poll=%v gives ε up to %v (valid: at most 1m: TrueTime bounds ε to milliseconds)",
			cfg.TT.EpsilonMin, p.Duration("drift"), cfg.TT.Poll, top)
	}
	return cfg, nil
}

func init() {
	algorithms.Register(algorithms.Info{
		Name:         "spanner/truetime",
		Description:  "Spanner (OSDI'12): TrueTime ε sawtooth, commit wait, lock-free snapshot reads; external consistency checked",
		Params:       Params,
		Tour:         true,
		Workload:     Workload,
		DefaultClock: algorithms.Virtual,
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
