package casestudy

import (
	"fmt"
	"github.com/dsbench/dsbench/algorithms/internal/slots"
	"slices"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/hashing"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
	"github.com/dsbench/dsbench/workloads"
)

// Instagram's stack ("What Powers Instagram", "Sharding & IDs at Instagram",
// 2011–2012) on the shared cluster: media rows in PostgreSQL logical shards
// (the user's shard, carried in the media id by the id scheme of ids.go)
// mapped onto db_hosts; a Memcached tier of cache_hosts (an LRU with a TTL
// each, keys placed by consistent hashing, optional leases against the
// thundering herd); Redis feed lists filled by fan-out on write, done by
// async workers from a queue. Node layout: DB hosts, then cache hosts, then
// Redis hosts, then workers.

// Message kinds on the cluster.
const (
	igFeedGet  simnet.Kind = iota // client → redis: LRANGE a feed (or a profile list)
	igFeedList                    // redis → client: the media ids
	igCacheGet                    // client → memcached: multiget (or one key on a lease retry)
	igCacheRes                    // memcached → client: hits, misses, lease waits
	igDBRead                      // client → postgres: SELECT a media row
	igDBRow                       // postgres → client
	igCacheSet                    // client → memcached: fill after a miss
	igDBWrite                     // client → postgres: INSERT a media row
	igDBAck                       // postgres → client
	igJob                         // queue → worker: fan a media out
	igPush                        // worker → redis: LPUSH+LTRIM to the followers' feeds on that host
)

var igKinds = []string{"feed_get", "feed_list", "cache_get", "cache_result", "db_read", "db_row", "cache_set", "db_write", "db_ack", "fanout_job", "feed_push"}

// igPay is the payload: the op's slot and generation, a media index and an
// item (a position in the op's media list, −1 for every item on host).
type igPay struct {
	slot  int32
	gen   uint32
	media int32
	item  int16
	host  int16
}

// Item states of a read, decided by the cache host.
const (
	igPending uint8 = iota
	igHit
	igMiss // this read refills: from the DB
	igWait // another read holds the lease: retry after lease_wait
	igDone
)

// igOp is an op in flight.
type igOp struct {
	req     *harness.Request
	gen     uint32
	live    bool
	write   bool
	user    int32
	media   []int32 // feed items read from redis
	state   []uint8
	lease   []uint32 // lease token held per item (0: none)
	retried []bool   // item has been looked up before (a lease retry)
	pending int
	shard   int32 // first DB host queried (reads) or written (posts); -1 none
}

// igLease is a key's outstanding lease on a cache host.
type igLease struct {
	token uint32
	until time.Duration
}

// InstagramStack is the model's state; igSim drives it on the cluster.
type InstagramStack struct {
	G       *FollowGraph
	UserID  []uint64 // graph node (popularity rank) → user id, which decides the shard
	IDs     *IDGen
	Map     ShardMap
	Ring    *hashing.Ring
	Caches  []*LRU
	leases  []map[uint64]igLease
	token   uint32
	Feeds   []tlRing // per user: media indices of the followees' posts, capped
	Profile []tlRing // per user: its own media, capped
	FeedCap int

	// Per media (index = post order): its id, author, cache host, the DB
	// host that stored its row (−1 until written), fan-out state.
	MediaID   []uint64
	Author    []int32
	cacheHost []int16
	RowHost   []int16
	postedAt  []time.Duration
	fanLeft   []int16 // redis hosts still to apply
	FanDone   []bool
	inflight  []int32  // DB reads of the media outstanding (miss → row)
	applied   []uint64 // per media × Redis host: the order its push was applied there (0: not yet)
	applies   uint64
	redis     int

	DBReads, DBWrites []uint64 // per DB host
}

