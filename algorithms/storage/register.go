package storage

import (
	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
)

// TourWorkload is the storage family's tour: YCSB A over 10,000 keys, small
// enough that a second of it touches every key many times.
const TourWorkload = "ycsb-a keys=zipf:theta=0.99,n=10000"

func init() {
	algorithms.Register(algorithms.Info{
		Name:        "storage/map",
		Description: "in-memory ordered map (B-tree under a RW lock): the no-disk baseline",
		Tour:        true,
		Workload:    TourWorkload,
		Loads:       true,
		NewWall: func(env algorithms.Env) (harness.Target, error) {
			return NewTarget(NewMap(), env.Seed), nil
		},
	})
}
