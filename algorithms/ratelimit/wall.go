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
	room    int        // decisions each worker logs: the bound shared among workers
	mu      sync.Mutex // guards workers and root
	workers []*wallWorker
	root    wallWorker // serves Do when the harness does not fork
}

// wallWorker is one worker's view: the shared limiters, its own log.
type wallWorker struct {
	c   *core
	rec recorder
}

var (
	_ harness.Target    = (*wallTarget)(nil)
	_ harness.Forker    = (*wallTarget)(nil)
	_ harness.Metricser = (*wallTarget)(nil)
)

// newWallTarget shares the decision log bound among workers (and the
// unforked root).
func newWallTarget(c *core, workers int) *wallTarget {
	room := c.judged / (max(1, workers) + 1)
	return &wallTarget{c: c, room: room, root: wallWorker{c: c, rec: newRecorder(room)}}
}

// Fork gives a worker its own decision log.
func (t *wallTarget) Fork(worker int, r *rand.Rand) harness.Target {
	w := &wallWorker{c: t.c, rec: newRecorder(t.room)}
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
	w.rec.record(decision{at: now, out: out, client: op.Client, ok: ok})
	return harness.Outcome{Shard: harness.NoShard, Denied: !ok}
}

// Metrics merges the workers' logs and reports the run's figures.
func (t *wallTarget) Metrics() map[string]float64 {
	t.mu.Lock()
	var tot totals
	tot.add(&t.root.rec)
	log := append([]decision(nil), t.root.rec.log...)
	for _, w := range t.workers {
		tot.add(&w.rec)
		log = append(log, w.rec.log...)
	}
	t.mu.Unlock()
	m := t.c.metrics(log, tot)
	m["decision_ns"] = sampleDecisionNs(t.c.newL(), t.c.judge.rate)
	return m
}