// NewInstagramStack builds the stack's state over a follower graph: the id
// scheme over logical shards, the shard map onto dbHosts, cacheHosts LRUs of
// cacheSize entries on a consistent-hash ring (vnodes points each), and
// capped feed lists.
func NewInstagramStack(g *FollowGraph, logical, dbHosts, cacheHosts, redisHosts, vnodes, cacheSize int, ttl time.Duration, feedCap int) (*InstagramStack, error) {
	ids, err := NewIDGen(logical, 0, OverflowWait)
	if err != nil {
		return nil, err
	}
	sm, err := NewShardMap(logical, dbHosts)
	if err != nil {
		return nil, err
	}
	nodes, err := hashing.Nodes(cacheHosts, nil)
	if err != nil {
		return nil, err
	}
	ring, err := hashing.NewRing(nodes, vnodes, hashing.XXHash)
	if err != nil {
		return nil, err
	}
	n := len(g.Followers)
	s := &InstagramStack{G: g, UserID: make([]uint64, n), IDs: ids, Map: sm, Ring: ring, Feeds: make([]tlRing, n), Profile: make([]tlRing, n), FeedCap: feedCap, redis: redisHosts,
		DBReads: make([]uint64, dbHosts), DBWrites: make([]uint64, dbHosts)}
	for u := range s.UserID {
		s.UserID[u] = uint64(u)
	}
	for range cacheHosts {
		s.Caches = append(s.Caches, NewLRU(cacheSize, ttl))
		s.leases = append(s.leases, map[uint64]igLease{})
	}
	return s, nil
}

// NewMedia gives a post by author (a graph node) at time now its id from
// the logical shard of the author's user id (the id scheme: the shard bits of the id are the user's
// shard) and returns its index and the DB host its row goes to.
func (s *InstagramStack) NewMedia(author int, now time.Duration) (m int32, dbHost int) {
	id, _ := s.IDs.Next(s.Map.Shard(s.UserID[author]), now)
	_, shard, _ := SplitID(id)
	m = int32(len(s.MediaID))
	s.MediaID = append(s.MediaID, id)
	s.Author = append(s.Author, int32(author))
	s.cacheHost = append(s.cacheHost, int16(s.Ring.Locate(id)))
	s.RowHost = append(s.RowHost, -1)
	s.postedAt = append(s.postedAt, now)
	s.fanLeft = append(s.fanLeft, 0)
	s.FanDone = append(s.FanDone, false)
	s.inflight = append(s.inflight, 0)
	for range s.redis {
		s.applied = append(s.applied, 0)
	}
	return m, s.Map.Server(int(shard))
}

// MediaDBHost is the DB host of a media's row, from its id's shard bits.
func (s *InstagramStack) MediaDBHost(m int32) int {
	_, shard, _ := SplitID(s.MediaID[m])
	return s.Map.Server(int(shard))
}

// pushFeeds applies a media's fan-out on one Redis host: LPUSH to the
// feed of every follower held there (user mod redis hosts), and to the
// author's profile list if it lives there. It returns the lists written.
func (s *InstagramStack) pushFeeds(m int32, host int) int {
	redisHosts := s.redis
	s.applies++
	s.applied[int(m)*redisHosts+host] = s.applies
	a := int(s.Author[m])
	n := 0
	for _, f := range s.G.Followers[a] {
		if int(f)%redisHosts == host {
			s.Feeds[f].push(uint32(m), s.FeedCap)
			n++
		}
	}
	if a%redisHosts == host {
		s.Profile[a].push(uint32(m), s.FeedCap)
		n++
	}
	return n
}

// CheckFeeds checks fan-out on write against the follower graph: every
// media whose fan-out is done is in each follower's feed and its author's
// profile unless that list is full of media applied after it on the same
// Redis host (LTRIM dropped it), and every list entry is a media of an
// author the list's owner follows (its own, for a profile), newest first.
func (s *InstagramStack) CheckFeeds() error {
	in := make([]map[int32]bool, len(s.Feeds))
	inP := make([]map[int32]bool, len(s.Profile))
	seq := func(m int32, u int) uint64 { return s.applied[int(m)*s.redis+u%s.redis] }
	for u := range s.Feeds {
		in[u], inP[u] = map[int32]bool{}, map[int32]bool{}
		for _, l := range []struct {
			r   *tlRing
			set map[int32]bool
		}{{&s.Feeds[u], in[u]}, {&s.Profile[u], inP[u]}} {
			for k := range l.r.ids {
				m := int32(l.r.at(k))
				l.set[m] = true
				if k > 0 && seq(m, u) >= seq(int32(l.r.at(k-1)), u) {
					return fmt.Errorf("user %d: list entry %d (media %d) is not older than the one before it", u, k, m)
				}
				a := s.Author[m]
				if l.r == &s.Profile[u] {
					if int(a) != u {
						return fmt.Errorf("user %d: profile holds media %d of user %d", u, m, a)
					}
				} else if _, ok := slices.BinarySearch(s.G.Following[u], a); !ok {
					return fmt.Errorf("user %d: feed holds media %d of user %d, whom it does not follow", u, m, a)
				}
			}
		}
	}
	trimmed := func(r *tlRing, m int32, u int) bool { // the list is full of newer media
		if len(r.ids) < s.FeedCap {
			return false
		}
		return seq(int32(r.at(len(r.ids)-1)), u) > seq(m, u)
	}
	for m := range s.MediaID {
		mi := int32(m)
		if !s.FanDone[m] {
			continue
		}
		a := int(s.Author[m])
		if !inP[a][mi] && !trimmed(&s.Profile[a], mi, a) {
			return fmt.Errorf("media %d is missing from its author %d's profile", m, a)
		}
		for _, f := range s.G.Followers[a] {
			if !in[f][mi] && !trimmed(&s.Feeds[f], mi, int(f)) {
				return fmt.Errorf("media %d of user %d is missing from follower %d's feed (%d of %d entries)", m, a, f, len(s.Feeds[f].ids), s.FeedCap)
			}
		}
	}
	return nil
}

