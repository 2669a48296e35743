package casestudy

import (
	"fmt"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
)

// IGStackWorkload: feed reads by uniformly chosen users, 5% posts, at
// 2000 ops/s of virtual time.
const IGStackWorkload = "mix=read:0.95,update:0.05 keys=uniform:n=10000 arrival=poisson:rate=2000"

var igStackParams = []algorithms.Param{
	algorithms.Param{Name: "users", Type: algorithms.Int, Default: "10000", Doc: "users; op.Key mod users is the poster or reader"}.Range(2, 1e6),
	algorithms.Param{Name: "follows", Type: algorithms.Int, Default: "20", Doc: "users each user follows, Zipf over users (follower counts follow a power law; ≤ users/2)"}.Range(1, 1e4),
	algorithms.Param{Name: "follow_theta", Type: algorithms.Float, Default: "1", Doc: "Zipf exponent of popularity: user k has followers ∝ (k+1)^−theta"}.Range(0.01, 5),
	algorithms.Param{Name: "logical_shards", Type: algorithms.Int, Default: "2000", Doc: "PostgreSQL logical shards (schemas, 13 id bits); a user's shard is its user id mod logical_shards (ids are a random permutation of popularity ranks), and a media's id carries its author's shard"}.Range(1, MaxLogicalShards),
	algorithms.Param{Name: "db_hosts", Type: algorithms.Int, Default: "4", Doc: "physical PostgreSQL hosts (nodes 0 … db_hosts−1); logical shard s lives on host s·db_hosts/logical_shards (Outcome.Shard)"}.Range(1, 1000),
	algorithms.Param{Name: "cache_hosts", Type: algorithms.Int, Default: "4", Doc: "memcached hosts (the next nodes), keys placed by consistent hashing (a ring of vnodes points each)"}.Range(1, 64),
	algorithms.Param{Name: "redis_hosts", Type: algorithms.Int, Default: "2", Doc: "Redis hosts holding the feed lists (the next nodes); user u's lists live on host u mod redis_hosts"}.Range(1, 64),
	algorithms.Param{Name: "workers", Type: algorithms.Int, Default: "2", Doc: "async fan-out workers (the last nodes), taking jobs from one FIFO queue"}.Range(1, 1000),
	algorithms.Param{Name: "vnodes", Type: algorithms.Int, Default: "100", Doc: "ring points per memcached host"}.Range(1, 1e4),
	algorithms.Param{Name: "cache_size", Type: algorithms.Int, Default: "2000", Doc: "entries per memcached host (LRU)"}.Range(1, 1e7),
	algorithms.Param{Name: "cache_ttl", Type: algorithms.Duration, Default: "2s", Doc: "a cached media row expires this long after it was set (0: never); a hot key's expiry lets its readers miss together"}.Range(0, float64(24*time.Hour)),
	{Name: "lease", Type: algorithms.Bool, Default: "false", Doc: "memcache leases (Nishtala et al., NSDI'13): the first miss of a key gets a lease token and refills it; other misses wait lease_wait and retry instead of reading the DB"},
	algorithms.Param{Name: "lease_wait", Type: algorithms.Duration, Default: "2ms", Doc: "how long a read told to wait for another's lease sleeps before looking the key up again"}.Range(float64(time.Microsecond), float64(time.Second)),
	algorithms.Param{Name: "lease_timeout", Type: algorithms.Duration, Default: "1s", Doc: "a lease not redeemed by a set within this lapses (its holder died); the next miss takes a new one"}.Range(float64(time.Millisecond), float64(time.Minute)),
	{Name: "db_read", Type: algorithms.Dist, Default: "exp:mean=500us", Doc: "a DB host's time to SELECT one media row"},
	{Name: "db_write", Type: algorithms.Dist, Default: "exp:mean=2ms", Doc: "a DB host's time to INSERT one media row"},
	algorithms.Param{Name: "cache_cost", Type: algorithms.Duration, Default: "10us", Doc: "a memcached host's CPU per key looked up or set"}.Range(0, float64(time.Second)),
	algorithms.Param{Name: "redis_cost", Type: algorithms.Duration, Default: "20us", Doc: "a Redis host's CPU per list read (LRANGE) or written (LPUSH+LTRIM)"}.Range(0, float64(time.Second)),
	algorithms.Param{Name: "fanout_cost", Type: algorithms.Duration, Default: "20us", Doc: "a worker's CPU per list it writes in a fan-out (each follower's feed and the author's profile)"}.Range(0, float64(time.Second)),
	algorithms.Param{Name: "feed_cap", Type: algorithms.Int, Default: "200", Doc: "entries kept per feed and profile list (LTRIM)"}.Range(1, 1e5),
	algorithms.Param{Name: "page", Type: algorithms.Int, Default: "10", Doc: "media per feed or profile read (the newest; multiget from memcached)"}.Range(1, 1000),
	algorithms.Param{Name: "preload", Type: algorithms.Int, Default: "20000", Doc: "media posted (rows written, fanned out) before the run by uniform authors; each was set in the cache at a uniform time within the last cache_ttl (a warm cache whose keys expire spread out)"}.Range(0, 1e7),
	algorithms.Param{Name: "op_timeout", Type: algorithms.Duration, Default: "5s", Doc: "an op not done within this fails (a crashed host lost its request)"}.Range(float64(time.Millisecond), float64(time.Hour)),
}

