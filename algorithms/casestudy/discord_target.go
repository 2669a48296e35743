package casestudy

import (
	"fmt"
	"github.com/dsbench/dsbench/algorithms/internal/slots"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/dynamo"
	"github.com/dsbench/dsbench/algorithms/hashing"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
	"github.com/dsbench/dsbench/workloads"
)

// DiscordWorkload: Zipf-hot channels (θ = 1.1 over 10,000), 90% reads of a
// channel's latest messages, 10% messages sent, 20,000 ops/s.
const DiscordWorkload = "mix=read:0.9,update:0.1 keys=zipf:theta=1.1,n=10000 arrival=poisson:rate=20000"

var discordParams = []algorithms.Param{
	algorithms.Param{Name: "channels", Type: algorithms.Int, Default: "10000", Doc: "channels; op.Key mod channels is the channel (Zipf keys make hot channels: key 0 is the hottest)"}.Range(1, 1e8),
	algorithms.Param{Name: "hot_channels", Type: algorithms.Int, Default: "10", Doc: "channels 0 … hot_channels−1 count as hot in hot_p99_ms; the rest in cold_p99_ms"}.Range(0, 1e8),
	algorithms.Param{Name: "bucket", Type: algorithms.Duration, Default: "1s", Doc: "time span of one partition (Discord: 10 days; short here so a run crosses buckets)"}.Range(float64(time.Millisecond), float64(1000*time.Hour)),
	{Name: "coalesce", Type: algorithms.Bool, Default: "true", Doc: "the data service merges concurrent identical reads into one database query"},
	algorithms.Param{Name: "page", Type: algorithms.Int, Default: "50", Doc: "messages a read wants; it walks back through older buckets until it has them"}.Range(1, 1e4),
	algorithms.Param{Name: "max_buckets", Type: algorithms.Int, Default: "3", Doc: "buckets a read queries at most"}.Range(1, 1000),
	algorithms.Param{Name: "rf", Type: algorithms.Int, Default: "3", Doc: "replication factor: a partition lives on the first rf distinct nodes clockwise on the token ring"}.Range(1, dynamo.MaxNodes),
	algorithms.Param{Name: "vnodes", Type: algorithms.Int, Default: "16", Doc: "tokens per node on the ring (Cassandra's num_tokens)"}.Range(1, 4096),
	{Name: "consistency", Type: algorithms.Enum, Default: "quorum", Choices: []string{"quorum", "one"}, Doc: "replicas that must answer a read or acknowledge a write: ⌊rf/2⌋+1 (quorum: a read sees every acknowledged write) or one"},
	{Name: "engine", Type: algorithms.Enum, Default: "cassandra", Choices: []string{"cassandra", "scylla"}, Doc: "cassandra: stop-the-world GC pauses, compaction in one chunk that queries wait behind; scylla: no GC, compaction in task_quota slices its scheduler interleaves with queries (shard-per-core, cooperative)"},
	{Name: "db_service", Type: algorithms.Dist, Default: "exp:mean=50us", Doc: "a replica's CPU time to read one partition"},
	{Name: "write_service", Type: algorithms.Dist, Default: "exp:mean=20us", Doc: "a replica's CPU time to apply one message write"},
	algorithms.Param{Name: "gc_pause", Type: algorithms.Duration, Default: "100ms", Doc: "engine=cassandra: length of a stop-the-world GC pause"}.Range(0, float64(time.Minute)),
	algorithms.Param{Name: "gc_every", Type: algorithms.Duration, Default: "5s", Doc: "engine=cassandra: mean time between a node's GC pauses (exponential; 0s: none)"}.Range(0, float64(time.Hour)),
	algorithms.Param{Name: "compact_every", Type: algorithms.Duration, Default: "2s", Doc: "mean time between a node's compactions (exponential; 0s: none)"}.Range(0, float64(time.Hour)),
	algorithms.Param{Name: "compact_work", Type: algorithms.Duration, Default: "20ms", Doc: "CPU time of one compaction"}.Range(0, float64(time.Minute)),
	algorithms.Param{Name: "task_quota", Type: algorithms.Duration, Default: "500us", Doc: "engine=scylla: the scheduler's slice of background work between queries"}.Range(float64(time.Microsecond), float64(time.Second)),
	algorithms.Param{Name: "op_timeout", Type: algorithms.Duration, Default: "2s", Doc: "the data service fails a database request not answered within this"}.Range(float64(time.Millisecond), float64(time.Hour)),
}

