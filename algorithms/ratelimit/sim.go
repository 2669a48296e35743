package ratelimit

import (
	"github.com/dsbench/dsbench/harness"
)

// simTarget runs a limiter in virtual time: the decision is made at w.Now().
// A denied op completes at once (Denied); an admitted one completes at once,
// or when it leaves the leaky queue, or when its concurrency slot is released
// after a service time.
type simTarget struct {
	c   *core
	rec recorder
	// Method values made once: scheduling them allocates nothing per op.
	finish, release harness.EventFunc
}

var (
	_ harness.SimTarget = (*simTarget)(nil)
	_ harness.Metricser = (*simTarget)(nil)
)

func newSimTarget(c *core) *simTarget {
	t := &simTarget{c: c, rec: newRecorder(c.judged)}
	t.finish, t.release = t.onFinish, t.onRelease
	return t
}

// Start decides req at the current virtual time.
func (t *simTarget) Start(w *harness.World, req *harness.Request) {
	now := w.Now()
	sh := &t.c.shards[0]
	ok, out, e := t.c.decide(sh, t.c.key(req.Op.Client), now)
	t.rec.record(decision{at: now, out: out, client: req.Op.Client, ok: ok})
	switch {
	case !ok:
		w.Complete(req, harness.Outcome{Shard: harness.NoShard, Denied: true})
	case t.c.kind.flavor == queued && out > now:
		w.At(out, t.finish, req, 0)
	case t.c.kind.flavor == bounded:
		req.Tag = int64(e)
		w.After(t.c.service.Next(w.Rand()), t.release, req, int64(sh.tab.gen[e]))
	default:
		w.Complete(req, harness.Outcome{Shard: harness.NoShard})
	}
}

func (t *simTarget) onFinish(w *harness.World, req *harness.Request, _ int64) {
	w.Complete(req, harness.Outcome{Shard: harness.NoShard})
}

// onRelease frees the slot, unless the key was evicted meanwhile (its
// generation moved on) and the slot now belongs to another key.
func (t *simTarget) onRelease(w *harness.World, req *harness.Request, gen int64) {
	tab := t.c.shards[0].tab
	if e := int(req.Tag); tab.gen[e] == uint32(gen) {
		tab.vals[e].(*Concurrency).Release()
	}
	w.Complete(req, harness.Outcome{Shard: harness.NoShard})
}

// Metrics reports the run's accuracy, fairness and cost figures.
func (t *simTarget) Metrics() map[string]float64 {
	var tot totals
	tot.add(&t.rec)
	return t.c.metrics(t.rec.log, tot)
}