// cacheGet is a memcached get of media m's key on cache host h at now. With
// leases, a miss takes the key's lease (igMiss, token > 0) unless another
// read holds a live one (igWait).
func (s *InstagramStack) cacheGet(h int, m int32, now time.Duration, lease bool, leaseTimeout time.Duration) (uint8, uint32) {
	key := s.MediaID[m]
	if s.Caches[h].Get(key, now) {
		return igHit, 0
	}
	if !lease {
		return igMiss, 0
	}
	if l, ok := s.leases[h][key]; ok && now < l.until {
		return igWait, 0
	}
	s.token++
	if s.token == 0 {
		s.token = 1
	}
	s.leases[h][key] = igLease{token: s.token, until: now + leaseTimeout}
	return igMiss, s.token
}

// cacheSet fills m's key on host h. With leases the set is taken only with
// the key's current lease token, which it releases (a stale token — the
// lease expired and was granted again — is refused).
func (s *InstagramStack) cacheSet(h int, m int32, token uint32, now time.Duration, lease bool) bool {
	key := s.MediaID[m]
	if lease {
		l, ok := s.leases[h][key]
		if !ok || l.token != token {
			return false
		}
		delete(s.leases[h], key)
	}
	s.Caches[h].Set(key, now)
	return true
}

// igSim runs the stack on the cluster.
type igSim struct {
	st      *InstagramStack
	cluster algorithms.Cluster
	cfg     igConfig
	w       *harness.World
	nt      *simnet.Net[igPay]

	ops  []igOp
	free slots.Free

	queue       []int32 // fan-out jobs waiting for a worker (media indices)
	qhead       int
	idleWorkers []int
	queueMax    int

	expireFn, retryFn, workerDoneFn, pushedFn harness.EventFunc

	readHist, lagHist *hdr.Histogram

	lookups, firstLookups, firstHits, retries, leaseWaits, herd, sets, setsRefused uint64
	rowMissing, timeouts, posts, reads, pushes, fanouts                            uint64
	lastNow                                                                        time.Duration
}

type igConfig struct {
	dbHosts, cacheHosts, redisHosts, workers int
	users, follows                           int
	theta                                    float64
	logical, vnodes, cacheSize, feedCap      int
	page, preload                            int
	ttl, leaseWait, leaseTimeout, timeout    time.Duration
	lease                                    bool
	dbRead, dbWrite                          workloads.DurationDist
	cacheCost, redisCost, fanoutCost         time.Duration
}

func (c *igConfig) cacheNode(h int) int  { return c.dbHosts + h }
func (c *igConfig) redisNode(h int) int  { return c.dbHosts + c.cacheHosts + h }
func (c *igConfig) workerNode(k int) int { return c.dbHosts + c.cacheHosts + c.redisHosts + k }
func (c *igConfig) nodes() int           { return c.dbHosts + c.cacheHosts + c.redisHosts + c.workers }

