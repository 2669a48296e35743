package ratelimit

import (
	"sync"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/workloads"
)

// wallShards is the number of independently locked key tables on the wall
// clock, so workers deciding for different clients rarely contend.
const wallShards = 16

// core is the state a target shares across its workers: the key tables of
// limiters and how the run is judged.
type core struct {
	kind    *kind
	judge   judge
	newL    func() Limiter
	shards  []shard
	service workloads.DurationDist // bounded flavor
	// judged is how many decisions a run logs for its figures (maxJudged;
	// tests lower it).
	judged int
}

// shard is one locked key table (sim runs use one shard and no lock).
type shard struct {
	mu              sync.Mutex
	tab             *table[Limiter]
	locks, contends uint64
	peak            int // most ops in flight on one key (bounded flavor)
	_               [64]byte
}

func newCore(k *kind, p algorithms.Params, nshards int) (*core, error) {
	if _, err := k.limiter(p); err != nil {
		return nil, err
	}
	c := &core{kind: k, judge: judgeFor(k, p), judged: maxJudged}
	c.newL = func() Limiter { l, _ := k.limiter(p); return l } // validated above
	if k.flavor == bounded {
		c.service = p.Dist("service")
	}
	keys := 1
	if c.judge.keyed {
		keys = p.Int("keys")
	} else {
		nshards = 1
	}
	if keys < nshards {
		nshards = 1
	}
	c.shards = make([]shard, nshards)
	for i := range c.shards {
		c.shards[i].tab = newTable(max(1, (keys+nshards-1)/nshards), c.newL)
	}
	return c, nil
}

// key is the limiter key of an op's client.
func (c *core) key(client uint32) uint32 {
	if c.judge.keyed {
		return client
	}
	return 0
}

// shardOf picks a shard with a hash independent of the table's own.
func (c *core) shardOf(key uint32) *shard {
	if len(c.shards) == 1 {
		return &c.shards[0]
	}
	return &c.shards[(uint64(key)*0xD6E8FEB86659FD93>>32)%uint64(len(c.shards))]
}

// decide runs the limiter of key at now. out is when admitted traffic reaches
// the service; e is the key's table entry. The caller holds sh's lock if any.
func (c *core) decide(sh *shard, key uint32, now time.Duration) (ok bool, out time.Duration, e int) {
	e = sh.tab.get(key, now)
	l := sh.tab.vals[e]
	switch c.kind.flavor {
	case queued:
		out, ok = l.(*LeakyQueue).Admit(now)
		return ok, out, e
	case bounded:
		cl := l.(*Concurrency)
		ok = cl.Allow(now)
		sh.peak = max(sh.peak, cl.Peak())
		return ok, now, e
	}
	return l.Allow(now), now, e
}

// metrics computes every figure of a run from its decision log and totals.
func (c *core) metrics(log []decision, tot totals) map[string]float64 {
	m := map[string]float64{}
	if c.kind.flavor == queued {
		var sum, worst time.Duration
		n := 0
		for i := range log {
			if log[i].ok {
				d := log[i].out - log[i].at
				sum += d
				worst = max(worst, d)
				n++
			}
		}
		if n > 0 {
			m["queue_delay_mean_ns"] = float64(sum) / float64(n)
		}
		m["queue_delay_max_ns"] = float64(worst)
	}
	c.judge.figures(log, tot, m)
	var live, evictions, locks, contends uint64
	peak := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		live += uint64(sh.tab.len())
		evictions += sh.tab.evictions
		locks += sh.locks
		contends += sh.contends
		peak = max(peak, sh.peak)
		sh.mu.Unlock()
	}
	m["keys"] = float64(live)
	m["evictions"] = float64(evictions)
	sample := c.newL()
	m["bytes_per_key"] = float64(sample.StateBytes()) + c.shards[0].tab.bytesPerEntry()
	if locks > 0 {
		m["lock_contended_frac"] = float64(contends) / float64(locks)
	}
	if c.kind.flavor == bounded {
		m["max_in_flight"] = float64(peak)
	}
	return m
}

// sampleDecisionNs times 65536 decisions of a fresh limiter on synthetic
// times at twice its rate (so about half are denied). It reads the wall
// clock to measure cost only; no decision depends on it. Only the wall-clock
// target reports it: a virtual-time report must repeat byte for byte.
func sampleDecisionNs(l Limiter, rate float64) float64 {
	const n = 1 << 16
	step := time.Microsecond
	if rate > 0 {
		step = max(1, time.Duration(5e8/rate))
	}
	l.Reset(0)
	cl, bounded := l.(*Concurrency)
	start := time.Now()
	now := time.Duration(0)
	for i := 0; i < n; i++ {
		now += step
		if l.Allow(now) && bounded && i&1 == 1 {
			cl.Release()
		}
	}
	elapsed := time.Since(start)
	return float64(elapsed.Nanoseconds()) / n
}
