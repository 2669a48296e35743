package bigtable

import (
	"os"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/lsm"
	"github.com/dsbench/dsbench/algorithms/storage"
	"github.com/dsbench/dsbench/harness"
)

// Params of storage/bigtable.
var Params = []algorithms.Param{
	{Name: "dir", Type: algorithms.String, Default: "",
		Doc: "table directory (one subdirectory per tablet); empty = a temporary directory removed after the run"},
	algorithms.Param{Name: "servers", Type: algorithms.Int, Default: "4",
		Doc: "in-process tablet servers (the shards of the run)"}.Range(1, 1024),
	algorithms.Param{Name: "split", Type: algorithms.Int, Default: "8388608",
		Doc: "tablet size in bytes (written since creation or last major compaction, plus live bytes then) past which it splits"}.Range(4<<10, 1<<40),
	algorithms.Param{Name: "major", Type: algorithms.Int, Default: "33554432",
		Doc: "bytes written to a tablet between major compactions; 0 = never"}.Range(0, 1<<40),
	algorithms.Param{Name: "memtable", Type: algorithms.Int, Default: "1048576",
		Doc: "memtable bytes of each tablet's LSM before a minor compaction"}.Range(4<<10, 1<<30),
	{Name: "sync", Type: algorithms.Enum, Default: "none", Choices: []string{"always", "batch", "none"},
		Doc: "commit-log fsync policy of each tablet's LSM"},
}

func init() {
	algorithms.Register(algorithms.Info{
		Name:        "storage/bigtable",
		Description: "Bigtable tablet servers over the LSM: range tablets that split, move and major-compact",
		Params:      Params,
		Workload:    storage.TourWorkload,
		Loads:       true,
		NewWall: func(env algorithms.Env) (harness.Target, error) {
			p := env.Params
			tb, err := Open(p.String("dir"), Options{
				Servers:    p.Int("servers"),
				SplitBytes: int64(p.Int("split")),
				MajorBytes: int64(p.Int("major")),
				Open:       LSMOpener(lsm.Options{Sync: p.String("sync"), MemtableBytes: p.Int("memtable"), BloomBitsPerKey: lsm.DefaultBloomBits}),
			})
			if err != nil {
				return nil, err
			}
			return storage.NewTarget(tb, env.Seed), nil
		},
	})
}

// LSMOpener opens each tablet as an lsm.DB with base options o.
func LSMOpener(o lsm.Options) func(dir string) (storage.KV, error) {
	return func(dir string) (storage.KV, error) {
		o := o
		o.Dir = dir
		return lsm.Open(o)
	}
}

// OwnedTable is a Table in a directory it may own.
type OwnedTable struct {
	*Table
	dir   string
	owned bool
}

// Open creates a table in dir, or in a temporary directory removed on Close
// when dir is empty.
func Open(dir string, o Options) (*OwnedTable, error) {
	owned := false
	if dir == "" {
		d, err := os.MkdirTemp("", "dsbench-bigtable-*")
		if err != nil {
			return nil, err
		}
		dir, owned = d, true
	}
	o.Dir = dir
	t, err := New(o)
	if err != nil {
		if owned {
			os.RemoveAll(dir)
		}
		return nil, err
	}
	return &OwnedTable{Table: t, dir: dir, owned: owned}, nil
}

// Close closes the tablets and removes a temporary directory.
func (o *OwnedTable) Close() error {
	err := o.Table.Close()
	if o.owned {
		if rerr := os.RemoveAll(o.dir); err == nil {
			err = rerr
		}
	}
	return err
}
