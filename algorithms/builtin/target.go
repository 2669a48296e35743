package builtin

import (
	"fmt"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
)

var (
	_ harness.Target            = noop{}
	_ harness.SimTarget         = noop{}
	_ harness.Forker            = (*sleepWall)(nil)
	_ harness.SimTarget         = (*sleepSim)(nil)
	_ harness.Metricser         = (*sleepSim)(nil)
	_ harness.IntervalMetricser = (*sleepSim)(nil)
	_ harness.Forker            = (*stallWall)(nil)
	_ harness.SimTarget         = (*stallSim)(nil)
	_ harness.Target            = (*kvMap)(nil)
	_ harness.Loader            = (*kvMap)(nil)
	_ harness.Metricser         = (*kvMap)(nil)
)

var (
	serviceParam = algorithms.Param{Name: "service", Type: algorithms.Dist, Default: "exp:mean=1ms",
		Doc: "service time per op"}
	concurrencyParam = algorithms.Param{Name: "concurrency", Type: algorithms.Int, Default: "0",
		Doc: "ops served at once, the rest wait in a FIFO queue; 0 = unlimited"}.Range(0, 1e6)
	stallService = algorithms.Param{Name: "service", Type: algorithms.Dist, Default: "const:d=100us",
		Doc: "service time per op when not frozen"}
	pauseParam = algorithms.Param{Name: "pause", Type: algorithms.Duration, Default: "1s",
		Doc: "length of each freeze"}.Range(0, 1e12)
	everyParam = algorithms.Param{Name: "every", Type: algorithms.Duration, Default: "5s",
		Doc: "period of the freezes (one freeze at the end of each period); must exceed pause"}.Range(1e3, 1e13)
	shardsParam = algorithms.Param{Name: "shards", Type: algorithms.Int, Default: "16",
		Doc: "shards, each a map under its own lock"}.Range(1, 65536)
)

func init() {
	algorithms.Register(algorithms.Info{
		Name:        "builtin/noop",
		Description: "answers at once: the harness's own cost per op",
		Tour:        true,
		Workload:    "ycsb-c",
		NewWall:     func(algorithms.Env) (harness.Target, error) { return noop{}, nil },
		NewSim:      func(algorithms.Env) (harness.SimTarget, error) { return noop{}, nil },
	})
	algorithms.Register(algorithms.Info{
		Name:        "builtin/sleep",
		Description: "a server whose service time follows a distribution, optionally with a queue",
		Params:      []algorithms.Param{serviceParam, concurrencyParam},
		Workload:    "ycsb-c arrival=poisson:rate=500",
		NewWall: func(e algorithms.Env) (harness.Target, error) {
			return newSleepWall(e.Params.Dist("service"), e.Params.Int("concurrency"), e.Seed), nil
		},
		NewSim: func(e algorithms.Env) (harness.SimTarget, error) {
			return newSleepSim(e.Params.Dist("service"), e.Params.Int("concurrency")), nil
		},
	})
	algorithms.Register(algorithms.Info{
		Name:        "builtin/stall",
		Description: "serves in `service` but freezes for `pause` every `every`: coordinated omission made visible",
		Params:      []algorithms.Param{stallService, pauseParam, everyParam},
		Workload:    "ycsb-c arrival=constant:rate=2000",
		Check: func(p algorithms.Params) error {
			_, err := stallFreezes(p)
			return err
		},
		NewWall: func(e algorithms.Env) (harness.Target, error) {
			f, err := stallFreezes(e.Params)
			if err != nil {
				return nil, err
			}
			return &stallWall{draw: newDrawer(e.Params.Dist("service"), e.Seed), f: f}, nil
		},
		NewSim: func(e algorithms.Env) (harness.SimTarget, error) {
			f, err := stallFreezes(e.Params)
			if err != nil {
				return nil, err
			}
			return newStallSim(e.Params.Dist("service"), f), nil
		},
	})
	algorithms.Register(algorithms.Info{
		Name:        "builtin/map",
		Description: "a sharded in-memory key-value store: Zipfian skew shows up as per-shard unfairness",
		Params:      []algorithms.Param{shardsParam},
		Workload:    "ycsb-a",
		Loads:       true,
		NewWall: func(e algorithms.Env) (harness.Target, error) {
			return newKVMap(e.Params.Int("shards")), nil
		},
	})
}

func stallFreezes(p algorithms.Params) (freezes, error) {
	f := freezes{every: p.Duration("every"), pause: p.Duration("pause")}
	if f.pause >= f.every {
		return f, fmt.Errorf("builtin/stall: pause=%v must be shorter than every=%v (valid: 0 ≤ pause < every)", f.pause, f.every)
	}
	return f, nil
}
