package builtin

import (
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// noop answers every op at once: what is left is the harness's own cost.
type noop struct{}

func (noop) Do(time.Duration, *workloads.Op) harness.Outcome {
	return harness.Outcome{Shard: harness.NoShard}
}

func (noop) Start(w *harness.World, req *harness.Request) {
	w.Complete(req, harness.Outcome{Shard: harness.NoShard})
}
