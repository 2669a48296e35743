package kafka

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
	"github.com/dsbench/dsbench/workloads"
)

// Workload is the tour's workload: a bursty producer (on/off Poisson,
// 20,000 records/s for 200 ms of every second, 4,000/s on average) with
// Zipf-hot keys, against three consumers of 2,000 records/s each: lag
// builds during each burst and drains in the silence.
const Workload = "mix=produce:1 keys=scrambled-zipf:theta=0.99,n=100000 size=const:n=100 arrival=onoff:rate=20000,on=200ms,off=800ms"

// Params are kafka/topic's parameters.
var Params = []algorithms.Param{
	algorithms.Param{Name: "partitions", Type: algorithms.Int, Default: "8", Doc: "partitions of the topic (the shards)"}.Range(1, 10000),
	algorithms.Param{Name: "segment_bytes", Type: algorithms.Int, Default: "1048576", Doc: "segment.bytes: a new segment is rolled when the active one would exceed it (Kafka's default is 1 GiB)"}.Range(RecordBatchOverhead, 1<<40),
	algorithms.Param{Name: "retention_bytes", Type: algorithms.Int, Default: "67108864", Doc: "retention.bytes per partition: oldest segments are deleted beyond it (0 = unlimited)"}.Range(0, 1<<50),
	{Name: "key", Type: algorithms.Enum, Default: KeyDecimal, Choices: []string{KeyDecimal, KeyNull}, Doc: "decimal: the op key's decimal text as a String key, partition = toPositive(murmur2) % partitions; null: no key"},
	{Name: "null_partitioner", Type: algorithms.Enum, Default: NullSticky, Choices: []string{NullSticky, NullRoundRobin}, Doc: "partitioner for key=null: sticky (KIP-480) or round-robin"},
	algorithms.Param{Name: "batch_bytes", Type: algorithms.Int, Default: "16384", Doc: "batch.size: bytes after which the sticky partitioner moves on"}.Range(1, 1<<30),
	algorithms.Param{Name: "consumers", Type: algorithms.Int, Default: "3", Doc: "consumers in each group (virtual clock)"}.Range(1, maxConsumers-1),
	{Name: "assignor", Type: algorithms.Enum, Default: AssignRange, Choices: []string{AssignRange, AssignRoundRobin}, Doc: "partition assignment strategy"},
	algorithms.Param{Name: "poll", Type: algorithms.Duration, Default: "100ms", Doc: "fetch=interval: a fetch that finds nothing is sent again after this; fetch=long: the leader holds it at most this long"}.Range(float64(time.Microsecond), float64(time.Hour)),
	{Name: "fetch", Type: algorithms.Enum, Default: "interval", Choices: []string{"interval", "long"}, Doc: "interval: a fetch that finds nothing is answered empty and sent again after poll; long: the leader answers it as soon as a record is below its HW (fetch.max.wait.ms=poll, fetch.min.bytes=1)"},
	algorithms.Param{Name: "consume_rate", Type: algorithms.Float, Default: "2000", Doc: "records per second one consumer processes"}.Range(1e-3, 1e9),
	algorithms.Param{Name: "max_poll_records", Type: algorithms.Int, Default: "500", Doc: "max.poll.records: records one poll returns at most"}.Range(1, 1e6),
	algorithms.Param{Name: "leave_at", Type: algorithms.Duration, Default: "0s", Doc: "virtual time the last consumer of group g0 leaves it (0: never)"}.Range(0, float64(24*time.Hour)),
	algorithms.Param{Name: "join_at", Type: algorithms.Duration, Default: "0s", Doc: "virtual time one more consumer joins group g0 (0: never)"}.Range(0, float64(24*time.Hour)),
	algorithms.Param{Name: "rebalance_time", Type: algorithms.Duration, Default: "100ms", Doc: "JoinGroup/SyncGroup time after every member has stopped"}.Range(0, float64(time.Hour)),
	algorithms.Param{Name: "groups", Type: algorithms.Int, Default: "1", Doc: "independent consumer groups (g0, g1, …), each of consumers members reading the whole topic at its own pace"}.Range(1, maxGroups),
	algorithms.Param{Name: "replicas", Type: algorithms.Int, Default: "3", Doc: "replication factor: partition p's replicas are brokers p, p+1, … mod nodes, the first the preferred leader"}.Range(1, maxReplicas),
	{Name: "acks", Type: algorithms.Enum, Default: AcksAll, Choices: []string{Acks0, Acks1, AcksAll}, Doc: "producer acks: 0 completes when sent; 1 when the leader has appended; all when the record is below the high watermark (every ISR member has it). A produce op completes at its acknowledgement"},
	algorithms.Param{Name: "min_insync_replicas", Type: algorithms.Int, Default: "1", Doc: "min.insync.replicas: with acks=all a leader whose ISR is smaller refuses the record (NOT_ENOUGH_REPLICAS)"}.Range(1, maxReplicas),
	algorithms.Param{Name: "replica_lag_max", Type: algorithms.Duration, Default: "100ms", Doc: "replica.lag.time.max.ms: a follower not caught up to the leader's log end for this long leaves the ISR"}.Range(float64(time.Microsecond), float64(time.Hour)),
	algorithms.Param{Name: "replica_fetch_wait", Type: algorithms.Duration, Default: "50ms", Doc: "replica.fetch.wait.max.ms: the leader holds a follower's fetch that finds nothing this long (below replica_lag_max)"}.Range(float64(time.Microsecond), float64(time.Hour)),
	{Name: "unclean_election", Type: algorithms.Bool, Default: "false", Doc: "unclean.leader.election.enable: with no live ISR member, elect any live replica (available, may lose acknowledged records) instead of waiting"},
	algorithms.Param{Name: "heartbeat", Type: algorithms.Duration, Default: "20ms", Doc: "brokers heartbeat the controller this often"}.Range(float64(time.Microsecond), float64(time.Hour)),
	algorithms.Param{Name: "session_timeout", Type: algorithms.Duration, Default: "100ms", Doc: "the controller fences a broker whose heartbeats stop this long and elects new leaders for its partitions"}.Range(float64(time.Microsecond), float64(time.Hour)),
	algorithms.Param{Name: "request_timeout", Type: algorithms.Duration, Default: "200ms", Doc: "a client request unanswered this long (beyond a fetch's wait) is sent again"}.Range(float64(time.Microsecond), float64(time.Hour)),
	algorithms.Param{Name: "retry_backoff", Type: algorithms.Duration, Default: "20ms", Doc: "retry.backoff.ms: wait before retrying a produce or fetch that failed (no leader, not the leader, not enough replicas)"}.Range(0, float64(time.Hour)),
	algorithms.Param{Name: "delivery_timeout", Type: algorithms.Duration, Default: "2s", Doc: "delivery.timeout.ms: a produce not acknowledged this long after it was sent fails"}.Range(float64(time.Microsecond), float64(24*time.Hour)),
}

