package casestudy

import (
	"fmt"
	"math"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// DiscordWorkload: Zipf-hot channels (θ = 1.1 over 10,000), 90% reads of a
// channel's latest messages, 10% messages sent, 20,000 ops/s.
const DiscordWorkload = "mix=read:0.9,update:0.1 keys=zipf:theta=1.1,n=10000 arrival=poisson:rate=20000"

var discordParams = []algorithms.Param{
	algorithms.Param{Name: "channels", Type: algorithms.Int, Default: "10000", Doc: "channels; op.Key mod channels is the channel (Zipf keys make hot channels)"}.Range(1, 1e8),
	algorithms.Param{Name: "bucket", Type: algorithms.Duration, Default: "1s", Doc: "time span of one partition (Discord: 10 days; short here so a run crosses buckets)"}.Range(float64(time.Millisecond), float64(1000*time.Hour)),
	{Name: "coalesce", Type: algorithms.Bool, Default: "true", Doc: "the data service merges concurrent identical reads into one database query"},
	algorithms.Param{Name: "page", Type: algorithms.Int, Default: "50", Doc: "messages a read wants; it walks back through older buckets until it has them"}.Range(1, 1e4),
	algorithms.Param{Name: "max_buckets", Type: algorithms.Int, Default: "3", Doc: "buckets a read queries at most"}.Range(1, 1000),
	algorithms.Param{Name: "nodes", Type: algorithms.Int, Default: "6", Doc: "database nodes; a partition lives on hash(channel, bucket) mod nodes"}.Range(1, 1<<nodeBits-1),
	algorithms.Param{Name: "db_concurrency", Type: algorithms.Int, Default: "4", Doc: "queries a node serves at once; the rest queue FIFO"}.Range(1, 1024),
	{Name: "db_service", Type: algorithms.Dist, Default: "exp:mean=1ms", Doc: "service time of one database query"},
}

func discordInfo() algorithms.Info {
	return algorithms.Info{
		Name:         "casestudy/discord-messages",
		Description:  "Discord messages: (channel, time bucket) partitions, hot channels, read coalescing in the data service",
		Params:       discordParams,
		Workload:     DiscordWorkload,
		DefaultClock: algorithms.Virtual,
		Check:        discordCheck,
		NewSim: func(env algorithms.Env) (harness.SimTarget, error) {
			p := env.Params
			if err := discordCheck(p); err != nil {
				return nil, err
			}
			d := &discordSim{channels: uint64(p.Int("channels")), bucket: p.Duration("bucket"), coalesce: p.Bool("coalesce"),
				page: p.Int("page"), maxBuckets: p.Int("max_buckets"), parts: NewPartitions(), co: NewCoalescer()}
			d.db = newFIFONodes(p.Int("nodes"), p.Int("db_concurrency"), p.Dist("db_service"), d.queryDone)
			return d, nil
		},
	}
}

func discordCheck(p algorithms.Params) error {
	if p.Dist("db_service").Mean() <= 0 {
		return fmt.Errorf("casestudy/discord-messages: db_service=%v has mean 0 (valid: a distribution with a positive mean, e.g. exp:mean=1ms)", p.Dist("db_service"))
	}
	return nil
}

// discordRead is one read in flight: it walks from the newest bucket back.
type discordRead struct {
	req     *harness.Request
	channel uint32
	bucket  uint32
	got     int
	queried int
	shard   int32
}

// discordSim: a read asks the data service for the channel's latest page;
// the service queries (channel, current bucket), then older buckets while it
// has fewer than page messages, each query coalesced with an identical one
// in flight when coalesce is on. A message send is a database write to its
// partition. Partitions live on nodes with FIFO queues.
type discordSim struct {
	channels    uint64
	bucket      time.Duration
	coalesce    bool
	page        int
	maxBuckets  int
	parts       *Partitions
	co          *Coalescer
	db          *fifoNodes
	reads       []discordRead
	freeReads   []int32
	writes      []*harness.Request
	writeKeys   []PartKey
	freeWrites  []int32
	scratch     []int32
	nReads      uint64
	nWrites     uint64
	readQueries uint64 // queries issued by reads, coalesced ones included
	lastNow     time.Duration
}

func (d *discordSim) node(k PartKey) int {
	h := uint64(k.Channel)<<32 | uint64(k.Bucket)
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return int(h % uint64(len(d.db.busy)))
}

func (d *discordSim) Start(w *harness.World, req *harness.Request) {
	ch := uint32(req.Op.Key % d.channels)
	k := PartKey{ch, BucketOf(w.Now(), d.bucket)}
	switch req.Op.Kind {
	case workloads.Insert, workloads.Update, workloads.RMW:
		d.nWrites++
		var slot int32
		if n := len(d.freeWrites); n > 0 {
			slot = d.freeWrites[n-1]
			d.freeWrites = d.freeWrites[:n-1]
			d.writes[slot], d.writeKeys[slot] = req, k
		} else {
			slot = int32(len(d.writes))
			d.writes, d.writeKeys = append(d.writes, req), append(d.writeKeys, k)
		}
		d.parts.Queries[d.parts.Index(k)]++
		d.db.submit(w, d.node(k), -int64(slot)-1)
	default:
		d.nReads++
		var slot int32
		if n := len(d.freeReads); n > 0 {
			slot = d.freeReads[n-1]
			d.freeReads = d.freeReads[:n-1]
		} else {
			slot = int32(len(d.reads))
			d.reads = append(d.reads, discordRead{})
		}
		d.reads[slot] = discordRead{req: req, channel: ch, bucket: k.Bucket, shard: d.parts.Index(k)}
		d.query(w, slot)
	}
}

// query issues (or joins) the read's query of its current bucket.
func (d *discordSim) query(w *harness.World, slot int32) {
	r := &d.reads[slot]
	k := PartKey{r.channel, r.bucket}
	r.queried++
	d.readQueries++
	q, start := d.co.Read(k, slot, d.coalesce)
	if start {
		d.parts.Queries[d.parts.Index(k)]++
		d.db.submit(w, d.node(k), int64(q))
	}
}

// queryDone is called by the database when a job finishes.
func (d *discordSim) queryDone(w *harness.World, job int64) {
	d.lastNow = w.Now()
	if job < 0 { // a write
		slot := int32(-job - 1)
		k, req := d.writeKeys[slot], d.writes[slot]
		d.parts.Msgs[d.parts.Index(k)]++
		d.writes[slot] = nil
		d.freeWrites = append(d.freeWrites, slot)
		w.Complete(req, harness.Outcome{Shard: d.parts.Index(k)})
		return
	}
	var k PartKey
	k, d.scratch = d.co.Done(int32(job), d.scratch)
	msgs := d.parts.Msgs[d.parts.Index(k)]
	for _, slot := range d.scratch {
		r := &d.reads[slot]
		r.got += int(min(msgs, uint64(d.page)))
		if r.got < d.page && r.bucket > 0 && r.queried < d.maxBuckets {
			r.bucket--
			d.query(w, slot)
			continue
		}
		req, shard := r.req, r.shard
		d.reads[slot] = discordRead{}
		d.freeReads = append(d.freeReads, slot)
		w.Complete(req, harness.Outcome{Shard: shard})
	}
}

// Metrics: see NOTES.md.
func (d *discordSim) Metrics() map[string]float64 {
	m := map[string]float64{
		"reads":            float64(d.nReads),
		"writes":           float64(d.nWrites),
		"db_read_queries":  float64(d.co.Queries),
		"coalesced_reads":  float64(d.co.Joined),
		"partitions":       float64(len(d.parts.Msgs)),
		"node_queue_max":   float64(d.db.maxQ),
		"db_queries_total": float64(d.db.started),
	}
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
	mean, hi := d.db.util(d.lastNow)
	if !math.IsNaN(mean) {
		m["node_util_mean"], m["node_util_max"] = mean, hi
	}
	return m
}
