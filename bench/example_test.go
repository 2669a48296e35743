package bench_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/dsbench/dsbench/bench"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// The README's "dsbench as a Go library" example, verbatim (a test checks
// that the README still shows exactly this code).

// cache is the code under test: any type with this Do method is a target.
type cache struct{ m sync.Map }

func (c *cache) Do(now time.Duration, op *workloads.Op) harness.Outcome {
	if op.Kind == workloads.Read {
		c.m.Load(op.Key)
	} else {
		c.m.Store(op.Key, op.Size)
	}
	return harness.Outcome{Shard: harness.NoShard}
}

func Example() {
	doc, err := bench.Run(context.Background(), &cache{}, "ycsb-b", bench.Options{Ops: 100_000, Workers: 2})
	if err != nil {
		panic(err)
	}
	r := doc.Runs[0]
	fmt.Println(r.Target, r.Ops, r.Errors, r.LatencyNs.P99 > 0)
	// Output: bench_test.cache 100000 0 true
}
