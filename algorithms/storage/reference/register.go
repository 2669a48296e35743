package reference

import (
	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/storage"
	"github.com/dsbench/dsbench/harness"
)

var (
	dirParam = algorithms.Param{Name: "dir", Type: algorithms.String, Default: "",
		Doc: "database directory; empty = a temporary directory removed after the run", Dir: true}
	syncParam = algorithms.Param{Name: "sync", Type: algorithms.Enum, Default: "none",
		Choices: []string{"always", "none"},
		Doc:     "always = fsync every write; none = no fsync, each write handed to the OS (Pebble: from a background goroutine, as storage/lsm's sync=none; bbolt: NoSync); the default, as in the fill benchmarks"}
)

// DiskParams are the parameters of the on-disk reference engines.
var DiskParams = []algorithms.Param{dirParam, syncParam}

// PebbleParams adds the storage family's shared LSM settings, with the
// same defaults as storage/lsm's: like for like unless told otherwise.
var PebbleParams = []algorithms.Param{dirParam, syncParam, storage.CompressionParam, storage.CacheParam, storage.SettleParam}

func init() {
	algorithms.Register(algorithms.Info{
		Name:        "storage/pebble",
		Description: "CockroachDB's Pebble v2 LSM (10-bit Bloom filters; compression, cache and settle as storage/lsm)",
		Params:      PebbleParams,
		Loads:       true,
		NewWall: func(env algorithms.Env) (harness.Target, error) {
			p := env.Params
			cache := int64(p.Int("cache"))
			if cache == 0 {
				cache = -1 // no block cache: every read goes to the file
			}
			kv, err := OpenPebble(PebbleOptions{Dir: p.String("dir"), Sync: p.String("sync") == "always",
				Compression: p.String("compression"), CacheBytes: cache, Settle: p.String("settle")})
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
