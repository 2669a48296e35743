package kafka

import (
	"fmt"
	"math"
	"time"

	"github.com/dsbench/dsbench/harness"
)

// Sim is a topic with a consumer group in virtual time. Producers append
// at the op's arrival; each consumer runs Kafka's poll loop: poll fetches
// up to max_poll_records from its partitions (one record per partition in
// turn, so no partition starves), processes them one by one at
// consume_rate, commits the fetch positions (commitSync after the batch)
// and polls again at once. A poll that finds nothing sleeps poll
// (fetch=interval: a consumer on a timer) or waits at most poll and returns
// as soon as a record arrives on one of its partitions (fetch=long: Kafka's
// long poll with fetch.min.bytes=1).
//
// Membership changes run Kafka's eager rebalance: every member stops at
// its next poll boundary (an idle one at once, a busy one after processing
// and committing its batch), the leader assigns with the group's assignor,
// and after rebalance_time each member resumes from the committed offsets
// of its new partitions. Because every fetched record is committed before
// the barrier, each offset is processed exactly once.
//
// Sim is single-threaded, like the World.
type Sim struct {
	cfg    Config
	pt     *Partitioner
	parts  []simPart
	cons   []*consumer
	perMsg time.Duration

	rebalancing bool
	rebalances  int
	last        time.Duration

	totalLag                  int64
	lagArea                   float64
	lagSince                  time.Duration
	lagTotalMax, lagPartMax   int64
	produced, consumed, lost  uint64
	orderViolations, fetches  uint64
	retentionFailed, wrongOps uint64

	// OnConsume, if set, sees every processed record (tests).
	OnConsume func(partition int, offset int64, rec Record)

	pollFn, procFn, leaveFn, joinFn harness.EventFunc
}

type pending struct {
	off int64
	req *harness.Request
}

type simPart struct {
	log       *Log
	pend      []pending // produced, not yet consumed (ack=consumed), in offset order
	head      int
	committed int64
	pos       int64 // the owner's fetch position
	owner     int   // consumer id, -1 unowned
	lastDone  int64 // last processed offset
	lostTo    int64 // records below this offset are counted as lost
	msgs      uint64
	lagArea   float64
	lagSince  time.Duration
}

type cstate uint8

const (
	idle    cstate = iota // a poll is scheduled
	busy                  // processing a batch
	barrier               // stopped for a rebalance
	gone                  // left the group
)

type consumer struct {
	id      int
	state   cstate
	leaving bool
	woken   bool  // idle, with a poll scheduled now because a record arrived
	epoch   int64 // voids scheduled events when bumped
	parts   []int
	rr      int
	batch   []fetched
	bi      int
}

type fetched struct {
	p   int
	off int64
	rec Record
}

// NewSim returns the simulated topic and group of cfg.
func NewSim(cfg Config) (*Sim, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	pt, err := NewPartitioner(cfg.Partitions, cfg.KeyMode, cfg.NullMode, cfg.BatchBytes)
	if err != nil {
		return nil, err
	}
	s := &Sim{cfg: cfg, pt: pt, parts: make([]simPart, cfg.Partitions)}
	s.perMsg = time.Duration(math.Max(1, math.Round(float64(time.Second)/cfg.ConsumeRate)))
	for i := range s.parts {
		s.parts[i] = simPart{log: NewLog(cfg.SegmentBytes, cfg.RetentionBytes), owner: -1, lastDone: -1}
	}
	n := cfg.Consumers
	if cfg.JoinAt > 0 {
		n++
	}
	for i := 0; i < n; i++ {
		s.cons = append(s.cons, &consumer{id: i, state: gone})
	}
	s.pollFn, s.procFn, s.leaveFn, s.joinFn = s.pollEv, s.procEv, s.leaveEv, s.joinEv
	return s, nil
}

func (s *Sim) arg(c *consumer) int64 { return c.epoch*maxConsumers + int64(c.id) }

func (s *Sim) live(arg int64) *consumer {
	c := s.cons[arg%maxConsumers]
	if arg/maxConsumers != c.epoch {
		return nil
	}
	return c
}

