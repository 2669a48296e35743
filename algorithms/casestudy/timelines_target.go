package casestudy

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// TimelinesWorkload: home-timeline reads by uniformly chosen users and
// tweets (inserts, whose fresh sequential keys spread authors evenly), 50
// reads per tweet as on Twitter (300k reads/s against ~5k tweets/s), 5000
// ops/s.
const TimelinesWorkload = "mix=read:0.98,insert:0.02 keys=uniform:n=10000 arrival=poisson:rate=5000"

var timelinesParams = []algorithms.Param{
	algorithms.Param{Name: "users", Type: algorithms.Int, Default: "10000", Doc: "users; hash(op.Key) mod users is the author (insert, update, rmw) or reader (other kinds)"}.Range(2, 1e6),
	algorithms.Param{Name: "follows", Type: algorithms.Int, Default: "100", Doc: "accounts each user follows (≤ users/2)"}.Range(1, 1e4),
	algorithms.Param{Name: "follow_theta", Type: algorithms.Float, Default: "1", Doc: "Zipf exponent of whom users follow: follower counts ∝ rank^−theta"}.Range(0.01, 5),
	algorithms.Param{Name: "timeline_cap", Type: algorithms.Int, Default: "800", Doc: "entries kept per timeline (Twitter: 800)"}.Range(1, 1e5),
	algorithms.Param{Name: "celebrity_threshold", Type: algorithms.Int, Default: "1000", Doc: "authors with more followers than this are merged at read time instead of fanned out (0: pull for all; ≥ users: push for all)"}.Range(0, 1e9),
	algorithms.Param{Name: "page", Type: algorithms.Int, Default: "20", Doc: "tweets a read returns (≤ timeline_cap)"}.Range(1, 1e4),
	algorithms.Param{Name: "write_cost", Type: algorithms.Duration, Default: "10us", Doc: "virtual cost of one timeline write (fan-out step)"}.Range(0, float64(time.Second)),
	algorithms.Param{Name: "read_cost", Type: algorithms.Duration, Default: "100us", Doc: "virtual cost of reading one timeline (a merge source)"}.Range(0, float64(time.Second)),
	algorithms.Param{Name: "shards", Type: algorithms.Int, Default: "16", Doc: "timeline cache shards; an op is served by its user's shard (user mod shards)"}.Range(1, 4096),
}

func timelinesInfo() algorithms.Info {
	return algorithms.Info{
		Name:         "casestudy/twitter-timelines",
		Description:  "Twitter home timelines: fan-out on write to capped timelines, celebrities merged at read",
		Params:       timelinesParams,
		Workload:     TimelinesWorkload,
		DefaultClock: algorithms.Virtual,
		Check:        timelinesCheck,
		NewSim: func(env algorithms.Env) (harness.SimTarget, error) {
			tl, err := newTimelines(env)
			if err != nil {
				return nil, err
			}
			return &timelinesSim{tl: tl, shards: env.Params.Int("shards"),
				wcost: env.Params.Duration("write_cost"), rcost: env.Params.Duration("read_cost"), doneFn: completeShard}, nil
		},
		NewWall: func(env algorithms.Env) (harness.Target, error) {
			tl, err := newTimelines(env)
			if err != nil {
				return nil, err
			}
			return &timelinesWall{timelinesSim: timelinesSim{tl: tl, shards: env.Params.Int("shards")}}, nil
		},
	}
}

func timelinesCheck(p algorithms.Params) error {
	if u, f := p.Int("users"), p.Int("follows"); f > u/2 {
		return fmt.Errorf("casestudy/twitter-timelines: follows=%d with users=%d: a user follows at most half the users (valid: follows ≤ %d)", f, u, u/2)
	}
	if pg, c := p.Int("page"), p.Int("timeline_cap"); pg > c {
		return fmt.Errorf("casestudy/twitter-timelines: page=%d exceeds timeline_cap=%d (valid: page ≤ timeline_cap)", pg, c)
	}
	return nil
}

