package kafka

import (
	"errors"
	"fmt"
	"time"

	"github.com/dsbench/dsbench/algorithms"
)

// The producer's acks settings.
const (
	Acks0   = "0"   // the producer does not wait: the op completes when sent
	Acks1   = "1"   // the leader answers once it has appended the record
	AcksAll = "all" // the leader answers once the record is below its high watermark (every ISR member has it)
)

// Config describes a topic and its consumer group.
type Config struct {
	Partitions     int
	SegmentBytes   int64 // segment.bytes
	RetentionBytes int64 // retention.bytes per partition; 0 = unlimited
	KeyMode        string
	NullMode       string
	BatchBytes     int // batch.size: when the sticky partitioner moves on

	Consumers      int
	Assignor       string
	Poll           time.Duration // idle poll interval, or the long poll's timeout
	LongPoll       bool          // an idle consumer wakes as soon as a record arrives
	ConsumeRate    float64       // records a consumer processes per second
	MaxPollRecords int           // max.poll.records
	LeaveAt        time.Duration // the last consumer leaves (0: never)
	JoinAt         time.Duration // one more consumer joins (0: never)
	RebalanceTime  time.Duration // JoinGroup/SyncGroup rounds, after the barrier
	Groups         int           // independent consumer groups, each of Consumers members

	Replicas         int           // replication factor
	Acks             string        // Acks0, Acks1 or AcksAll
	MinISR           int           // min.insync.replicas
	ReplicaLagMax    time.Duration // replica.lag.time.max.ms
	ReplicaFetchWait time.Duration // replica.fetch.wait.max.ms
	Unclean          bool          // unclean.leader.election.enable
	Heartbeat        time.Duration // broker → controller heartbeat period
	SessionTimeout   time.Duration // the controller fences a broker silent this long
	RequestTimeout   time.Duration // a client request unanswered this long is sent again
	RetryBackoff     time.Duration // retry.backoff.ms
	DeliveryTimeout  time.Duration // delivery.timeout.ms: a produce not acknowledged by then fails

	// brokenHW advances a leader's high watermark to its log end at
	// append, before the ISR has the record (tests: the acked_lost check
	// must catch it).
	brokenHW bool

	// Cluster is the simulated cluster (virtual clock): its nodes are the
	// brokers.
	Cluster algorithms.Cluster
}

// maxConsumers bounds the consumers of all groups (a consumer id is packed
// into event args); maxGroups and maxReplicas are bitmask widths.
const (
	maxConsumers = 1024
	maxGroups    = 64
	maxReplicas  = 64
)