// Setup forms the group (the initial assignment is not counted as a
// rebalance) and schedules the membership changes.
func (s *Sim) Setup(w *harness.World) {
	for i := 0; i < s.cfg.Consumers; i++ {
		s.cons[i].state = barrier
	}
	s.assign(w, 0)
	if s.cfg.LeaveAt > 0 {
		w.At(s.cfg.LeaveAt, s.leaveFn, nil, int64(s.cfg.Consumers-1))
	}
	if s.cfg.JoinAt > 0 {
		w.At(s.cfg.JoinAt, s.joinFn, nil, int64(s.cfg.Consumers))
	}
}

// Start serves one op: produce-like kinds append, fetch-like kinds read
// the tip of the key's partition.
func (s *Sim) Start(w *harness.World, req *harness.Request) {
	now := w.Now()
	s.last = max(s.last, now)
	k := uint8(req.Op.Kind)
	switch {
	case isProduce(k):
	case isFetch(k):
		s.fetches++
		var b [20]byte
		p := PartitionForKey(KeyBytes(b[:0], req.Op.Key), s.cfg.Partitions)
		s.parts[p].log.Read(s.parts[p].log.EndOffset() - 1)
		w.Complete(req, harness.Outcome{Shard: int32(p)})
		return
	default:
		s.wrongOps++
		w.Complete(req, harness.Outcome{Shard: harness.NoShard, Err: ErrKind})
		return
	}
	size := recordSize(s.pt.Keyed(), req.Op.Key, k, req.Op.Size)
	p := s.pt.Partition(req.Op.Key, size, w.Rand())
	sp := &s.parts[p]
	s.advance(sp, now)
	off, dropped := sp.log.Append(Record{Key: req.Op.Key, Seq: req.Op.Seq, Size: uint32(size)})
	sp.msgs++
	s.produced++
	s.addLag(sp, 1)
	if dropped > 0 {
		s.retain(w, p)
	}
	if o := sp.owner; o >= 0 && s.cfg.LongPoll && !s.rebalancing {
		if c := s.cons[o]; c.state == idle && !c.woken {
			c.woken = true
			c.epoch++ // void the poll timeout
			w.After(0, s.pollFn, nil, s.arg(c))
		}
	}
	if s.cfg.Ack == AckAppend {
		w.Complete(req, harness.Outcome{Shard: int32(p)})
		return
	}
	sp.pend = append(sp.pend, pending{off, req})
}

// retain fails the pending records retention deleted before a consumer
// fetched them, and counts them as lost. Records below the fetch position
// are in a consumer's batch (or processed): deleting their segment does
// not take them from the consumer, which processes and commits them.
func (s *Sim) retain(w *harness.World, p int) {
	sp := &s.parts[p]
	start := sp.log.StartOffset()
	if from := max(sp.pos, sp.lostTo); from < start {
		// Deleted before being fetched: the fetch position is now out of
		// range, and the next fetch resets to the log start
		// (auto.offset.reset=earliest).
		s.lost += uint64(start - from)
		sp.lostTo = start
	}
	for i := sp.head; i < len(sp.pend) && sp.pend[i].off < start; i++ {
		if e := &sp.pend[i]; e.req != nil && e.off >= sp.pos {
			s.retentionFailed++
			w.Complete(e.req, harness.Outcome{Shard: int32(p), Err: ErrRetention})
			e.req = nil
		}
	}
	s.skipFailed(sp)
	s.compact(sp)
}

// skipFailed moves the head of sp's pending records past those retention
// already failed.
func (s *Sim) skipFailed(sp *simPart) {
	for sp.head < len(sp.pend) && sp.pend[sp.head].req == nil {
		sp.pend[sp.head] = pending{}
		sp.head++
	}
}

func (s *Sim) compact(sp *simPart) {
	if sp.head > 1024 && sp.head*2 > len(sp.pend) {
		n := copy(sp.pend, sp.pend[sp.head:])
		clear(sp.pend[n:])
		sp.pend = sp.pend[:n]
		sp.head = 0
	}
}

// advance adds the time since the last change to the lag integrals.
func (s *Sim) advance(sp *simPart, now time.Duration) {
	sp.lagArea += float64(sp.log.EndOffset()-sp.committed) * float64(now-sp.lagSince)
	sp.lagSince = now
	s.lagArea += float64(s.totalLag) * float64(now-s.lagSince)
	s.lagSince = now
}

