// Package all imports every target family so that their init functions
// register them. A binary that wants every target blank-imports this package.
package all

import (
	_ "github.com/dsbench/dsbench/algorithms/bigtable"
	_ "github.com/dsbench/dsbench/algorithms/builtin"
	_ "github.com/dsbench/dsbench/algorithms/casestudy"
	_ "github.com/dsbench/dsbench/algorithms/consensus"
	_ "github.com/dsbench/dsbench/algorithms/coordination"
	_ "github.com/dsbench/dsbench/algorithms/dynamo"
	_ "github.com/dsbench/dsbench/algorithms/gfs"
	_ "github.com/dsbench/dsbench/algorithms/hashing"
	_ "github.com/dsbench/dsbench/algorithms/kafka"
	_ "github.com/dsbench/dsbench/algorithms/loadbalance"
	_ "github.com/dsbench/dsbench/algorithms/lsm"
	_ "github.com/dsbench/dsbench/algorithms/mapreduce"
	_ "github.com/dsbench/dsbench/algorithms/ratelimit"
	_ "github.com/dsbench/dsbench/algorithms/schemaless"
	_ "github.com/dsbench/dsbench/algorithms/spanner"
	_ "github.com/dsbench/dsbench/algorithms/storage"
	_ "github.com/dsbench/dsbench/algorithms/storage/reference"
)