// Check reports what is wrong with c as a whole, naming the bad value and
// the valid choices.
func (c Config) Check() error {
	switch {
	case c.Partitions < 1:
		return fmt.Errorf("kafka: partitions=%d: need at least 1", c.Partitions)
	case c.SegmentBytes < RecordBatchOverhead:
		return fmt.Errorf("kafka: segment_bytes=%d: need at least %d (one record batch header)", c.SegmentBytes, RecordBatchOverhead)
	case c.RetentionBytes < 0:
		return fmt.Errorf("kafka: retention_bytes=%d: need 0 (unlimited) or more", c.RetentionBytes)
	case c.RetentionBytes > 0 && c.RetentionBytes < c.SegmentBytes:
		return fmt.Errorf("kafka: retention_bytes=%d is below segment_bytes=%d (valid: 0 = unlimited, or at least segment_bytes)", c.RetentionBytes, c.SegmentBytes)
	case c.Consumers < 1 || c.Consumers >= maxConsumers:
		return fmt.Errorf("kafka: consumers=%d (valid: 1…%d)", c.Consumers, maxConsumers-1)
	case c.Assignor != AssignRange && c.Assignor != AssignRoundRobin:
		return fmt.Errorf("kafka: assignor=%q (valid: %s|%s)", c.Assignor, AssignRange, AssignRoundRobin)
	case c.Acks != Acks0 && c.Acks != Acks1 && c.Acks != AcksAll:
		return fmt.Errorf("kafka: acks=%q (valid: 0|1|all)", c.Acks)
	case c.Replicas < 1 || c.Replicas > maxReplicas:
		return fmt.Errorf("kafka: replicas=%d (valid: 1…%d)", c.Replicas, maxReplicas)
	case c.Cluster.Net.Nodes > 0 && c.Replicas > c.Cluster.Net.Nodes:
		return fmt.Errorf("kafka: replicas=%d exceeds nodes=%d brokers (valid: 1…%d)", c.Replicas, c.Cluster.Net.Nodes, c.Cluster.Net.Nodes)
	case c.MinISR < 1 || c.MinISR > c.Replicas:
		return fmt.Errorf("kafka: min_insync_replicas=%d (valid: 1…replicas=%d)", c.MinISR, c.Replicas)
	case c.Groups < 1 || c.Groups > maxGroups:
		return fmt.Errorf("kafka: groups=%d (valid: 1…%d)", c.Groups, maxGroups)
	case c.Groups*(c.Consumers+1) >= maxConsumers:
		return fmt.Errorf("kafka: groups=%d × consumers=%d exceeds %d consumers", c.Groups, c.Consumers, maxConsumers-1)
	case c.ReplicaFetchWait >= c.ReplicaLagMax && c.Replicas > 1:
		return fmt.Errorf("kafka: replica_fetch_wait=%v must be below replica_lag_max=%v (as Kafka requires), or a caught-up follower drops out of the ISR", c.ReplicaFetchWait, c.ReplicaLagMax)
	case c.Heartbeat >= c.SessionTimeout:
		return fmt.Errorf("kafka: heartbeat=%v must be below session_timeout=%v", c.Heartbeat, c.SessionTimeout)
	case c.Poll <= 0:
		return fmt.Errorf("kafka: poll=%v: need a positive interval", c.Poll)
	case c.ConsumeRate <= 0:
		return fmt.Errorf("kafka: consume_rate=%v: need a positive rate", c.ConsumeRate)
	case c.MaxPollRecords < 1:
		return fmt.Errorf("kafka: max_poll_records=%d: need at least 1", c.MaxPollRecords)
	case c.LeaveAt > 0 && c.Consumers < 2 && (c.JoinAt == 0 || c.JoinAt > c.LeaveAt):
		return fmt.Errorf("kafka: leave_at=%v with consumers=%d leaves the group empty (valid: consumers ≥ 2, or join_at ≤ leave_at, or leave_at=0)", c.LeaveAt, c.Consumers)
	case c.JoinAt > 0 && c.Consumers+1 >= maxConsumers:
		return fmt.Errorf("kafka: join_at with consumers=%d exceeds %d members", c.Consumers, maxConsumers-1)
	}
	_, err := NewPartitioner(c.Partitions, c.KeyMode, c.NullMode, c.BatchBytes)
	return err
}

// Errors a produce can end with.
var (
	ErrNotEnoughReplicas = errors.New("kafka: NOT_ENOUGH_REPLICAS: the ISR is smaller than min_insync_replicas (acks=all)")
	ErrNotLeader         = errors.New("kafka: NOT_LEADER_OR_FOLLOWER / LEADER_NOT_AVAILABLE until delivery_timeout")
	ErrTimeout           = errors.New("kafka: produce not acknowledged within delivery_timeout")
)

// ErrKind is the error of an op kind a topic does not serve.
var ErrKind = errors.New("kafka: op kind is not produce-like (produce, insert, update, rmw, delete) or fetch-like (read, consume, scan)")

// Produce-like and fetch-like kinds.
func isProduce(k uint8) bool {
	return k == kProduce || k == kInsert || k == kUpdate || k == kRMW || k == kDelete
}
func isFetch(k uint8) bool { return k == kRead || k == kConsume || k == kScan }

// recordSize is the batch size of a record for an op: the key's decimal
// text (or a null key), the op's value bytes, a null value for a delete
// (a tombstone).
func recordSize(keyed bool, key uint64, kind uint8, size uint32) int {
	kl := -1
	if keyed {
		var b [20]byte
		kl = len(KeyBytes(b[:0], key))
	}
	vl := int(size)
	if kind == kDelete {
		vl = -1
	}
	return RecordBatchSize(kl, vl)
}