// discordCluster: the database nodes are the shared cluster's nodes (6 by
// default; the data service and API are its clients). Loss and duplication
// are not offered: a lost replica request is not retried (the op times out).
var discordCluster = &algorithms.ClusterSpec{
	Defaults: map[string]string{simnet.ParamNodes: "6"},
	MaxNodes: dynamo.MaxNodes,
	Omit:     []string{simnet.ParamLoss, simnet.ParamDup},
}

func discordInfo() algorithms.Info {
	return algorithms.Info{
		Name:         "casestudy/discord-messages",
		Description:  "Discord messages on a Cassandra/ScyllaDB-like cluster: (channel, time bucket) partitions on a token ring, rf replicas, quorum reads and writes, GC and compaction pauses, read coalescing in the data service (virtual time)",
		Params:       discordParams,
		Workload:     DiscordWorkload,
		DefaultClock: algorithms.Virtual,
		Cluster:      discordCluster,
		Check:        discordCheck,
		NewSim: func(env algorithms.Env) (harness.SimTarget, error) {
			if err := discordCheck(env.Params); err != nil {
				return nil, err
			}
			return newDiscordSim(env)
		},
	}
}

func discordCheck(p algorithms.Params) error {
	if p.Dist("db_service").Mean() <= 0 {
		return fmt.Errorf("casestudy/discord-messages: db_service=%v has mean 0 (valid: a distribution with a positive mean, e.g. exp:mean=50us)", p.Dist("db_service"))
	}
	if n := p.Int(simnet.ParamNodes); p.Int("rf") > n {
		return fmt.Errorf("casestudy/discord-messages: rf=%d with nodes=%d (valid: rf 1 … nodes)", p.Int("rf"), n)
	}
	c, err := algorithms.ClusterOf(p)
	if err != nil {
		return err
	}
	for _, sel := range []simnet.Selector{c.Faults.Crash, c.Faults.Partition.A} {
		if sel.Kind == simnet.SelectLeader {
			return fmt.Errorf("casestudy/discord-messages: a Cassandra/ScyllaDB cluster has no leader to crash or isolate (valid: crash=NODE|random, partition=isolate:NODE|…)")
		}
	}
	return nil
}

// Message kinds on the cluster.
const (
	dQuery     simnet.Kind = iota // data service → coordinator: read a partition
	dWrite                        // data service → coordinator: store a message
	dRepRead                      // coordinator → replica
	dRepResult                    // replica → coordinator
	dRepWrite                     // coordinator → replica
	dRepAck                       // replica → coordinator
	dReply                        // coordinator → data service
)

var discordKinds = []string{"query", "write", "rep_read", "rep_result", "rep_write", "rep_ack", "reply"}

// dmsg is the payload: the partition, the data service's request slot and
// its generation, the coordinator's slot, and a partition's state (count
// and newest message id) in results, or the message id in a write.
type dmsg struct {
	part    PartKey
	req     int32
	gen     uint32
	coord   int32
	cgen    uint32 // the coordinator slot's generation: a late answer to a finished request is ignored
	count   uint64
	maxID   uint64
	touched uint64 // reply: the nodes that served the request (a bit each)
}

// partState is one replica's copy of a partition.
type partState struct{ count, maxID uint64 }

