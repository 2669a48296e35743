package reference

import (
	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/storage"
	"github.com/dsbench/dsbench/harness"
)

var (
	dirParam = algorithms.Param{Name: "dir", Type: algorithms.String, Default: "",
		Doc: "database directory; empty = a temporary directory removed after the run"}
	syncParam = algorithms.Param{Name: "sync", Type: algorithms.Enum, Default: "none",
		Choices: []string{"always", "none"},
		Doc:     "always = fsync every write; none = leave it to the OS (the default, as in the fill benchmarks)"}
)

// DiskParams are the parameters of the on-disk reference engines.
var DiskParams = []algorithms.Param{dirParam, syncParam}

func init() {
	algorithms.Register(algorithms.Info{
		Name:        "storage/pebble",
		Description: "CockroachDB's Pebble v2 LSM (default options)",
		Params:      DiskParams,
		Loads:       true,
		NewWall: func(env algorithms.Env) (harness.Target, error) {
			kv, err := OpenPebble(PebbleOptions{Dir: env.Params.String("dir"), Sync: env.Params.String("sync") == "always"})
			if err != nil {
				return nil, err
			}
			return storage.NewTarget(kv, env.Seed), nil
		},
	})
	algorithms.Register(algorithms.Info{
		Name:        "storage/bbolt",
		Description: "etcd's bbolt copy-on-write B+tree, one transaction per write",
		Params:      DiskParams,
		Loads:       true,
		NewWall: func(env algorithms.Env) (harness.Target, error) {
			kv, err := OpenBolt(BoltOptions{Dir: env.Params.String("dir"), Sync: env.Params.String("sync") == "always"})
			if err != nil {
				return nil, err
			}
			return storage.NewTarget(kv, env.Seed), nil
		},
	})
}