// Setup builds the follower graph and the stack from the world's source,
// preloads media (rows written, fan-out applied, caches warm) and wires the
// cluster's handlers.
func (s *igSim) Setup(w *harness.World) {
	s.w = w
	c := &s.cfg
	g, err := NewFollowGraph(c.users, c.follows, c.theta, w.Rand())
	if err != nil {
		panic(err) // checked by igCheck
	}
	st, err := NewInstagramStack(g, c.logical, c.dbHosts, c.cacheHosts, c.redisHosts, c.vnodes, c.cacheSize, c.ttl, c.feedCap)
	if err != nil {
		panic(err)
	}
	s.st = st
	// User ids are a random permutation of popularity ranks: the most
	// followed users are not numbered first, so they do not all fall in the
	// first logical shards (contiguous ranges of which share a DB host).
	for u, id := range w.Rand().Perm(c.users) {
		st.UserID[u] = uint64(id)
	}
	for range c.preload {
		m, host := st.NewMedia(w.Rand().IntN(c.users), 0)
		st.RowHost[m] = int16(host)
		for h := range c.redisHosts {
			st.pushFeeds(m, h)
		}
		st.FanDone[m] = true
		// A warm cache: the row was last set at a uniform time within the
		// last cache_ttl, so preloaded keys expire spread over the first ttl.
		at := -time.Duration(w.Rand().Int64N(int64(max(c.ttl, 1))))
		st.Caches[st.cacheHost[m]].Set(st.MediaID[m], at)
	}
	for _, lc := range st.Caches {
		lc.Sets = 0
		lc.Evictions = 0
	}
	nt, err := algorithms.NewNet[igPay](w, s.cluster, igKinds)
	if err != nil {
		panic(err)
	}
	s.nt = nt
	for i := 0; i < c.dbHosts; i++ {
		nt.Handle(i, s.atDB)
	}
	for h := range c.cacheHosts {
		nt.Handle(c.cacheNode(h), s.atCache)
	}
	for h := range c.redisHosts {
		nt.Handle(c.redisNode(h), s.atRedis)
	}
	for k := range c.workers {
		nt.Handle(c.workerNode(k), s.atWorker)
		s.idleWorkers = append(s.idleWorkers, k)
	}
	nt.HandleClients(s.atClient)
	if err := nt.Schedule(s.cluster.Faults); err != nil {
		panic(err)
	}
}

func (s *igSim) slot(req *harness.Request) (int32, *igOp) {
	i := slots.Take(&s.free, &s.ops)
	o := &s.ops[i]
	if o.state == nil { // a new record: its per-item buffers, reused from now on
		p := s.cfg.page
		o.media, o.state, o.lease, o.retried = make([]int32, 0, p), make([]uint8, p), make([]uint32, p), make([]bool, p)
	}
	o.req, o.gen, o.live, o.pending, o.shard = req, o.gen+1, true, 0, -1
	o.media = o.media[:0]
	return i, o
}

func (s *igSim) get(p igPay) *igOp {
	if p.slot < 0 || int(p.slot) >= len(s.ops) {
		return nil
	}
	o := &s.ops[p.slot]
	if !o.live || o.gen != p.gen {
		return nil
	}
	return o
}

// Start: a post (insert/update) takes an id from the author's logical shard
// and writes the row to its DB host; a feed read (read) or a profile page
// (scan) asks the user's Redis host for the list.
func (s *igSim) Start(w *harness.World, req *harness.Request) {
	c := &s.cfg
	user := int32(req.Op.Key % uint64(c.users))
	switch req.Op.Kind {
	case workloads.Read, workloads.Scan, workloads.Insert, workloads.Update:
	default:
		w.Complete(req, harness.Outcome{Shard: -1, Err: fmt.Errorf("casestudy/instagram-stack: op kind %s is not modelled (valid: read, scan, insert, update)", req.Op.Kind)})
		return
	}
	i, o := s.slot(req)
	o.user = user
	w.After(c.timeout, s.expireFn, nil, int64(i)<<32|int64(o.gen))
	if req.Op.Kind == workloads.Insert || req.Op.Kind == workloads.Update {
		o.write = true
		m, host := s.st.NewMedia(int(user), w.Now())
		o.shard = int32(host)
		s.nt.FromClient(host, igDBWrite, igPay{slot: i, gen: o.gen, media: m})
		return
	}
	o.write = false
	var item int16
	if req.Op.Kind == workloads.Scan {
		item = 1 // the profile list
	}
	s.nt.FromClient(c.redisNode(int(user)%c.redisHosts), igFeedGet, igPay{slot: i, gen: o.gen, item: item})
}