// dbReq is a database request of the data service (a read query, possibly
// coalesced, or a message write) in flight.
type dbReq struct {
	gen      uint32
	write    bool
	part     PartKey
	q        int32            // read: the coalescer's query slot
	req      *harness.Request // write: the op
	id       uint64           // write: the message id
	required uint64           // read: newest id acknowledged before the query began
	start    time.Duration
	touched  uint64 // nodes that served it (a bit each), for the pause attribution
	live     bool
}

// coordReq is a request at its coordinator, waiting for replicas.
type coordReq struct {
	cgen       uint32 // bumped each time the slot is reused
	node       int
	inc        uint64 // the coordinator's incarnation: a restart forgets it
	req        int32
	gen        uint32
	write      bool
	need, got  int
	count, max uint64
	touched    uint64
	live       bool
}

// discordSim: Discord's message store. A read asks the data service for a
// channel's latest page; the service queries (channel, current bucket),
// then older buckets while it has fewer than page messages, each query
// coalesced with an identical one in flight when coalesce is on. Queries
// and writes go, token-aware, to a random live replica of the partition,
// which coordinates: it serves its own copy and asks consistency−1 more
// replicas (reads) or all of them (writes), answering once enough did.
type discordSim struct {
	w        *harness.World
	cluster  algorithms.Cluster
	nt       *simnet.Net[dmsg]
	ring     *dynamo.Ring
	channels uint64
	hot      uint64
	bucket   time.Duration
	coalesce bool
	page     int
	maxBkts  int
	rf, cl   int
	scylla   bool
	readSvc  workloads.DurationDist
	writeSvc workloads.DurationDist
	gcPause  time.Duration
	gcEvery  time.Duration
	cEvery   time.Duration
	cWork    time.Duration
	quota    time.Duration
	timeout  time.Duration

	parts   *Partitions
	co      *Coalescer
	data    []map[PartKey]partState // per node
	acked   map[PartKey]uint64      // newest message id acknowledged to a client
	nextID  uint64
	reads   []discordRead
	freeRds slots.Free
	dbReqs  []dbReq
	freeDB  slots.Free
	coords  []coordReq
	freeCo  slots.Free
	scratch []int32
	pref    []int8

	// Background work per node: the last pause window (GC pause or a
	// compaction chunk of at least pauseMin), and compaction left to slice.
	pauseFrom, pauseTo []time.Duration
	compactLeft        []time.Duration

	hotH, coldH, pausedH, calmH *hdrhistogram.Histogram

	nReads, nWrites, readQueries, timeouts, rywViolations uint64
	gcPauses, compactions, pausedOps                      uint64
	lastNow                                               time.Duration

	timeoutFn, gcFn, compactFn, sliceFn harness.EventFunc
}

// discordRead is one read in flight: it walks from the newest bucket back.
type discordRead struct {
	req     *harness.Request
	channel uint32
	bucket  uint32
	got     int
	queried int
	shard   int32
	touched uint64
}

// pauseMin: background work shorter than this is not a pause (a slice).
const pauseMin = time.Millisecond

