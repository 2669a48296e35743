package mapreduce

import (
	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
)

// Workload is the tour's workload: jobs submitted as a Poisson stream of
// 20 a second; each op is one job (its kind and key are not used).
const Workload = "mix=insert:1 keys=uniform:n=1000000 arrival=poisson:rate=20"

// Params are mapreduce/job's parameters.
var Params = []algorithms.Param{
	algorithms.Param{Name: "maps", Type: algorithms.Int, Default: "40", Doc: "map tasks per job (M)"}.Range(1, 1e6),
	algorithms.Param{Name: "reduces", Type: algorithms.Int, Default: "10", Doc: "reduce tasks per job (R)"}.Range(1, 1e6),
	algorithms.Param{Name: "workers", Type: algorithms.Int, Default: "20", Doc: "worker machines, one task at a time each"}.Range(1, maxWorkers-1),
	algorithms.Param{Name: "records", Type: algorithms.Int, Default: "50", Doc: "input lines per map task"}.Range(1, 1e7),
	algorithms.Param{Name: "line_words", Type: algorithms.Int, Default: "10", Doc: "words per input line"}.Range(1, 1e4),
	{Name: "words", Type: algorithms.String, Default: "zipf:theta=0.99,n=10000", Doc: "key distribution of the words (uniform, zipf, scrambled-zipf, hotspot, weighted)"},
	{Name: "combiner", Type: algorithms.Bool, Default: "false", Doc: "sum counts per word inside each map task before the shuffle"},
	{Name: "map_time", Type: algorithms.Dist, Default: "lognormal:mean=10ms,sigma=0.25", Doc: "duration of a map task attempt"},
	{Name: "reduce_time", Type: algorithms.Dist, Default: "lognormal:mean=15ms,sigma=0.25", Doc: "duration of a reduce task attempt, before its shuffle time"},
	algorithms.Param{Name: "shuffle_bw", Type: algorithms.Float, Default: "20e6", Doc: "bytes per second a reduce task fetches its input at (adds input/shuffle_bw to its duration)"}.Range(1, 1e15),
	algorithms.Param{Name: "straggler_frac", Type: algorithms.Float, Default: "0.02", Doc: "probability that a task attempt straggles"}.Range(0, 1),
	algorithms.Param{Name: "slowdown", Type: algorithms.Float, Default: "10", Doc: "duration multiplier of a straggling attempt"}.Range(1, 1e6),
	{Name: "backup", Type: algorithms.Bool, Default: "true", Doc: "run backup copies of in-progress tasks near the end of a phase; the first attempt to finish wins"},
	algorithms.Param{Name: "kill", Type: algorithms.Int, Default: "0", Doc: "workers that fail at kill_at, drawn from the seed: their running attempts are lost and their completed map outputs re-executed (§3.3)"}.Range(0, maxWorkers-2),
	algorithms.Param{Name: "kill_at", Type: algorithms.Duration, Default: "1s", Doc: "virtual time at which the kill workers fail"}.Range(0, 24*3600e9),
	algorithms.Param{Name: "ping", Type: algorithms.Duration, Default: "10ms", Doc: "the master pings every worker this often; it notices a dead worker at the next ping"}.Range(1e3, 3600e9),
	algorithms.Param{Name: "backup_tail", Type: algorithms.Float, Default: "0.1", Doc: "a phase is close to completion when no task is left to start and at most this share of its tasks runs"}.Range(1e-9, 1),
}

// ConfigFrom builds a Config from validated parameters.
func ConfigFrom(p algorithms.Params) Config {
	return Config{
		Maps: p.Int("maps"), Reduces: p.Int("reduces"), Workers: p.Int("workers"),
		Records: p.Int("records"), LineWords: p.Int("line_words"), Words: p.String("words"),
		Combiner: p.Bool("combiner"), MapTime: p.Dist("map_time"), ReduceTime: p.Dist("reduce_time"),
		ShuffleBW: p.Float("shuffle_bw"), StragglerFrac: p.Float("straggler_frac"), Slowdown: p.Float("slowdown"),
		Backup: p.Bool("backup"), BackupTail: p.Float("backup_tail"),
		Kill: p.Int("kill"), KillAt: p.Duration("kill_at"), Ping: p.Duration("ping"),
	}
}

func init() {
	algorithms.Register(algorithms.Info{
		Name:         "mapreduce/job",
		Description:  "MapReduce word-count jobs on a cluster: hash(key) mod R, combiner, shuffle overlapping the map phase, stragglers and backup tasks, worker failures and re-execution (virtual time)",
		Params:       Params,
		Tour:         true,
		Workload:     Workload,
		DefaultClock: algorithms.Virtual,
		Check:        func(p algorithms.Params) error { return ConfigFrom(p).Check() },
		NewSim: func(env algorithms.Env) (harness.SimTarget, error) {
			return NewCluster(ConfigFrom(env.Params), env.Seed)
		},
	})
}