func (s *Sim) addLag(sp *simPart, d int64) {
	s.totalLag += d
	s.lagTotalMax = max(s.lagTotalMax, s.totalLag)
	s.lagPartMax = max(s.lagPartMax, sp.log.EndOffset()-sp.committed)
}

func (s *Sim) pollEv(w *harness.World, _ *harness.Request, arg int64) {
	if c := s.live(arg); c != nil {
		s.poll(w, c)
	}
}

// poll fetches a batch for c, or sleeps poll if there is nothing.
func (s *Sim) poll(w *harness.World, c *consumer) {
	s.last = max(s.last, w.Now())
	c.woken = false
	if s.rebalancing || c.leaving {
		s.enterBarrier(w, c)
		return
	}
	c.batch, c.bi = c.batch[:0], 0
	if n := len(c.parts); n > 0 {
		for progress := true; progress && len(c.batch) < s.cfg.MaxPollRecords; {
			progress = false
			for i := 0; i < n && len(c.batch) < s.cfg.MaxPollRecords; i++ {
				p := c.parts[(c.rr+i)%n]
				sp := &s.parts[p]
				if start := sp.log.StartOffset(); sp.pos < start {
					// auto.offset.reset=earliest, committed at once
					sp.pos = start
					if sp.committed < start {
						s.advance(sp, w.Now())
						d := start - sp.committed
						sp.committed = start
						s.addLag(sp, -d)
					}
				}
				if sp.pos < sp.log.EndOffset() {
					rec, _ := sp.log.Read(sp.pos)
					c.batch = append(c.batch, fetched{p, sp.pos, rec})
					sp.pos++
					progress = true
				}
			}
		}
		c.rr = (c.rr + 1) % n
	}
	if len(c.batch) == 0 {
		c.state = idle
		w.After(s.cfg.Poll, s.pollFn, nil, s.arg(c))
		return
	}
	c.state = busy
	w.After(s.perMsg, s.procFn, nil, s.arg(c))
}

func (s *Sim) procEv(w *harness.World, _ *harness.Request, arg int64) {
	c := s.live(arg)
	if c == nil {
		return
	}
	now := w.Now()
	s.last = max(s.last, now)
	f := c.batch[c.bi]
	c.bi++
	sp := &s.parts[f.p]
	if f.off <= sp.lastDone {
		s.orderViolations++
	}
	sp.lastDone = f.off
	s.consumed++
	if s.OnConsume != nil {
		s.OnConsume(f.p, f.off, f.rec)
	}
	if sp.head < len(sp.pend) && sp.pend[sp.head].off == f.off {
		w.Complete(sp.pend[sp.head].req, harness.Outcome{Shard: int32(f.p)})
		sp.pend[sp.head] = pending{}
		sp.head++
		s.skipFailed(sp)
		s.compact(sp)
	}
	if c.bi < len(c.batch) {
		w.After(s.perMsg, s.procFn, nil, s.arg(c))
		return
	}
	s.commit(now, c)
	s.poll(w, c)
}

// commit commits c's fetch positions: every fetched record is processed.
func (s *Sim) commit(now time.Duration, c *consumer) {
	for _, p := range c.parts {
		sp := &s.parts[p]
		if sp.pos != sp.committed {
			s.advance(sp, now)
			d := sp.pos - sp.committed
			sp.committed = sp.pos
			s.addLag(sp, -d)
		}
	}
}

func (s *Sim) leaveEv(w *harness.World, _ *harness.Request, id int64) {
	c := s.cons[id]
	switch c.state {
	case gone:
		return
	case barrier:
		c.state = gone // already stopped for a rebalance in progress
	default:
		c.leaving = true
	}
	s.startRebalance(w)
}

func (s *Sim) joinEv(w *harness.World, _ *harness.Request, id int64) {
	c := s.cons[id]
	c.state = barrier
	c.leaving = false
	s.startRebalance(w)
}

// startRebalance stops idle members at once; busy ones stop after their
// batch (in poll).
func (s *Sim) startRebalance(w *harness.World) {
	s.rebalancing = true
	for _, c := range s.cons {
		if c.state == idle {
			c.epoch++ // void its scheduled poll
			s.enterBarrier(w, c)
			if !s.rebalancing {
				return
			}
		}
	}
	s.checkBarrier(w)
}