func newDiscordSim(env algorithms.Env) (*discordSim, error) {
	p := env.Params
	c, err := algorithms.ClusterOf(p)
	if err != nil {
		return nil, err
	}
	n := c.Net.Nodes
	ring, err := dynamo.NewRing(n, p.Int("vnodes"), hashing.XXHash)
	if err != nil {
		return nil, err
	}
	d := &discordSim{cluster: c, ring: ring, channels: uint64(p.Int("channels")), hot: uint64(p.Int("hot_channels")),
		bucket: p.Duration("bucket"), coalesce: p.Bool("coalesce"), page: p.Int("page"), maxBkts: p.Int("max_buckets"),
		rf: p.Int("rf"), scylla: p.String("engine") == "scylla", readSvc: p.Dist("db_service"), writeSvc: p.Dist("write_service"),
		gcPause: p.Duration("gc_pause"), gcEvery: p.Duration("gc_every"), cEvery: p.Duration("compact_every"),
		cWork: p.Duration("compact_work"), quota: p.Duration("task_quota"), timeout: p.Duration("op_timeout"),
		parts: NewPartitions(), co: NewCoalescer(), data: make([]map[PartKey]partState, n), acked: map[PartKey]uint64{},
		pauseFrom: make([]time.Duration, n), pauseTo: make([]time.Duration, n), compactLeft: make([]time.Duration, n),
		pref: make([]int8, 0, n)}
	d.cl = 1
	if p.String("consistency") == "quorum" {
		d.cl = d.rf/2 + 1
	}
	for i := range d.data {
		d.data[i] = map[PartKey]partState{}
	}
	for _, h := range []**hdrhistogram.Histogram{&d.hotH, &d.coldH, &d.pausedH, &d.calmH} {
		*h = hdrhistogram.New(1, int64(time.Hour), 3)
	}
	d.timeoutFn, d.gcFn, d.compactFn, d.sliceFn = d.expire, d.gc, d.compact, d.slice
	// The network is built on the run's world in Setup; check it now.
	_, err = algorithms.NewNet[dmsg](harness.NewWorld(0, nil), c, discordKinds)
	return d, err
}

// Setup builds the cluster on the run's world and starts every node's
// background work.
func (d *discordSim) Setup(w *harness.World) {
	d.w = w
	nt, err := algorithms.NewNet[dmsg](w, d.cluster, discordKinds)
	if err != nil {
		panic(err) // the same configuration was accepted at construction
	}
	d.nt = nt
	for i := 0; i < nt.Nodes(); i++ {
		nt.Handle(i, d.handle)
	}
	nt.HandleClients(d.reply)
	nt.OnRestart = d.background
	for i := 0; i < nt.Nodes(); i++ {
		d.background(i)
	}
	if err := nt.Schedule(d.cluster.Faults); err != nil {
		panic(err) // checked by discordCheck
	}
}

// background arms node's GC (cassandra) and compaction timers.
func (d *discordSim) background(node int) {
	r := d.w.Rand()
	if !d.scylla && d.gcEvery > 0 && d.gcPause > 0 {
		d.nt.After(node, time.Duration(r.ExpFloat64()*float64(d.gcEvery)), d.gcFn, nil, int64(node))
	}
	if d.cEvery > 0 && d.cWork > 0 {
		d.nt.After(node, time.Duration(r.ExpFloat64()*float64(d.cEvery)), d.compactFn, nil, int64(node))
	}
}

// pause books d of node's CPU for background work and records the window
// when it is long enough to count as a pause.
func (d *discordSim) pause(node int, dur time.Duration) {
	end := d.nt.Work(node, dur)
	if dur >= pauseMin {
		d.pauseFrom[node], d.pauseTo[node] = end-dur, end
	}
}

func (d *discordSim) gc(w *harness.World, _ *harness.Request, arg int64) {
	node := int(arg)
	d.gcPauses++
	d.pause(node, d.gcPause)
	d.nt.After(node, time.Duration(w.Rand().ExpFloat64()*float64(d.gcEvery)), d.gcFn, nil, arg)
}

// compact starts a compaction: Cassandra's runs as one chunk the node's
// queries queue behind; Scylla's scheduler runs it task_quota at a time,
// one slice per 2 × task_quota, so a query waits at most one slice.
func (d *discordSim) compact(w *harness.World, _ *harness.Request, arg int64) {
	node := int(arg)
	d.compactions++
	if d.scylla {
		start := d.compactLeft[node] == 0
		d.compactLeft[node] += d.cWork
		if start {
			d.slice(w, nil, arg)
		}
	} else {
		d.pause(node, d.cWork)
	}
	d.nt.After(node, time.Duration(w.Rand().ExpFloat64()*float64(d.cEvery)), d.compactFn, nil, arg)
}