// igStackCluster: the hosts are the cluster's nodes (their number follows
// from db_hosts + cache_hosts + redis_hosts + workers, so `nodes` is not a
// parameter). Loss and duplication are not offered: the hops are TCP
// connections and no client retries a lost request here. fsync and
// group_commit are not offered: a DB write's cost is db_write.
var igStackCluster = &algorithms.ClusterSpec{
	Omit: []string{simnet.ParamNodes, simnet.ParamLoss, simnet.ParamDup, simnet.ParamFsync, simnet.ParamGroup},
}

func igStackInfo() algorithms.Info {
	return algorithms.Info{
		Name:         "casestudy/instagram-stack",
		Description:  "Instagram's stack: media in PostgreSQL logical shards (the id scheme picks the shard) on db hosts, memcached LRUs on a hash ring with TTL and optional leases against the herd, Redis feeds filled by async fan-out workers (virtual time, on the shared cluster)",
		Params:       igStackParams,
		Workload:     IGStackWorkload,
		DefaultClock: algorithms.Virtual,
		Cluster:      igStackCluster,
		Check:        func(p algorithms.Params) error { _, err := igStackCheck(p); return err },
		NewSim: func(env algorithms.Env) (harness.SimTarget, error) {
			cfg, err := igStackCheck(env.Params)
			if err != nil {
				return nil, err
			}
			cl, _ := igStackClusterOf(env.Params)
			s := &igSim{cfg: cfg, cluster: cl, readHist: hdr.New(1, int64(time.Hour), 3), lagHist: hdr.New(1, int64(time.Hour), 3)}
			s.expireFn, s.retryFn, s.workerDoneFn, s.pushedFn = s.expire, s.retry, s.workerDone, s.pushed
			return s, nil
		},
	}
}

func igStackClusterOf(p algorithms.Params) (algorithms.Cluster, error) {
	return algorithms.ClusterOfNodes(p, p.Int("db_hosts")+p.Int("cache_hosts")+p.Int("redis_hosts")+p.Int("workers"))
}

func igStackCheck(p algorithms.Params) (igConfig, error) {
	c := igConfig{
		dbHosts: p.Int("db_hosts"), cacheHosts: p.Int("cache_hosts"), redisHosts: p.Int("redis_hosts"), workers: p.Int("workers"),
		users: p.Int("users"), follows: p.Int("follows"), theta: p.Float("follow_theta"),
		logical: p.Int("logical_shards"), vnodes: p.Int("vnodes"), cacheSize: p.Int("cache_size"), feedCap: p.Int("feed_cap"),
		page: p.Int("page"), preload: p.Int("preload"),
		ttl: p.Duration("cache_ttl"), leaseWait: p.Duration("lease_wait"), leaseTimeout: p.Duration("lease_timeout"), timeout: p.Duration("op_timeout"),
		lease: p.Bool("lease"), dbRead: p.Dist("db_read"), dbWrite: p.Dist("db_write"),
		cacheCost: p.Duration("cache_cost"), redisCost: p.Duration("redis_cost"), fanoutCost: p.Duration("fanout_cost"),
	}
	bad := func(format string, a ...any) (igConfig, error) {
		return c, fmt.Errorf("casestudy/instagram-stack: "+format, a...)
	}
	if c.follows > c.users/2 {
		return bad("follows=%d with users=%d: a user follows at most half the users (valid: follows ≤ %d)", c.follows, c.users, c.users/2)
	}
	if c.dbHosts > c.logical {
		return bad("db_hosts=%d with logical_shards=%d: every DB host needs a logical shard (valid: db_hosts ≤ %d)", c.dbHosts, c.logical, c.logical)
	}
	if n := c.nodes(); n > simnet.MaxNodes {
		return bad("db_hosts+cache_hosts+redis_hosts+workers = %d cluster nodes (valid: at most %d)", n, simnet.MaxNodes)
	}
	if c.cacheHosts*c.vnodes > 1_000_000 {
		return bad("cache_hosts=%d × vnodes=%d ring points exceed 1000000 (valid: lower either)", c.cacheHosts, c.vnodes)
	}
	if c.users*c.follows > 50_000_000 {
		return bad("users=%d × follows=%d follow edges exceed 50000000 (valid: lower either)", c.users, c.follows)
	}
	if c.page > c.feedCap {
		return bad("page=%d with feed_cap=%d: a page reads at most the list (valid: page ≤ feed_cap)", c.page, c.feedCap)
	}
	cl, err := igStackClusterOf(p)
	if err != nil {
		return bad("%v", err)
	}
	for _, sel := range []simnet.Selector{cl.Faults.Crash, cl.Faults.Partition.A} {
		if sel.Kind == simnet.SelectLeader {
			return bad("the stack's hosts have no leader to crash or isolate (valid: crash=NODE|random; nodes 0…%d are DB hosts, then cache, Redis, workers)", c.dbHosts-1)
		}
	}
	return c, nil
}
