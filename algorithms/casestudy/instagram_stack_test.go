package casestudy

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
)

// cacheModel is what the LRU check drives: the LRU, a reference, or a
// deliberately broken cache.
type cacheModel interface {
	Get(key uint64, now time.Duration) bool
	Set(key uint64, now time.Duration)
}

// refLRU is the reference: a slice ordered from least to most recently
// used, scanned linearly; an entry expires ttl after its set.
type refLRU struct {
	cap  int
	ttl  time.Duration
	keys []uint64
	exp  []time.Duration
}

func (r *refLRU) find(k uint64) int { return slices.Index(r.keys, k) }
func (r *refLRU) remove(i int) {
	r.keys, r.exp = slices.Delete(r.keys, i, i+1), slices.Delete(r.exp, i, i+1)
}

func (r *refLRU) Get(k uint64, now time.Duration) bool {
	i := r.find(k)
	if i < 0 {
		return false
	}
	e := r.exp[i]
	r.remove(i)
	if r.ttl > 0 && now >= e {
		return false
	}
	r.keys, r.exp = append(r.keys, k), append(r.exp, e)
	return true
}

func (r *refLRU) Set(k uint64, now time.Duration) {
	if i := r.find(k); i >= 0 {
		r.remove(i)
	} else if len(r.keys) == r.cap {
		r.remove(0)
	}
	r.keys, r.exp = append(r.keys, k), append(r.exp, now+r.ttl)
}

// fifoCache is a broken LRU: a hit does not refresh recency.
type fifoCache struct{ refLRU }

func (f *fifoCache) Get(k uint64, now time.Duration) bool {
	i := f.find(k)
	if i < 0 {
		return false
	}
	if f.ttl > 0 && now >= f.exp[i] {
		f.remove(i)
		return false
	}
	return true
}

// lruDiverges drives c and the reference with one random sequence of gets
// and sets (Zipf-ish keys, time advancing) and reports the first op whose
// hit or miss differs.
func lruDiverges(c cacheModel, capacity int, ttl time.Duration, seed uint64) error {
	ref := &refLRU{cap: capacity, ttl: ttl}
	r := rand.New(rand.NewPCG(seed, 9))
	now := time.Duration(0)
	for i := range 20000 {
		now += time.Duration(r.IntN(200)) * time.Microsecond
		k := uint64(r.IntN(4*capacity) * r.IntN(4*capacity) / (4 * capacity)) // skewed
		if r.IntN(3) == 0 {
			c.Set(k, now)
			ref.Set(k, now)
			continue
		}
		if got, want := c.Get(k, now), ref.Get(k, now); got != want {
			return fmt.Errorf("op %d get(%d) at %v: hit %v, reference %v", i, k, now, got, want)
		}
	}
	return nil
}

func TestLRUExact(t *testing.T) {
	for _, tc := range []struct {
		cap int
		ttl time.Duration
	}{{1, 0}, {7, 0}, {64, 0}, {64, 5 * time.Millisecond}, {300, 50 * time.Millisecond}} {
		c := NewLRU(tc.cap, tc.ttl)
		if err := lruDiverges(c, tc.cap, tc.ttl, uint64(tc.cap)); err != nil {
			t.Fatalf("cap %d ttl %v: %v", tc.cap, tc.ttl, err)
		}
		if c.Len() > tc.cap || c.Hits+c.Misses == 0 || c.Hits == 0 || c.Misses == 0 {
			t.Fatalf("cap %d: len %d hits %d misses %d", tc.cap, c.Len(), c.Hits, c.Misses)
		}
		if tc.ttl > 0 && c.Expired == 0 {
			t.Fatalf("cap %d ttl %v: nothing expired", tc.cap, tc.ttl)
		}
		if tc.cap < 100 && c.Evictions == 0 {
			t.Fatalf("cap %d: nothing evicted", tc.cap)
		}
	}
	// The check catches a cache that does not refresh recency on a hit.
	if err := lruDiverges(&fifoCache{refLRU{cap: 64}}, 64, 0, 3); err == nil {
		t.Fatal("a FIFO cache passed the LRU check")
	}
	c := NewLRU(64, 0)
	if n := testing.AllocsPerRun(1000, func() { c.Set(uint64(rand.IntN(200)), 0); c.Get(uint64(rand.IntN(200)), 0) }); n > 0 {
		t.Errorf("LRU get+set allocates %v per op", n)
	}
}

