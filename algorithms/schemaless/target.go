package schemaless

import (
	"math/rand/v2"
	"os"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/lsm"
	"github.com/dsbench/dsbench/algorithms/storage"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// Params of storage/schemaless.
var Params = []algorithms.Param{
	{Name: "dir", Type: algorithms.String, Default: "",
		Doc: "store directory (two subdirectories per shard); empty = a temporary directory removed after the run", Dir: true},
	algorithms.Param{Name: "shards", Type: algorithms.Int, Default: "4",
		Doc: "storage nodes; rows go to xxhash(row) mod shards"}.Range(1, 256),
	algorithms.Param{Name: "down", Type: algorithms.Int, Default: "-1",
		Doc: "shard unavailable during [down_at, down_at+down_for); -1 = none"}.Range(-1, 255),
	{Name: "down_at", Type: algorithms.Duration, Default: "1s", Doc: "when the down shard fails, from the run's start"},
	{Name: "down_for", Type: algorithms.Duration, Default: "2s", Doc: "how long it stays down"},
	algorithms.Param{Name: "memtable", Type: algorithms.Int, Default: "2097152",
		Doc: "memtable bytes of each shard's LSM"}.Range(4<<10, 1<<30),
	{Name: "sync", Type: algorithms.Enum, Default: "none", Choices: []string{"always", "batch", "none"},
		Doc: "WAL fsync policy of each shard's LSM"},
}

func init() {
	algorithms.Register(algorithms.Info{
		Name:        "storage/schemaless",
		Description: "Uber's Schemaless: append-only cells over sharded LSMs, buffered writes, trigger consumers",
		Params:      Params,
		Workload:    storage.TourWorkload,
		// down= must name one of the shards= (a usage error, exit 2).
		Check: func(p algorithms.Params) error { return checkShape(p.Int("shards"), p.Int("down")) },
		Loads: true,
		NewWall: func(env algorithms.Env) (harness.Target, error) {
			p := env.Params
			return Open(p.String("dir"), Options{
				Shards: p.Int("shards"), Down: p.Int("down"),
				DownAt: p.Duration("down_at"), DownFor: p.Duration("down_for"),
				Open: func(dir string) (storage.KV, error) {
					return lsm.Open(lsm.Options{Dir: dir, Sync: p.String("sync"), MemtableBytes: p.Int("memtable"), BloomBitsPerKey: lsm.DefaultBloomBits})
				},
			}, env.Seed)
		},
	})
}

// Target runs YCSB ops against a Store, telling it the run's time first so
// that a shard can go down and come back.
type Target struct {
	*storage.Target
	st    *Store
	dir   string
	owned bool
}

var (
	_ harness.Target = (*Target)(nil)
	_ harness.Forker = (*Target)(nil)
)

// Open creates a store in dir (a temporary directory removed on Close when
// empty) behind the storage adapter.
func Open(dir string, o Options, seed uint64) (*Target, error) {
	owned := false
	if dir == "" {
		d, err := os.MkdirTemp("", "dsbench-schemaless-*")
		if err != nil {
			return nil, err
		}
		dir, owned = d, true
	}
	o.Dir = dir
	st, err := New(o)
	if err != nil {
		if owned {
			os.RemoveAll(dir)
		}
		return nil, err
	}
	return &Target{Target: storage.NewTarget(st, seed), st: st, dir: dir, owned: owned}, nil
}

// Store returns the store behind the target.
func (t *Target) Store() *Store { return t.st }

// Do observes now, then runs op.
func (t *Target) Do(now time.Duration, op *workloads.Op) harness.Outcome {
	t.st.Observe(now)
	return t.Target.Do(now, op)
}

// Fork wraps the adapter's per-worker target.
func (t *Target) Fork(worker int, r *rand.Rand) harness.Target {
	return timed{t.st, t.Target.Fork(worker, r)}
}

// Close closes (and verifies) the store and removes a temporary directory.
func (t *Target) Close() error {
	err := t.Target.Close()
	if t.owned {
		if rerr := os.RemoveAll(t.dir); err == nil {
			err = rerr
		}
	}
	return err
}

type timed struct {
	st    *Store
	inner harness.Target
}

func (w timed) Do(now time.Duration, op *workloads.Op) harness.Outcome {
	w.st.Observe(now)
	return w.inner.Do(now, op)
}