func newTimelines(env algorithms.Env) (*Timelines, error) {
	p := env.Params
	if err := timelinesCheck(p); err != nil {
		return nil, err
	}
	g, err := NewFollowGraph(p.Int("users"), p.Int("follows"), p.Float("follow_theta"), rand.New(rand.NewPCG(env.Seed, 0x7477)))
	if err != nil {
		return nil, fmt.Errorf("casestudy/twitter-timelines: %w", err)
	}
	return NewTimelines(g, p.Int("timeline_cap"), p.Int("page"), p.Int("celebrity_threshold")), nil
}

// timelinesSim charges each op its cost model in virtual time: a tweet
// write_cost × (1 + fan-out writes) (the author's own timeline, then each
// follower's, one after another), a read read_cost × merge sources. No
// queueing: latency is the op's own cost.
type timelinesSim struct {
	tl           *Timelines
	shards       int
	wcost, rcost time.Duration
	doneFn       harness.EventFunc
	page         []uint32
	wcostSum     time.Duration
	rcostSum     time.Duration
}

// do runs one op on the timelines and returns its cost and shard.
func (t *timelinesSim) do(op *workloads.Op) (time.Duration, int32) {
	user := int(mix64(op.Key) % uint64(len(t.tl.home)))
	var cost time.Duration
	switch op.Kind {
	case workloads.Insert, workloads.Update, workloads.RMW:
		_, n := t.tl.Tweet(user)
		cost = t.wcost * time.Duration(1+n)
		t.wcostSum += cost
	default:
		var n int
		t.page, n = t.tl.Read(user, t.page)
		cost = t.rcost * time.Duration(n)
		t.rcostSum += cost
	}
	return cost, int32(user % t.shards)
}

func (t *timelinesSim) Start(w *harness.World, req *harness.Request) {
	cost, shard := t.do(&req.Op)
	w.After(cost, t.doneFn, req, int64(shard))
}

// completeShard completes req served by shard arg.
func completeShard(w *harness.World, req *harness.Request, shard int64) {
	w.Complete(req, harness.Outcome{Shard: int32(shard)})
}

func (t *timelinesSim) Metrics() map[string]float64 {
	tl := t.tl
	m := map[string]float64{
		"tweets":                      float64(tl.Tweets),
		"reads":                       float64(tl.Reads),
		"celebrities":                 float64(tl.Celebrities),
		"followers_max":               float64(len(tl.g.Followers[0])),
		"fanout_writes":               float64(tl.FanoutWrites),
		"fanout_writes_per_tweet_max": float64(tl.MaxFanout),
		"read_merge_sources_max":      float64(tl.MaxSources),
		"timeline_entries":            float64(tl.Entries),
		"timeline_bytes":              float64(tl.Entries * TimelineEntryBytes),
		"timeline_evictions":          float64(tl.Evictions),
	}
	if tl.Tweets > 0 {
		m["fanout_writes_per_tweet"] = float64(tl.FanoutWrites) / float64(tl.Tweets)
	}
	if tl.Reads > 0 {
		m["read_merge_sources"] = float64(tl.MergeSources) / float64(tl.Reads)
	}
	if ops := tl.Tweets + tl.Reads; ops > 0 && (t.wcost > 0 || t.rcost > 0) {
		m["write_cost_per_op_ns"] = float64(t.wcostSum) / float64(ops)
		m["read_cost_per_op_ns"] = float64(t.rcostSum) / float64(ops)
		m["cost_per_op_ns"] = float64(t.wcostSum+t.rcostSum) / float64(ops)
	}
	return m
}

// mix64 scrambles a key (SplitMix64's finaliser) so that users are not
// ranked by key: inserts take fresh sequential keys, and user 0 is the most
// followed account.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// timelinesWall runs the same timelines on the wall clock behind one mutex:
// the real CPU cost of a fan-out and of a merge.
type timelinesWall struct {
	mu sync.Mutex
	timelinesSim
}

func (t *timelinesWall) Do(_ time.Duration, op *workloads.Op) harness.Outcome {
	t.mu.Lock()
	_, shard := t.do(op)
	t.mu.Unlock()
	return harness.Outcome{Shard: shard}
}

func (t *timelinesWall) Metrics() map[string]float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.timelinesSim.Metrics()
}