// Cluster declares the shared cluster parameters: the nodes are the
// brokers; crash=leader is the leader of partition 0. Omitted (NOTES.md
// says why): dup (a message's records travel by reference into a pool
// freed on delivery, so a copy cannot be delivered twice), loss (the
// controller's LeaderAndIsr is not retransmitted), fsync and group_commit
// (Kafka acknowledges on append, not on fsync: durability comes from
// replication).
var Cluster = &algorithms.ClusterSpec{
	Defaults: map[string]string{simnet.ParamNodes: "3"},
	MaxNodes: 1000,
	Omit:     []string{simnet.ParamDup, simnet.ParamLoss, simnet.ParamFsync, simnet.ParamGroup},
}

// ConfigFrom builds a Config from validated parameters.
func ConfigFrom(p algorithms.Params) (Config, error) {
	cl, err := algorithms.ClusterOf(p)
	if err != nil {
		return Config{}, err
	}
	cfg := Config{Cluster: cl,
		Partitions: p.Int("partitions"), SegmentBytes: int64(p.Int("segment_bytes")), RetentionBytes: int64(p.Int("retention_bytes")),
		KeyMode: p.String("key"), NullMode: p.String("null_partitioner"), BatchBytes: p.Int("batch_bytes"),
		Consumers: p.Int("consumers"), Assignor: p.String("assignor"), Poll: p.Duration("poll"), LongPoll: p.String("fetch") == "long",
		ConsumeRate: p.Float("consume_rate"), MaxPollRecords: p.Int("max_poll_records"),
		LeaveAt: p.Duration("leave_at"), JoinAt: p.Duration("join_at"), RebalanceTime: p.Duration("rebalance_time"),
		Groups: p.Int("groups"), Replicas: p.Int("replicas"), Acks: p.String("acks"), MinISR: p.Int("min_insync_replicas"),
		ReplicaLagMax: p.Duration("replica_lag_max"), ReplicaFetchWait: p.Duration("replica_fetch_wait"), Unclean: p.Bool("unclean_election"),
		Heartbeat: p.Duration("heartbeat"), SessionTimeout: p.Duration("session_timeout"), RequestTimeout: p.Duration("request_timeout"),
		RetryBackoff: p.Duration("retry_backoff"), DeliveryTimeout: p.Duration("delivery_timeout"),
	}
	return cfg, cfg.Check()
}

func init() {
	algorithms.Register(algorithms.Info{
		Name:         "kafka/topic",
		Description:  "Kafka topic on replicated brokers: ISR, acks=0|1|all, high watermark, controller failover, consumer groups with range/round-robin assignors, lag",
		Params:       Params,
		Cluster:      Cluster,
		Tour:         true,
		Workload:     Workload,
		DefaultClock: algorithms.Virtual,
		Check:        func(p algorithms.Params) error { _, err := ConfigFrom(p); return err },
		NewSim: func(env algorithms.Env) (harness.SimTarget, error) {
			cfg, err := ConfigFrom(env.Params)
			if err != nil {
				return nil, err
			}
			return NewSim(cfg)
		},
		NewWall: func(env algorithms.Env) (harness.Target, error) {
			cfg, err := ConfigFrom(env.Params)
			if err != nil {
				return nil, err
			}
			return NewWallTopic(cfg, env.Seed)
		},
	})
}

