package coordination

import (
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
)

// ZKWorkload is the tour's workload: a read-dominated coordination load
// (90% getData, 8% setData, 1% lock acquires and 1% releases) on 10,000
// znodes from 1000 clients at 20,000 ops/s.
const ZKWorkload = "mix=read:0.9,update:0.08,acquire:0.01,release:0.01 keys=zipf:theta=0.99,n=10000 clients=uniform:n=1000 arrival=poisson:rate=20000"

const day = float64(24 * time.Hour)

// ZKParams are coordination/zookeeper's parameters.
var ZKParams = []algorithms.Param{
	algorithms.Param{Name: "servers", Type: algorithms.Int, Default: "5", Doc: "ensemble size (server 0 leads; client c talks to server c mod servers)"}.Range(1, maxServers),
	{Name: "delay", Type: algorithms.Dist, Default: "uniform:min=50us,max=150us", Doc: "one-way delay of each message on a link (links are FIFO)"},
	{Name: "cpu", Type: algorithms.Dist, Default: "const:d=20us", Doc: "a server's handling time per message (one FIFO CPU per server)"},
	{Name: "sync", Type: algorithms.Bool, Default: "false", Doc: "reads sync through the leader before reading locally (never stale)"},
	{Name: "watch", Type: algorithms.Bool, Default: "true", Doc: "reads leave a one-shot data watch"},
	algorithms.Param{Name: "session_timeout", Type: algorithms.Duration, Default: "2s", Doc: "time after a holder crashes until the leader expires its session"}.Range(0, day),
	algorithms.Param{Name: "hold", Type: algorithms.Duration, Default: "10ms", Doc: "how long an acquired lock is held (a release op of the same client and key ends it early)"}.Range(0, day),
	algorithms.Param{Name: "crash", Type: algorithms.Float, Default: "0", Doc: "probability a lock holder crashes holding the lock"}.Range(0, 1),
}

func zkConfig(p algorithms.Params) (ZKConfig, error) {
	cfg := ZKConfig{
		Servers: p.Int("servers"), Delay: p.Dist("delay"), CPU: p.Dist("cpu"), Sync: p.Bool("sync"), Watch: p.Bool("watch"),
		SessionTimeout: p.Duration("session_timeout"), Hold: p.Duration("hold"), Crash: p.Float("crash"),
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