func (s *Sim) enterBarrier(w *harness.World, c *consumer) {
	c.epoch++
	c.woken = false
	c.state = barrier
	if c.leaving {
		c.state = gone
		c.leaving = false
	}
	s.checkBarrier(w)
}

// checkBarrier completes the rebalance once every member has stopped.
func (s *Sim) checkBarrier(w *harness.World) {
	if !s.rebalancing {
		return
	}
	for _, c := range s.cons {
		if c.state == idle || c.state == busy {
			return
		}
	}
	s.rebalancing = false
	s.rebalances++
	s.assign(w, s.cfg.RebalanceTime)
}

func memberName(id int) string { return fmt.Sprintf("consumer-%04d", id) }

// assign gives the stopped members their partitions and resumes them
// after delay, from the committed offsets.
func (s *Sim) assign(w *harness.World, delay time.Duration) {
	var names []string
	byName := map[string]*consumer{}
	for _, c := range s.cons {
		c.parts = c.parts[:0]
		if c.state == barrier {
			n := memberName(c.id)
			names = append(names, n)
			byName[n] = c
		}
	}
	for i := range s.parts {
		s.parts[i].owner = -1
		s.parts[i].pos = s.parts[i].committed
	}
	a, _ := Assign(s.cfg.Assignor, names, map[string]int{"topic": s.cfg.Partitions})
	for n, tps := range a {
		c := byName[n]
		for _, tp := range tps {
			c.parts = append(c.parts, tp.Partition)
			s.parts[tp.Partition].owner = c.id
		}
	}
	for _, c := range s.cons {
		if c.state == barrier {
			c.epoch++
			c.state = idle
			c.rr = 0
			w.After(delay, s.pollFn, nil, s.arg(c))
		}
	}
}

// Owner returns the consumer that owns partition p (−1: none).
func (s *Sim) Owner(p int) int { return s.parts[p].owner }

// Committed and EndOffset return partition p's committed and end offsets.
func (s *Sim) Committed(p int) int64 { return s.parts[p].committed }
func (s *Sim) EndOffset(p int) int64 { return s.parts[p].log.EndOffset() }

// Metrics reports the family figures (see NOTES.md).
func (s *Sim) Metrics() map[string]float64 {
	var maxMsgs, sumMsgs uint64
	var bytes int64
	var segs, deleted int
	var maxArea, sumArea float64
	for i := range s.parts {
		sp := &s.parts[i]
		s.advance(sp, max(s.last, sp.lagSince))
		maxMsgs = max(maxMsgs, sp.msgs)
		sumMsgs += sp.msgs
		bytes += sp.log.Appended()
		segs += sp.log.Segments()
		deleted += sp.log.Deleted()
		maxArea = max(maxArea, sp.lagArea)
		sumArea += sp.lagArea
	}
	n := float64(len(s.parts))
	out := map[string]float64{
		"rebalances":        float64(s.rebalances),
		"bytes_appended":    float64(bytes),
		"segments":          float64(segs),
		"segments_deleted":  float64(deleted),
		"produced":          float64(s.produced),
		"consumed":          float64(s.consumed),
		"lost":              float64(s.lost),
		"retention_failed":  float64(s.retentionFailed),
		"order_violations":  float64(s.orderViolations),
		"lag_max":           float64(s.lagTotalMax),
		"lag_partition_max": float64(s.lagPartMax),
		"lag_final":         float64(s.totalLag),
		"fetches":           float64(s.fetches),
	}
	if sumMsgs > 0 {
		out["partition_max_mean"] = float64(maxMsgs) / (float64(sumMsgs) / n)
	}
	if s.last > 0 {
		out["lag_mean"] = s.lagArea / float64(s.last)
	}
	if sumArea > 0 {
		out["lag_skew"] = maxArea / (sumArea / n)
	}
	return out
}

// IntervalMetrics samples the group's total lag and whether a rebalance
// is in progress.
func (s *Sim) IntervalMetrics() map[string]float64 {
	r := 0.0
	if s.rebalancing {
		r = 1
	}
	return map[string]float64{"lag": float64(s.totalLag), "rebalancing": r}
}

var (
	_ harness.SimTarget         = (*Sim)(nil)
	_ harness.SimSetup          = (*Sim)(nil)
	_ harness.Metricser         = (*Sim)(nil)
	_ harness.IntervalMetricser = (*Sim)(nil)
)