func (d *discordSim) slice(_ *harness.World, _ *harness.Request, arg int64) {
	node := int(arg)
	s := min(d.quota, d.compactLeft[node])
	if s <= 0 {
		return
	}
	d.compactLeft[node] -= s
	d.pause(node, s)
	if d.compactLeft[node] > 0 {
		d.nt.After(node, 2*d.quota, d.sliceFn, nil, arg)
	}
}

func (d *discordSim) newDB() int32 { return slots.Take(&d.freeDB, &d.dbReqs) }

func (d *discordSim) Start(w *harness.World, req *harness.Request) {
	d.lastNow = w.Now()
	ch := uint32(req.Op.Key % d.channels)
	k := PartKey{ch, BucketOf(w.Now(), d.bucket)}
	switch req.Op.Kind {
	case workloads.Insert, workloads.Update, workloads.RMW:
		d.nWrites++
		d.nextID++
		i := d.newDB()
		r := &d.dbReqs[i]
		r.gen++
		r.write, r.part, r.req, r.id, r.start, r.touched, r.live = true, k, req, d.nextID, w.Now(), 0, true
		d.parts.Queries[d.parts.Index(k)]++
		d.send(i, dWrite)
	default:
		d.nReads++
		slot := slots.Take(&d.freeRds, &d.reads)
		d.reads[slot] = discordRead{req: req, channel: ch, bucket: k.Bucket, shard: d.parts.Index(k)}
		d.query(slot)
	}
}

// send routes database request i to a random live replica of its
// partition (a token-aware driver with shuffled replicas) and arms its
// timeout.
func (d *discordSim) send(i int32, kind simnet.Kind) {
	r := &d.dbReqs[i]
	pref := d.replicas(r.part)
	var live [dynamo.MaxNodes]int
	n := 0
	for _, node := range pref {
		if d.nt.Up(int(node)) {
			live[n] = int(node)
			n++
		}
	}
	d.w.After(d.timeout, d.timeoutFn, nil, int64(i)<<32|int64(r.gen))
	if n == 0 {
		return // every replica down: the request times out
	}
	d.nt.FromClient(live[d.w.Rand().IntN(n)], kind, dmsg{part: r.part, req: i, gen: r.gen, maxID: r.id})
}

// replicas is the partition's replica set: the first rf nodes of its
// preference list on the token ring.
func (d *discordSim) replicas(k PartKey) []int8 {
	key := uint64(k.Channel)<<32 | uint64(k.Bucket)
	return d.ring.Pref(d.ring.Range(key))[:d.rf]
}

// query issues (or joins) the read's query of its current bucket.
func (d *discordSim) query(slot int32) {
	r := &d.reads[slot]
	k := PartKey{r.channel, r.bucket}
	r.queried++
	d.readQueries++
	q, start := d.co.Read(k, slot, d.coalesce)
	if !start {
		return
	}
	d.parts.Queries[d.parts.Index(k)]++
	i := d.newDB()
	b := &d.dbReqs[i]
	b.gen++
	b.write, b.part, b.q, b.required, b.start, b.touched, b.live = false, k, q, d.acked[k], d.w.Now(), 0, true
	d.send(i, dQuery)
}

func (d *discordSim) newCoord(c coordReq) int32 {
	i := slots.Take(&d.freeCo, &d.coords)
	c.cgen = d.coords[i].cgen + 1
	d.coords[i] = c
	return i
}

