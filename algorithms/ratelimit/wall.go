package ratelimit

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// wallTarget runs a limiter on the wall clock with now from the harness:
// the same decisions, here to measure their cost under contention. Keys are
// spread over independently locked shards; global mode has one lock, and
// lock_contended_frac reports how often a worker found it taken. A leaky
// queue reports its queueing delay in metrics without waiting, and a
// concurrency slot is released as soon as it is taken (the op is the
// decision).
type wallTarget struct {
	c       *core
	mu      sync.Mutex // guards workers and root
	workers []*wallWorker
	root    wallWorker // serves Do when the harness does not fork
}

// wallWorker is one worker's view: the shared limiters, its own log.
type wallWorker struct {
	c   *core
	log []decision
}

var (
	_ harness.Target    = (*wallTarget)(nil)
	_ harness.Forker    = (*wallTarget)(nil)
	_ harness.Metricser = (*wallTarget)(nil)
)

func newWallTarget(c *core) *wallTarget { return &wallTarget{c: c, root: wallWorker{c: c}} }

// Fork gives a worker its own decision log.
func (t *wallTarget) Fork(worker int, r *rand.Rand) harness.Target {
	w := &wallWorker{c: t.c}
	t.mu.Lock()
	t.workers = append(t.workers, w)
	t.mu.Unlock()
	return w
}

// Do decides op at now on behalf of an unforked caller.
func (t *wallTarget) Do(now time.Duration, op *workloads.Op) harness.Outcome {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.root.Do(now, op)
}

// Do decides op at now.
func (w *wallWorker) Do(now time.Duration, op *workloads.Op) harness.Outcome {
	c := w.c
	key := c.key(op.Client)
	sh := c.shardOf(key)
	if !sh.mu.TryLock() {
		sh.mu.Lock()
		sh.contends++
	}
	sh.locks++
	ok, out, e := c.decide(sh, key, now)
	if ok && c.kind.flavor == bounded {
		sh.tab.vals[e].(*Concurrency).Release()
	}
	sh.mu.Unlock()
	w.log = append(w.log, decision{at: now, out: out, client: op.Client, ok: ok})
	return harness.Outcome{Shard: harness.NoShard, Denied: !ok}
}

// Metrics merges the workers' logs and reports the run's figures.
func (t *wallTarget) Metrics() map[string]float64 {
	t.mu.Lock()
	log := append([]decision(nil), t.root.log...)
	for _, w := range t.workers {
		log = append(log, w.log...)
	}
	t.mu.Unlock()
	return t.c.metrics(log)
}