// WallTopic is the topic on the wall clock: Do partitions and appends one
// record, with one lock per partition. Fork gives each worker its own
// partitioner (a KafkaProducer per thread); the unforked target shares one
// under a lock.
type WallTopic struct {
	cfg   Config
	parts []wallPart

	mu  sync.Mutex
	pt  *Partitioner
	rng *rand.Rand
}

type wallPart struct {
	mu  sync.Mutex
	log *Log
	_   [40]byte // keep neighbouring partitions' locks off one cache line
}

// NewWallTopic returns an empty topic for wall-clock runs.
func NewWallTopic(cfg Config, seed uint64) (*WallTopic, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	pt, err := NewPartitioner(cfg.Partitions, cfg.KeyMode, cfg.NullMode, cfg.BatchBytes)
	if err != nil {
		return nil, err
	}
	t := &WallTopic{cfg: cfg, parts: make([]wallPart, cfg.Partitions), pt: pt, rng: rand.New(rand.NewPCG(seed, 0x6b61666b61))}
	for i := range t.parts {
		t.parts[i].log = NewLog(cfg.SegmentBytes, cfg.RetentionBytes)
	}
	return t, nil
}

// Do serves one op from a shared partitioner.
func (t *WallTopic) Do(_ time.Duration, op *workloads.Op) harness.Outcome {
	t.mu.Lock()
	p, size, ok := t.route(t.pt, t.rng, op)
	t.mu.Unlock()
	return t.serve(p, size, ok, op)
}

func (t *WallTopic) route(pt *Partitioner, r *rand.Rand, op *workloads.Op) (p, size int, ok bool) {
	k := uint8(op.Kind)
	switch {
	case isProduce(k):
		size = recordSize(pt.Keyed(), op.Key, k, op.Size)
		return pt.Partition(op.Key, size, r), size, true
	case isFetch(k):
		var b [20]byte
		return PartitionForKey(KeyBytes(b[:0], op.Key), t.cfg.Partitions), -1, true
	}
	return -1, 0, false
}

func (t *WallTopic) serve(p, size int, ok bool, op *workloads.Op) harness.Outcome {
	if !ok {
		return harness.Outcome{Shard: harness.NoShard, Err: ErrKind}
	}
	wp := &t.parts[p]
	wp.mu.Lock()
	if size < 0 {
		wp.log.Read(wp.log.EndOffset() - 1) // a fetch of the partition's tip
	} else {
		wp.log.Append(Record{Key: op.Key, Seq: op.Seq, Size: uint32(size)})
	}
	wp.mu.Unlock()
	return harness.Outcome{Shard: int32(p)}
}

// Fork returns a producer with its own partitioner for one worker.
func (t *WallTopic) Fork(_ int, r *rand.Rand) harness.Target {
	pt, _ := NewPartitioner(t.cfg.Partitions, t.cfg.KeyMode, t.cfg.NullMode, t.cfg.BatchBytes)
	return &producer{t: t, pt: pt, rng: r}
}

type producer struct {
	t   *WallTopic
	pt  *Partitioner
	rng *rand.Rand
}

func (p *producer) Do(_ time.Duration, op *workloads.Op) harness.Outcome {
	part, size, ok := p.t.route(p.pt, p.rng, op)
	return p.t.serve(part, size, ok, op)
}

// Metrics reports partition_max_mean (records), bytes_appended, segments
// and segments_deleted; the wall clock has no consumers, so no lag.
func (t *WallTopic) Metrics() map[string]float64 {
	var maxN, sumN, bytes int64
	var segs, deleted int
	for i := range t.parts {
		wp := &t.parts[i]
		wp.mu.Lock()
		n := wp.log.EndOffset()
		maxN = max(maxN, n)
		sumN += n
		bytes += wp.log.Appended()
		segs += wp.log.Segments()
		deleted += wp.log.Deleted()
		wp.mu.Unlock()
	}
	out := map[string]float64{
		"bytes_appended":   float64(bytes),
		"segments":         float64(segs),
		"segments_deleted": float64(deleted),
		"produced":         float64(sumN),
	}
	if sumN > 0 {
		out["partition_max_mean"] = float64(maxN) / (float64(sumN) / float64(len(t.parts)))
	}
	return out
}

var (
	_ harness.Target    = (*WallTopic)(nil)
	_ harness.Forker    = (*WallTopic)(nil)
	_ harness.Metricser = (*WallTopic)(nil)
	_ harness.Target    = (*producer)(nil)
)