// handle is a database node's message handler.
func (d *discordSim) handle(m *simnet.Msg[dmsg]) {
	node, p := m.To, m.Payload
	switch m.Kind {
	case dQuery, dWrite:
		write := m.Kind == dWrite
		c := coordReq{node: node, inc: d.nt.Incarnation(node), req: p.req, gen: p.gen, write: write, need: d.cl, live: true}
		ci := d.newCoord(c)
		// The coordinator asks the other replicas, then serves its own copy
		// (its CPU does the sends first).
		others := d.rf - 1
		if !write {
			others = d.cl - 1
		}
		for _, r := range d.replicas(p.part) {
			if others == 0 {
				break
			}
			if int(r) == node || (!write && !d.nt.Up(int(r))) {
				continue // a read asks replicas the failure detector thinks are up
			}
			kind := dRepRead
			if write {
				kind = dRepWrite
			}
			d.nt.Send(node, int(r), kind, dmsg{part: p.part, coord: ci, cgen: d.coords[ci].cgen, maxID: p.maxID})
			others--
		}
		d.coordResult(ci, d.coords[ci].cgen, d.apply(node, write, p), 1<<node)
	case dRepRead, dRepWrite:
		st := d.apply(node, m.Kind == dRepWrite, p)
		kind := dRepResult
		if m.Kind == dRepWrite {
			kind = dRepAck
		}
		d.nt.Send(node, m.From, kind, dmsg{part: p.part, coord: p.coord, cgen: p.cgen, count: st.count, maxID: st.maxID})
	case dRepResult, dRepAck:
		d.coordResult(p.coord, p.cgen, partState{p.count, p.maxID}, 1<<uint(m.From))
	}
}

// apply serves a read or applies a write on node's copy, booking its CPU.
func (d *discordSim) apply(node int, write bool, p dmsg) partState {
	st := d.data[node][p.part]
	if write {
		d.nt.Work(node, d.writeSvc.Next(d.w.Rand()))
		st.count++
		st.maxID = max(st.maxID, p.maxID)
		d.data[node][p.part] = st
	} else {
		d.nt.Work(node, d.readSvc.Next(d.w.Rand()))
	}
	return st
}

// coordResult counts one replica's answer at coordinator request ci and
// replies to the data service once enough answered.
func (d *discordSim) coordResult(ci int32, gen uint32, st partState, from uint64) {
	c := &d.coords[ci]
	if !c.live || c.cgen != gen || !d.nt.Up(c.node) || d.nt.Incarnation(c.node) != c.inc {
		return
	}
	c.got++
	c.touched |= from
	if st.maxID > c.max || (st.maxID == c.max && st.count > c.count) {
		c.count, c.max = st.count, st.maxID
	}
	if c.got < c.need {
		return
	}
	c.live = false
	d.freeCo.Put(ci)
	d.nt.ToClient(c.node, dReply, dmsg{req: c.req, gen: c.gen, count: c.count, maxID: c.max, touched: c.touched})
}

// reply is the data service receiving a coordinator's answer.
func (d *discordSim) reply(m *simnet.Msg[dmsg]) {
	p := m.Payload
	b := &d.dbReqs[p.req]
	if !b.live || b.gen != p.gen {
		return // timed out already
	}
	d.finishDB(p.req, partState{p.count, p.maxID}, p.touched, nil)
}

// expire fails a database request that got no answer in op_timeout.
func (d *discordSim) expire(_ *harness.World, _ *harness.Request, arg int64) {
	i, gen := int32(arg>>32), uint32(arg)
	if b := &d.dbReqs[i]; b.live && b.gen == gen {
		d.timeouts++
		d.finishDB(i, partState{}, 0, errDBTimeout)
	}
}

var errDBTimeout = fmt.Errorf("casestudy/discord-messages: database request timed out")