const igName = "casestudy/instagram-stack"

// Small stack for tests: 2000 users, a cold cache, 1000 posts preloaded.
var igSmall = map[string]string{"users": "2000", "follows": "10", "preload": "1000", "logical_shards": "512", "feed_cap": "6", "page": "5"}

func igRaw(extra ...string) map[string]string {
	m := map[string]string{}
	for k, v := range igSmall {
		m[k] = v
	}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

const igSpec = "mix=read:0.9,update:0.1 keys=uniform:n=2000 arrival=poisson:rate=2000"

func igRun(t *testing.T, raw map[string]string, spec string, ops, seed uint64) (*igSim, map[string]float64) {
	t.Helper()
	o := algotest.Options{Clock: algorithms.Virtual, Ops: ops, Seed: seed}
	s := algotest.Build(t, igName, raw, spec, o).(*igSim)
	rep := algotest.RunTarget(t, s, algotest.Spec(t, spec), o)
	if rep.Ops != ops {
		t.Fatalf("ops %d of %d", rep.Ops, ops)
	}
	return s, rep.Metrics
}

// Leases: on the same seed, without them concurrent misses of one key all
// read the DB (herd_misses > 0); with them none does, and the DB serves
// fewer reads.
func TestIGStackLeaseStopsHerd(t *testing.T) {
	_, off := igRun(t, igRaw("lease", "false", "cache_ttl", "200ms"), igSpec, 12000, 4)
	_, on := igRun(t, igRaw("lease", "true", "cache_ttl", "200ms"), igSpec, 12000, 4)
	t.Logf("lease off: herd %v db %v hit %v; on: herd %v db %v waits %v", off["herd_misses"], off["db_queries"], off["hit_ratio"], on["herd_misses"], on["db_queries"], on["lease_waits"])
	if off["herd_misses"] < 50 || off["lease_waits"] != 0 {
		t.Fatalf("lease=false: herd_misses %v lease_waits %v", off["herd_misses"], off["lease_waits"])
	}
	if on["herd_misses"] != 0 || on["lease_waits"] == 0 || on["cache_sets_refused"] != 0 {
		t.Fatalf("lease=true: herd_misses %v lease_waits %v refused %v", on["herd_misses"], on["lease_waits"], on["cache_sets_refused"])
	}
	if on["db_queries"] >= off["db_queries"] || on["timeouts"]+off["timeouts"] != 0 {
		t.Fatalf("db queries lease on %v off %v; timeouts %v %v", on["db_queries"], off["db_queries"], on["timeouts"], off["timeouts"])
	}
}

// Fan-out on write: after the run every media whose fan-out finished is in
// each follower's capped feed (CheckFeeds); a media's row lives on the DB
// host its id's shard bits name, which is its author's logical shard.
func TestIGStackFeedsAndShards(t *testing.T) {
	s, m := igRun(t, igRaw(), igSpec, 6000, 2)
	st := s.st
	if err := st.CheckFeeds(); err != nil {
		t.Fatal(err)
	}
	if m["fanouts_done"] < 400 || m["db_row_missing"] != 0 || m["feed_reads"] == 0 {
		t.Fatalf("metrics %v", m)
	}
	full := 0
	for u := range st.Feeds {
		if len(st.Feeds[u].ids) == st.FeedCap {
			full++
		}
	}
	if full == 0 {
		t.Fatal("no feed reached feed_cap: the cap is not exercised")
	}
	written := 0
	for i, id := range st.MediaID {
		_, shard, _ := SplitID(id)
		a := st.UserID[st.Author[i]]
		if int(shard) != st.Map.Shard(a) {
			t.Fatalf("media %d of user %d: id shard %d, user's shard %d", i, a, shard, st.Map.Shard(a))
		}
		if st.RowHost[i] >= 0 {
			written++
			if int(st.RowHost[i]) != st.Map.Server(int(shard)) || int(st.RowHost[i]) != st.MediaDBHost(int32(i)) {
				t.Fatalf("media %d: row on host %d, id's shard %d maps to %d", i, st.RowHost[i], shard, st.Map.Server(int(shard)))
			}
		}
	}
	if written < len(st.MediaID)-50 {
		t.Fatalf("%d of %d rows written", written, len(st.MediaID))
	}
	// The checker catches a lost push and a foreign entry.
	for u := range st.Feeds {
		f := &st.Feeds[u]
		if n := len(f.ids); n > 0 && n < st.FeedCap {
			keep := f.ids[0]
			f.ids = f.ids[1:]
			if err := st.CheckFeeds(); err == nil || !strings.Contains(err.Error(), "missing") {
				t.Fatalf("dropped entry of user %d: CheckFeeds %v", u, err)
			}
			f.ids = append([]uint32{keep}, f.ids...)
			break
		}
	}
	for u := range st.Feeds {
		if len(st.Feeds[u].ids) > 0 && len(st.Profile[u].ids) > 0 {
			old := st.Profile[u].ids[0]
			st.Profile[u].ids[0] = st.Feeds[u].ids[0]
			if err := st.CheckFeeds(); err == nil {
				t.Fatal("a profile holding another user's media passed CheckFeeds")
			}
			st.Profile[u].ids[0] = old
			break
		}
	}
	if err := st.CheckFeeds(); err != nil {
		t.Fatal(err)
	}
}

// The cache and the workers show their effect: a bigger cache raises the hit
// ratio and lowers DB load; more workers cut the fan-out lag of a
// post-heavy load; two runs of one seed agree.
func TestIGStackSweeps(t *testing.T) {
	_, small := igRun(t, igRaw("cache_size", "50"), igSpec, 5000, 1)
	_, big := igRun(t, igRaw("cache_size", "5000"), igSpec, 5000, 1)
	t.Logf("hit ratio %v → %v", small["hit_ratio"], big["hit_ratio"])
	if small["hit_ratio"] >= big["hit_ratio"]-0.1 || small["db_queries"] <= big["db_queries"] || small["cache_evictions"] == 0 {
		t.Fatalf("hit ratio %v → %v, db queries %v → %v", small["hit_ratio"], big["hit_ratio"], small["db_queries"], big["db_queries"])
	}
	heavy := "mix=read:0.5,update:0.5 keys=uniform:n=2000 arrival=poisson:rate=2000"
	_, one := igRun(t, igRaw("workers", "1", "fanout_cost", "100us"), heavy, 4000, 1)
	_, four := igRun(t, igRaw("workers", "4", "fanout_cost", "100us"), heavy, 4000, 1)
	t.Logf("lag p99 %v → %v ms", one["fanout_lag_p99_ms"], four["fanout_lag_p99_ms"])
	if one["fanout_lag_p99_ms"] <= 2*four["fanout_lag_p99_ms"] || one["fanout_queue_max"] <= four["fanout_queue_max"] {
		t.Fatalf("fan-out lag p99 workers=1 %v, workers=4 %v; queue max %v %v", one["fanout_lag_p99_ms"], four["fanout_lag_p99_ms"], one["fanout_queue_max"], four["fanout_queue_max"])
	}
	a := algotest.Run(t, igName, igRaw(), igSpec, algotest.Options{Clock: algorithms.Virtual, Ops: 3000, Seed: 8})
	b := algotest.Run(t, igName, igRaw(), igSpec, algotest.Options{Clock: algorithms.Virtual, Ops: 3000, Seed: 8})
	algotest.SameRun(t, "instagram-stack", a, b)
	if a.Errors != 0 || len(a.ShardOps) != 4 {
		t.Fatalf("errors %d shards %d", a.Errors, len(a.ShardOps))
	}
}

// A crashed DB host loses the requests it held: those ops fail by timeout
// only, and the other hosts keep serving.
func TestIGStackCrash(t *testing.T) {
	_, m := igRun(t, igRaw("crash", "0", "crash_at", "500ms", "op_timeout", "200ms"), igSpec, 4000, 3)
	t.Logf("timeouts %v", m["timeouts"])
	if m["timeouts"] == 0 || m["feed_reads"] < 1000 {
		t.Fatalf("timeouts %v feed reads %v", m["timeouts"], m["feed_reads"])
	}
}

func TestIGStackBadParams(t *testing.T) {
	wantBad(t, igName, map[string]string{"follows": "6000"}, "follows=6000", "follows ≤ 5000")
	wantBad(t, igName, map[string]string{"db_hosts": "20", "logical_shards": "10"}, "db_hosts=20", "logical_shards=10")
	wantBad(t, igName, map[string]string{"db_hosts": "900", "workers": "200", "logical_shards": "2000"}, "1106", "1024")
	wantBad(t, igName, map[string]string{"page": "50", "feed_cap": "20"}, "page=50", "feed_cap")
	wantBad(t, igName, map[string]string{"cache_hosts": "65"}, "cache_hosts")
	wantBad(t, igName, map[string]string{"crash": "leader"}, "leader")
	wantBad(t, igName, map[string]string{"nodes": "5"}, "nodes")
	wantBad(t, igName, map[string]string{"lease": "maybe"}, "lease")
	wantBad(t, igName, map[string]string{"logical_shards": "9000"}, "logical_shards")
}

// At a high read rate a hot key's expiry without leases sends its readers
// to the one DB host of its shard, whose queue widens the refill window:
// that host's load stands out (DB load unfair) and the read tail grows.
// Leases keep the same load fair and the tail short.
func TestIGStackHerdLoadsHotShard(t *testing.T) {
	spec := "mix=read:0.99,update:0.01 keys=uniform:n=2000 arrival=poisson:rate=30000"
	raw := func(lease string) map[string]string {
		return igRaw("lease", lease, "cache_ttl", "500ms", "cache_hosts", "8", "db_hosts", "8", "preload", "2000", "feed_cap", "20", "page", "10")
	}
	_, off := igRun(t, raw("false"), spec, 40000, 1)
	_, on := igRun(t, raw("true"), spec, 40000, 1)
	t.Logf("lease off: db max/mean %v util %v herd %v read p99 %v ms; on: %v %v %v %v", off["db_load"], off["db_util_max"], off["herd_misses"], off["feed_read_p99_ms"],
		on["db_load"], on["db_util_max"], on["herd_misses"], on["feed_read_p99_ms"])
	if off["herd_misses"] < 1000 || off["db_load"] < on["db_load"]+0.4 || off["feed_read_p99_ms"] < 3*on["feed_read_p99_ms"] {
		t.Fatalf("lease=false did not load the hot shard: %v", off)
	}
	if on["db_load"] > 1.3 || on["timeouts"] != 0 || on["herd_misses"] != 0 {
		t.Fatalf("lease=true: %v", on)
	}
	if off["db_load_jain"] >= on["db_load_jain"] {
		t.Fatalf("db_load_jain: lease=false %v not below lease=true %v", off["db_load_jain"], on["db_load_jain"])
	}
	// db_load and db_load_jain are the per-host counts' max/mean and Jain's
	// index, recomputed here from db_load_<h>.
	for _, m := range []map[string]float64{off, on} {
		var sum, sq, hi float64
		for h := range 8 {
			q := m[fmt.Sprintf("db_load_%d", h)]
			sum, sq, hi = sum+q, sq+q*q, max(hi, q)
		}
		if sum != m["db_queries"] || math.Abs(m["db_load"]-hi/(sum/8)) > 1e-12 || math.Abs(m["db_load_jain"]-sum*sum/(8*sq)) > 1e-12 {
			t.Fatalf("db_load %v / db_load_jain %v do not match the hosts' counts %v", m["db_load"], m["db_load_jain"], m)
		}
	}
}