// atRedis serves LRANGE (the newest page entries of a feed or a profile)
// and the workers' pushes.
func (s *igSim) atRedis(msg *simnet.Msg[igPay]) {
	p := msg.Payload
	c := &s.cfg
	if msg.Kind == igPush {
		n := s.st.pushFeeds(p.media, int(p.host))
		s.pushes += uint64(n)
		done := s.nt.Work(msg.To, c.redisCost*time.Duration(max(n, 1)))
		s.nt.After(msg.To, done-s.w.Now(), s.pushedFn, nil, int64(p.media))
		return
	}
	o := s.get(p)
	if o == nil {
		return
	}
	l := &s.st.Feeds[o.user]
	if p.item == 1 {
		l = &s.st.Profile[o.user]
	}
	for k := 0; k < c.page && k < len(l.ids); k++ {
		o.media = append(o.media, int32(l.at(k)))
	}
	s.nt.Work(msg.To, c.redisCost)
	s.nt.ToClient(msg.To, igFeedList, p)
}

// atCache serves a multiget (item −1: every item of the op on this host) or
// one key (a lease retry), and fills after misses.
func (s *igSim) atCache(msg *simnet.Msg[igPay]) {
	p := msg.Payload
	c := &s.cfg
	h := msg.To - c.dbHosts
	now := s.w.Now()
	if msg.Kind == igCacheSet {
		if s.st.cacheSet(h, p.media, uint32(p.gen), now, c.lease) {
			s.sets++
		} else {
			s.setsRefused++
		}
		s.nt.Work(msg.To, c.cacheCost)
		return
	}
	o := s.get(p)
	if o == nil {
		return
	}
	n := 0
	for k, m := range o.media {
		if (p.item >= 0 && k != int(p.item)) || (p.item < 0 && int(s.st.cacheHost[m]) != h) || o.state[k] != igPending {
			continue
		}
		st, tok := s.st.cacheGet(h, m, now, c.lease, c.leaseTimeout)
		o.state[k], o.lease[k] = st, tok
		s.lookups++
		if !o.retried[k] {
			s.firstLookups++
			if st == igHit {
				s.firstHits++
			}
		} else {
			s.retries++
		}
		if st == igWait {
			s.leaseWaits++
		}
		n++
	}
	s.nt.Work(msg.To, c.cacheCost*time.Duration(max(n, 1)))
	p.host = int16(h)
	s.nt.ToClient(msg.To, igCacheRes, p)
}

// atDB executes a media row's SELECT or INSERT on the host's one processor.
func (s *igSim) atDB(msg *simnet.Msg[igPay]) {
	p := msg.Payload
	c := &s.cfg
	if msg.Kind == igDBWrite {
		if s.get(p) == nil {
			return
		}
		s.st.DBWrites[msg.To]++
		s.st.RowHost[p.media] = int16(msg.To)
		s.nt.Work(msg.To, c.dbWrite.Next(s.w.Rand()))
		s.nt.ToClient(msg.To, igDBAck, p)
		return
	}
	s.st.DBReads[msg.To]++
	if int(s.st.RowHost[p.media]) != msg.To {
		s.rowMissing++
	}
	s.nt.Work(msg.To, c.dbRead.Next(s.w.Rand()))
	s.nt.ToClient(msg.To, igDBRow, p)
}