// finishDB ends database request i: a write's op completes; a read query's
// waiters take its result and go on to older buckets or complete.
func (d *discordSim) finishDB(i int32, st partState, touched uint64, err error) {
	now := d.w.Now()
	d.lastNow = now
	b := &d.dbReqs[i]
	b.live = false
	d.freeDB.Put(i)
	if b.write {
		if err == nil {
			d.parts.Msgs[d.parts.Index(b.part)]++
			d.acked[b.part] = max(d.acked[b.part], b.id)
		}
		d.complete(b.req, b.part.Channel, d.parts.Index(b.part), touched, err)
		return
	}
	if err == nil && st.maxID < b.required {
		d.rywViolations++
	}
	var k PartKey
	k, d.scratch = d.co.Done(b.q, d.scratch)
	for _, slot := range d.scratch {
		r := &d.reads[slot]
		r.touched |= touched
		if err == nil {
			r.got += int(min(st.count, uint64(d.page)))
			if r.got < d.page && r.bucket > 0 && r.queried < d.maxBkts {
				r.bucket--
				d.query(slot)
				continue
			}
		}
		req, shard, tch := r.req, r.shard, r.touched
		d.reads[slot] = discordRead{}
		d.freeRds.Put(slot)
		d.complete(req, k.Channel, shard, tch, err)
	}
}

// complete ends an op and files its latency as hot or cold, and as hit by
// a pause (on a node that served it, between its start and now) or not.
func (d *discordSim) complete(req *harness.Request, channel uint32, shard int32, touched uint64, err error) {
	now := d.w.Now()
	lat := int64(now - req.Op.At)
	if uint64(channel) < d.hot {
		d.hotH.RecordValue(lat)
	} else {
		d.coldH.RecordValue(lat)
	}
	paused := false
	for n := 0; touched != 0; n, touched = n+1, touched>>1 {
		if touched&1 != 0 && d.pauseTo[n] > req.Op.At && d.pauseFrom[n] < now {
			paused = true
			break
		}
	}
	if paused {
		d.pausedOps++
		d.pausedH.RecordValue(lat)
	} else {
		d.calmH.RecordValue(lat)
	}
	d.w.Complete(req, harness.Outcome{Shard: shard, Err: err})
}

// Metrics: see NOTES.md.
func (d *discordSim) Metrics() map[string]float64 {
	m := algorithms.ClusterMetrics(d.nt, d.nReads+d.nWrites, d.lastNow)
	m["reads"] = float64(d.nReads)
	m["writes"] = float64(d.nWrites)
	m["db_read_queries"] = float64(d.co.Queries)
	m["coalesced_reads"] = float64(d.co.Joined)
	m["partitions"] = float64(len(d.parts.Msgs))
	m["timeouts"] = float64(d.timeouts)
	m["ryw_violations"] = float64(d.rywViolations)
	m["gc_pauses"] = float64(d.gcPauses)
	m["compactions"] = float64(d.compactions)
	m["paused_ops"] = float64(d.pausedOps)
	if d.nReads > 0 {
		m["db_queries_per_read"] = float64(d.co.Queries) / float64(d.nReads)
		m["buckets_per_read"] = float64(d.readQueries) / float64(d.nReads)
	}
	if d.readQueries > 0 {
		m["coalesced_share"] = float64(d.co.Joined) / float64(d.readQueries)
	}
	if n := len(d.parts.Queries); n > 0 {
		var sum, hi uint64
		for _, q := range d.parts.Queries {
			sum += q
			hi = max(hi, q)
		}
		mean := float64(sum) / float64(n)
		m["partition_queries_max"], m["partition_queries_mean"] = float64(hi), mean
		m["partition_max_mean"] = float64(hi) / mean
	}
	for name, h := range map[string]*hdrhistogram.Histogram{"hot_p99_ms": d.hotH, "cold_p99_ms": d.coldH, "paused_p99_ms": d.pausedH, "unpaused_p99_ms": d.calmH} {
		if h.TotalCount() > 0 {
			m[name] = float64(h.ValueAtQuantile(99)) / 1e6
		}
	}
	if d.lastNow > 0 {
		var sum, hi float64
		for i := 0; i < d.nt.Nodes(); i++ {
			u := float64(d.nt.CPUBusy(i)) / float64(d.lastNow)
			sum += u
			hi = max(hi, u)
		}
		m["node_util_mean"], m["node_util_max"] = sum/float64(d.nt.Nodes()), hi
	}
	return m
}
