package kafka

import (
	"errors"
	"fmt"
	"time"

	"github.com/dsbench/dsbench/algorithms"
)

// Acknowledgement modes of the simulated topic.
const (
	AckConsumed = "consumed" // a produce op completes when a consumer has processed it
	AckAppend   = "append"   // a produce op completes when it is appended
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
	Ack            string

	// Cluster is the simulated cluster (virtual clock): its nodes are the
	// brokers.
	Cluster algorithms.Cluster
}

// maxConsumers bounds the group (the consumer id is packed into event args).
const maxConsumers = 1024

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
	case c.Ack != AckConsumed && c.Ack != AckAppend:
		return fmt.Errorf("kafka: ack=%q (valid: %s|%s)", c.Ack, AckConsumed, AckAppend)
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

// ErrRetention is the error of a produced record deleted by retention
// before any consumer processed it.
var ErrRetention = errors.New("kafka: record deleted by retention before it was consumed")

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