// atClient is the app servers: they drive each op's next step.
func (s *igSim) atClient(msg *simnet.Msg[igPay]) {
	p := msg.Payload
	c := &s.cfg
	if msg.Kind == igDBRow {
		s.st.inflight[p.media]--
	}
	o := s.get(p)
	if o == nil {
		return
	}
	switch msg.Kind {
	case igDBAck: // the post returns; the fan-out is queued
		s.posts++
		s.st.postedAt[p.media] = s.w.Now()
		s.queue = append(s.queue, p.media)
		s.queueMax = max(s.queueMax, len(s.queue)-s.qhead)
		s.dispatch()
		s.finish(p.slot, nil)
	case igFeedList:
		if len(o.media) == 0 {
			s.finish(p.slot, nil)
			return
		}
		o.pending = len(o.media)
		var hosts uint64
		for k, m := range o.media {
			o.state[k], o.lease[k], o.retried[k] = igPending, 0, false
			hosts |= 1 << uint(s.st.cacheHost[m])
		}
		for h := range c.cacheHosts {
			if hosts&(1<<uint(h)) != 0 {
				s.nt.FromClient(c.cacheNode(h), igCacheGet, igPay{slot: p.slot, gen: p.gen, item: -1})
			}
		}
	case igCacheRes:
		for k, m := range o.media {
			if (p.item >= 0 && k != int(p.item)) || (p.item < 0 && s.st.cacheHost[m] != p.host) {
				continue
			}
			switch o.state[k] {
			case igHit:
				s.resolve(p.slot, o, k)
				if !o.live {
					return
				}
			case igMiss:
				if s.st.inflight[m] > 0 {
					s.herd++ // another read of this key is already at the DB
				}
				s.st.inflight[m]++
				host := s.st.MediaDBHost(m)
				if o.shard < 0 {
					o.shard = int32(host)
				}
				s.nt.FromClient(host, igDBRead, igPay{slot: p.slot, gen: p.gen, media: m, item: int16(k)})
			case igWait:
				o.state[k], o.retried[k] = igPending, true
				s.w.After(c.leaseWait, s.retryFn, nil, int64(p.slot)<<32|int64(o.gen&0xffff)<<16|int64(k))
			}
		}
	case igDBRow:
		k := int(p.item)
		m := o.media[k]
		s.nt.FromClient(c.cacheNode(int(s.st.cacheHost[m])), igCacheSet, igPay{slot: -1, gen: o.lease[k], media: m})
		s.resolve(p.slot, o, k)
	}
}

func (s *igSim) resolve(slot int32, o *igOp, k int) {
	o.state[k] = igDone
	if o.pending--; o.pending == 0 {
		s.finish(slot, nil)
	}
}

// retry looks a lease-waiting item up again.
func (s *igSim) retry(_ *harness.World, _ *harness.Request, arg int64) {
	slot, gen, k := int32(arg>>32), uint32(arg>>16)&0xffff, int16(arg&0xffff)
	o := &s.ops[slot]
	if !o.live || o.gen&0xffff != gen {
		return
	}
	m := o.media[k]
	s.nt.FromClient(s.cfg.cacheNode(int(s.st.cacheHost[m])), igCacheGet, igPay{slot: slot, gen: o.gen, item: k})
}

// dispatch hands queued fan-out jobs to idle workers, oldest first.
func (s *igSim) dispatch() {
	for len(s.idleWorkers) > 0 && s.qhead < len(s.queue) {
		m := s.queue[s.qhead]
		s.qhead++
		k := s.idleWorkers[len(s.idleWorkers)-1]
		s.idleWorkers = s.idleWorkers[:len(s.idleWorkers)-1]
		s.nt.FromClient(s.cfg.workerNode(k), igJob, igPay{slot: -1, media: m, host: int16(k)})
	}
	if s.qhead == len(s.queue) {
		s.queue, s.qhead = s.queue[:0], 0
	}
}

// atWorker: a worker spends fanout_cost per list written (each follower's
// feed and the author's profile), then pipelines the pushes to every Redis
// host and takes the next job.
func (s *igSim) atWorker(msg *simnet.Msg[igPay]) {
	p := msg.Payload
	c := &s.cfg
	n := len(s.st.G.Followers[s.st.Author[p.media]]) + 1
	done := s.nt.Work(msg.To, c.fanoutCost*time.Duration(n))
	s.st.fanLeft[p.media] = int16(c.redisHosts)
	for h := range c.redisHosts {
		s.nt.Send(msg.To, c.redisNode(h), igPush, igPay{slot: -1, media: p.media, host: int16(h)})
	}
	s.nt.After(msg.To, done-s.w.Now(), s.workerDoneFn, nil, int64(p.host))
}

func (s *igSim) workerDone(_ *harness.World, _ *harness.Request, k int64) {
	s.idleWorkers = append(s.idleWorkers, int(k))
	s.dispatch()
}

// pushed: one Redis host applied its share of a media's fan-out.
func (s *igSim) pushed(w *harness.World, _ *harness.Request, arg int64) {
	m := int32(arg)
	if s.st.fanLeft[m]--; s.st.fanLeft[m] == 0 {
		s.st.FanDone[m] = true
		s.fanouts++
		_ = s.lagHist.RecordValue(int64(w.Now() - s.st.postedAt[m]))
	}
}

func (s *igSim) expire(_ *harness.World, _ *harness.Request, arg int64) {
	slot, gen := int32(arg>>32), uint32(arg)
	if o := &s.ops[slot]; o.live && o.gen == gen {
		s.timeouts++
		s.finish(slot, errIGTimeout)
	}
}

var errIGTimeout = fmt.Errorf("casestudy/instagram-stack: op not done within op_timeout")

func (s *igSim) finish(slot int32, err error) {
	now := s.w.Now()
	s.lastNow = now
	o := &s.ops[slot]
	req := o.req
	if !o.write && err == nil {
		s.reads++
		_ = s.readHist.RecordValue(int64(now - req.Sent))
	}
	o.live, o.req = false, nil
	s.free.Put(slot)
	s.w.Complete(req, harness.Outcome{Shard: o.shard, Err: err})
}

// Metrics: see NOTES.md.
func (s *igSim) Metrics() map[string]float64 {
	m := algorithms.ClusterMetrics(s.nt, s.posts+s.reads, s.lastNow)
	ms := func(d int64) float64 { return float64(d) / 1e6 }
	var hits, misses, expired, evictions uint64
	for _, c := range s.st.Caches {
		hits += c.Hits
		misses += c.Misses
		expired += c.Expired
		evictions += c.Evictions
	}
	for k, v := range map[string]float64{
		"posts": float64(s.posts), "feed_reads": float64(s.reads), "timeouts": float64(s.timeouts),
		"cache_lookups": float64(s.lookups), "cache_hits": float64(hits), "cache_misses": float64(misses),
		"cache_expired": float64(expired), "cache_evictions": float64(evictions),
		"cache_sets": float64(s.sets), "cache_sets_refused": float64(s.setsRefused),
		"lease_waits": float64(s.leaseWaits), "lease_retries": float64(s.retries),
		"herd_misses": float64(s.herd), "db_row_missing": float64(s.rowMissing),
		"feed_pushes": float64(s.pushes), "fanouts_done": float64(s.fanouts),
		"fanout_backlog": float64(len(s.queue) - s.qhead), "fanout_queue_max": float64(s.queueMax),
		"media": float64(len(s.st.MediaID)), "followers_max": float64(len(s.st.G.Followers[0])),
	} {
		m[k] = v
	}
	if s.firstLookups > 0 {
		m["hit_ratio"] = float64(s.firstHits) / float64(s.firstLookups)
	}
	if s.reads > 0 {
		m["feed_read_p50_ms"] = ms(s.readHist.ValueAtQuantile(50))
		m["feed_read_p99_ms"] = ms(s.readHist.ValueAtQuantile(99))
	}
	if s.fanouts > 0 {
		m["fanout_lag_p50_ms"] = ms(s.lagHist.ValueAtQuantile(50))
		m["fanout_lag_p99_ms"] = ms(s.lagHist.ValueAtQuantile(99))
		m["fanout_lag_max_ms"] = ms(s.lagHist.Max())
	}
	var sum, hi uint64
	var sumSq, util float64
	for h := range s.cfg.dbHosts {
		q := s.st.DBReads[h] + s.st.DBWrites[h]
		m[fmt.Sprintf("db_load_%d", h)] = float64(q)
		sum += q
		sumSq += float64(q) * float64(q)
		hi = max(hi, q)
		if s.lastNow > 0 {
			util = max(util, float64(s.nt.CPUBusy(h))/float64(s.lastNow))
		}
	}
	m["db_queries"] = float64(sum)
	m["db_util_max"] = util
	if sum > 0 {
		// db_load is the shard fairness the issue names: the busiest DB
		// host's queries over the mean (1 = every host equally loaded);
		// db_load_jain is Jain's index over the hosts (1 = fair, 1/hosts =
		// one host takes everything).
		n := float64(s.cfg.dbHosts)
		m["db_load"] = float64(hi) / (float64(sum) / n)
		m["db_load_jain"] = float64(sum) * float64(sum) / (n * sumSq)
	}
	return m
}
