package kafka

import (
	"fmt"
	"math"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
)

// Sim is a topic on a cluster of brokers in virtual time, on the shared
// simulated cluster (harness/simnet): brokers are the cluster's nodes;
// producers and consumers are its clients, whose requests cross the network
// (FromClient, ToClient) and are charged to the brokers' CPUs.
//
// Partition p is led by broker p mod nodes. A produce request goes to the
// partition's leader, which appends the record and answers. Each consumer
// runs Kafka's poll loop: it keeps one fetch in flight per partition it owns
// whose fetched records it has used up; the leader answers with up to
// max_poll_records records below its high watermark, holds a fetch that
// finds nothing for at most poll and answers as soon as a record arrives
// (fetch=long: fetch.max.wait.ms=poll with fetch.min.bytes=1), or answers
// empty at once, and the consumer fetches that partition again after poll
// (fetch=interval). poll returns up to max_poll_records of the fetched
// records (one per partition in turn, so no partition starves); the
// consumer processes them one by one at consume_rate, commits its positions
// (commitSync after the batch) and polls again.
//
// Membership changes run Kafka's eager rebalance: every member stops at
// its next poll boundary (an idle one at once, a busy one after processing
// and committing its batch; records fetched but not polled are dropped),
// the leader assigns with the group's assignor, and after rebalance_time
// each member resumes from the committed offsets of its new partitions.
// Because every polled record is committed before the barrier, each offset
// is processed exactly once.
//
// Sim is single-threaded, like the World.
type Sim struct {
	cfg    Config
	pt     *Partitioner
	w      *harness.World
	net    *simnet.Net[msg]
	perMsg time.Duration

	brokers []broker
	leader  []int // partition → leading broker
	exposed []int64
	pend    [][]pending // ack=consumed: produced, not yet consumed, in offset order
	phead   []int

	g    group
	cons []*consumer

	prods []prodSlot
	pfree []int32
	bufs  [][]Record // fetch responses' records
	bfree []int32
	held  []heldFetch
	hfree []int32

	last                      time.Duration
	totalLag                  int64
	lagArea                   float64
	lagSince                  time.Duration
	lagTotalMax, lagPartMax   int64
	partLagArea               []float64
	partLagSince              []time.Duration
	msgs                      []uint64
	produced, consumed, lost  uint64
	orderViolations, fetches  uint64
	retentionFailed, wrongOps uint64
	ops                       uint64

	// OnConsume, if set, sees every processed record (tests).
	OnConsume func(partition int, offset int64, rec Record)

	pollFn, procFn, leaveFn, joinFn, refetchFn, expireFn, resumeFn harness.EventFunc
}

// Message kinds.
const (
	kProduceReq simnet.Kind = iota
	kProduceResp
	kFetchReq
	kFetchResp
	kTipReq
	kTipResp
)

var kindNames = []string{"produce", "produce_resp", "fetch", "fetch_resp", "tip", "tip_resp"}

// msg is the payload of every message. Records travel by reference: a
// produce request names its producer slot, a fetch response its buffer.
type msg struct {
	part  int32
	cons  int32 // consumer id
	ref   int32 // producer slot (produce) or record buffer (fetch response); −1: none
	n     int32 // fetch: records wanted
	epoch int64 // consumer's fetch epoch
	off   int64 // fetch offset; produce response: the record's offset
	start int64 // fetch response: the leader's log start offset
	req   *harness.Request
}

type prodSlot struct {
	req *harness.Request
	rec Record
}

type pending struct {
	off int64
	req *harness.Request
}

// broker is one node of the cluster: the partitions it holds.
type broker struct {
	parts []*replica // nil where the broker holds no replica
}

// replica is one copy of a partition's log on a broker.
type replica struct {
	log  *Log
	hw   int64   // high watermark: consumers read below it
	held []int32 // long-poll fetches waiting for a record
}

// heldFetch is a consumer fetch the leader holds (fetch=long).
type heldFetch struct {
	broker int32
	m      msg
	gen    uint32
	live   bool
}

type cstate uint8

const (
	idle    cstate = iota // waiting for fetched records
	busy                  // processing a batch
	barrier               // stopped for a rebalance
	gone                  // left the group
)

type consumer struct {
	id      int
	state   cstate
	leaving bool
	tepoch  int64 // voids scheduled timers when bumped
	fepoch  int64 // voids fetches in flight when bumped (stopped for a rebalance)
	parts   []int
	rr      int
	batch   []fetched
	bi      int
}

// group is the consumer group's state per partition.
type group struct {
	rebalancing bool
	rebalances  int
	committed   []int64
	pos         []int64 // the owner's fetch position: the next offset to fetch
	owner       []int   // consumer id, −1 unowned
	lastDone    []int64 // last processed offset
	lostTo      []int64 // records below this offset are counted as lost
	inflight    []bool  // a fetch of the partition is in flight
	buf         [][]Record
	bufOff      []int64 // offset of buf[p][0]
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
	P := cfg.Partitions
	s := &Sim{cfg: cfg, pt: pt}
	s.perMsg = time.Duration(math.Max(1, math.Round(float64(time.Second)/cfg.ConsumeRate)))
	s.brokers = make([]broker, cfg.Cluster.Net.Nodes)
	for b := range s.brokers {
		s.brokers[b].parts = make([]*replica, P)
	}
	s.leader = make([]int, P)
	for p := 0; p < P; p++ {
		b := p % len(s.brokers)
		s.leader[p] = b
		s.brokers[b].parts[p] = &replica{log: NewLog(cfg.SegmentBytes, cfg.RetentionBytes)}
	}
	s.exposed = make([]int64, P)
	s.pend, s.phead = make([][]pending, P), make([]int, P)
	s.partLagArea, s.partLagSince, s.msgs = make([]float64, P), make([]time.Duration, P), make([]uint64, P)
	s.g = group{
		committed: make([]int64, P), pos: make([]int64, P), owner: make([]int, P), lastDone: make([]int64, P),
		lostTo: make([]int64, P), inflight: make([]bool, P), buf: make([][]Record, P), bufOff: make([]int64, P),
	}
	for p := 0; p < P; p++ {
		s.g.owner[p], s.g.lastDone[p] = -1, -1
	}
	n := cfg.Consumers
	if cfg.JoinAt > 0 {
		n++
	}
	for i := 0; i < n; i++ {
		s.cons = append(s.cons, &consumer{id: i, state: gone})
	}
	s.pollFn, s.procFn, s.leaveFn, s.joinFn = s.pollEv, s.procEv, s.leaveEv, s.joinEv
	s.refetchFn, s.expireFn, s.resumeFn = s.refetchEv, s.expireEv, s.resumeEv
	if _, err := algorithms.NewNet[msg](harness.NewWorld(0, nil), cfg.Cluster, kindNames); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Sim) arg(c *consumer) int64 { return c.tepoch*maxConsumers + int64(c.id) }

func (s *Sim) live(arg int64) *consumer {
	c := s.cons[arg%maxConsumers]
	if arg/maxConsumers != c.tepoch {
		return nil
	}
	return c
}

// Setup puts the brokers on w's cluster, forms the group (the initial
// assignment is not counted as a rebalance) and schedules the membership
// changes.
func (s *Sim) Setup(w *harness.World) {
	nt, err := algorithms.NewNet[msg](w, s.cfg.Cluster, kindNames)
	if err != nil {
		panic(err) // checked by NewSim
	}
	s.w, s.net = w, nt
	for b := range s.brokers {
		b := b
		nt.Handle(b, func(m *simnet.Msg[msg]) { s.onBroker(b, m) })
	}
	nt.HandleClients(s.onClient)
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

// Start serves one op from a client: produce-like kinds send the record to
// the partition's leader; fetch-like kinds read the tip of the key's
// partition from its leader.
func (s *Sim) Start(w *harness.World, req *harness.Request) {
	now := w.Now()
	s.last = max(s.last, now)
	s.ops++
	k := uint8(req.Op.Kind)
	switch {
	case isProduce(k):
	case isFetch(k):
		s.fetches++
		var b [20]byte
		p := PartitionForKey(KeyBytes(b[:0], req.Op.Key), s.cfg.Partitions)
		s.net.FromClient(s.leader[p], kTipReq, msg{part: int32(p), ref: -1, req: req})
		return
	default:
		s.wrongOps++
		w.Complete(req, harness.Outcome{Shard: harness.NoShard, Err: ErrKind})
		return
	}
	size := recordSize(s.pt.Keyed(), req.Op.Key, k, req.Op.Size)
	p := s.pt.Partition(req.Op.Key, size, w.Rand())
	i := s.newProd(req, Record{Key: req.Op.Key, Seq: req.Op.Seq, Size: uint32(size)})
	s.net.FromClient(s.leader[p], kProduceReq, msg{part: int32(p), ref: i, req: req})
}

func (s *Sim) newProd(req *harness.Request, rec Record) int32 {
	var i int32
	if n := len(s.pfree); n > 0 {
		i = s.pfree[n-1]
		s.pfree = s.pfree[:n-1]
	} else {
		i = int32(len(s.prods))
		s.prods = append(s.prods, prodSlot{})
	}
	s.prods[i] = prodSlot{req: req, rec: rec}
	return i
}

func (s *Sim) freeProd(i int32) {
	s.prods[i] = prodSlot{}
	s.pfree = append(s.pfree, i)
}

func (s *Sim) newBuf() int32 {
	if n := len(s.bfree); n > 0 {
		i := s.bfree[n-1]
		s.bfree = s.bfree[:n-1]
		return i
	}
	s.bufs = append(s.bufs, nil)
	return int32(len(s.bufs) - 1)
}

func (s *Sim) freeBuf(i int32) {
	s.bufs[i] = s.bufs[i][:0]
	s.bfree = append(s.bfree, i)
}

// --- brokers -------------------------------------------------------------

func (s *Sim) onBroker(b int, nm *simnet.Msg[msg]) {
	m := nm.Payload
	s.last = max(s.last, s.w.Now())
	switch nm.Kind {
	case kProduceReq:
		s.onProduce(b, m)
	case kFetchReq:
		s.onFetch(b, m)
	case kTipReq:
		if r := s.brokers[b].parts[m.part]; r != nil {
			r.log.Read(r.hw - 1)
		}
		s.net.ToClient(b, kTipResp, m)
	}
}

// onProduce appends a record at the partition's leader and answers.
func (s *Sim) onProduce(b int, m msg) {
	p := int(m.part)
	r := s.brokers[b].parts[p]
	slot := &s.prods[m.ref]
	off, dropped := r.log.Append(slot.rec)
	s.msgs[p]++
	s.produced++
	if s.cfg.Ack == AckConsumed {
		s.pend[p] = append(s.pend[p], pending{off, slot.req})
	}
	m.off = off
	s.net.ToClient(b, kProduceResp, m)
	s.setHW(b, p, r.log.EndOffset())
	if dropped > 0 {
		s.retain(p, r.log.StartOffset())
	}
}

// setHW moves a leader's high watermark and answers the fetches it holds.
func (s *Sim) setHW(b, p int, hw int64) {
	r := s.brokers[b].parts[p]
	if hw <= r.hw {
		return
	}
	r.hw = hw
	if d := hw - s.exposed[p]; d > 0 {
		s.advance(p, s.w.Now())
		s.exposed[p] = hw
		s.addLag(p, d)
	}
	for _, h := range r.held {
		hf := &s.held[h]
		if hf.live {
			hf.live = false
			hf.gen++
			s.hfree = append(s.hfree, h)
			s.answerFetch(b, hf.m)
		}
	}
	r.held = r.held[:0]
}

// onFetch answers a consumer's fetch with the records from its offset up
// to the high watermark (at most m.n), or holds it (fetch=long).
func (s *Sim) onFetch(b int, m msg) {
	r := s.brokers[b].parts[m.part]
	if m.off < r.hw || m.off < r.log.StartOffset() || !s.cfg.LongPoll {
		s.answerFetch(b, m)
		return
	}
	var h int32
	if n := len(s.hfree); n > 0 {
		h = s.hfree[n-1]
		s.hfree = s.hfree[:n-1]
	} else {
		h = int32(len(s.held))
		s.held = append(s.held, heldFetch{})
	}
	hf := &s.held[h]
	hf.broker, hf.m, hf.live = int32(b), m, true
	r.held = append(r.held, h)
	s.net.After(b, s.cfg.Poll, s.expireFn, nil, int64(h)|int64(hf.gen)<<32)
}

// expireEv answers a held fetch empty at the end of its wait.
func (s *Sim) expireEv(_ *harness.World, _ *harness.Request, arg int64) {
	h, gen := int32(arg&0xffffffff), uint32(arg>>32)
	hf := &s.held[h]
	if !hf.live || hf.gen != gen {
		return
	}
	hf.live = false
	hf.gen++
	s.hfree = append(s.hfree, h)
	r := s.brokers[hf.broker].parts[hf.m.part]
	for i, x := range r.held {
		if x == h {
			r.held = append(r.held[:i], r.held[i+1:]...)
			break
		}
	}
	s.answerFetch(int(hf.broker), hf.m)
}

func (s *Sim) answerFetch(b int, m msg) {
	r := s.brokers[b].parts[m.part]
	m.start = r.log.StartOffset()
	from := max(m.off, m.start)
	m.ref = -1
	if to := min(r.hw, from+int64(m.n)); from < to {
		m.ref = s.newBuf()
		buf := s.bufs[m.ref]
		for o := from; o < to; o++ {
			rec, _ := r.log.Read(o)
			buf = append(buf, rec)
		}
		s.bufs[m.ref] = buf
	}
	m.off = from
	s.net.ToClient(b, kFetchResp, m)
}

// retain fails the pending records retention deleted before a consumer
// fetched them, and counts them as lost. Records below the fetch position
// are fetched (or processed): deleting their segment does not take them
// from the consumer, which processes and commits them.
func (s *Sim) retain(p int, start int64) {
	g := &s.g
	if from := max(g.pos[p], g.lostTo[p]); from < start {
		// Deleted before being fetched: the fetch position is out of
		// range, and the next fetch resets to the log start
		// (auto.offset.reset=earliest).
		s.lost += uint64(start - from)
		g.lostTo[p] = start
	}
	pend := s.pend[p]
	for i := s.phead[p]; i < len(pend) && pend[i].off < start; i++ {
		if e := &pend[i]; e.req != nil && e.off >= g.pos[p] {
			s.retentionFailed++
			s.w.Complete(e.req, harness.Outcome{Shard: int32(p), Err: ErrRetention})
			e.req = nil
		}
	}
	s.skipFailed(p)
}

// skipFailed moves the head of p's pending records past those retention
// already failed, and compacts the list.
func (s *Sim) skipFailed(p int) {
	pend, h := s.pend[p], s.phead[p]
	for h < len(pend) && pend[h].req == nil {
		pend[h] = pending{}
		h++
	}
	if h > 1024 && h*2 > len(pend) {
		n := copy(pend, pend[h:])
		clear(pend[n:])
		pend, h = pend[:n], 0
	}
	s.pend[p], s.phead[p] = pend, h
}

// --- clients ---------------------------------------------------------------

func (s *Sim) onClient(nm *simnet.Msg[msg]) {
	m := nm.Payload
	s.last = max(s.last, s.w.Now())
	switch nm.Kind {
	case kProduceResp:
		req := s.prods[m.ref].req
		s.freeProd(m.ref)
		if s.cfg.Ack == AckAppend {
			s.w.Complete(req, harness.Outcome{Shard: m.part})
		}
	case kTipResp:
		s.w.Complete(m.req, harness.Outcome{Shard: m.part})
	case kFetchResp:
		s.onFetchResp(m)
	}
}

// advance adds the time since the last change to the lag integrals.
func (s *Sim) advance(p int, now time.Duration) {
	lag := s.exposed[p] - s.g.committed[p]
	s.partLagArea[p] += float64(lag) * float64(now-s.partLagSince[p])
	s.partLagSince[p] = now
	s.lagArea += float64(s.totalLag) * float64(now-s.lagSince)
	s.lagSince = now
}

func (s *Sim) addLag(p int, d int64) {
	s.totalLag += d
	s.lagTotalMax = max(s.lagTotalMax, s.totalLag)
	s.lagPartMax = max(s.lagPartMax, s.exposed[p]-s.g.committed[p])
}

func (s *Sim) setCommitted(p int, c int64) {
	g := &s.g
	if c == g.committed[p] {
		return
	}
	s.advance(p, s.w.Now())
	d := c - g.committed[p]
	g.committed[p] = c
	s.addLag(p, -d)
}

// sendFetches sends a fetch for every partition c owns that has none in
// flight and no fetched records left.
func (s *Sim) sendFetches(c *consumer) {
	g := &s.g
	for _, p := range c.parts {
		if g.inflight[p] || len(g.buf[p]) > 0 {
			continue
		}
		g.inflight[p] = true
		s.net.FromClient(s.leader[p], kFetchReq, msg{part: int32(p), cons: int32(c.id), ref: -1,
			n: int32(s.cfg.MaxPollRecords), epoch: c.fepoch, off: g.pos[p]})
	}
}

// refetchEv sends the fetch of one partition again after poll
// (fetch=interval, the last one found nothing).
func (s *Sim) refetchEv(_ *harness.World, _ *harness.Request, arg int64) {
	c, p := s.cons[arg%maxConsumers], int(arg/maxConsumers%int64(s.cfg.Partitions))
	if arg/maxConsumers/int64(s.cfg.Partitions) != c.fepoch || s.g.owner[p] != c.id || c.state == barrier || c.state == gone {
		return
	}
	s.g.inflight[p] = false
	s.sendFetches(c)
}

func (s *Sim) onFetchResp(m msg) {
	c := s.cons[m.cons]
	p := int(m.part)
	g := &s.g
	if m.epoch != c.fepoch || g.owner[p] != c.id {
		if m.ref >= 0 {
			s.freeBuf(m.ref)
		}
		return // sent before the consumer stopped for a rebalance
	}
	if m.off > g.pos[p] {
		// auto.offset.reset=earliest: the position was below the log
		// start; committed at once.
		g.pos[p] = m.off
		if g.committed[p] < m.off {
			s.setCommitted(p, m.off)
		}
	}
	if m.ref < 0 {
		if s.cfg.LongPoll {
			g.inflight[p] = false
			s.sendFetches(c)
		} else {
			s.w.After(s.cfg.Poll, s.refetchFn, nil, (c.fepoch*int64(s.cfg.Partitions)+int64(p))*maxConsumers+int64(c.id))
		}
		return
	}
	g.inflight[p] = false
	g.buf[p] = append(g.buf[p][:0], s.bufs[m.ref]...)
	g.bufOff[p] = m.off
	g.pos[p] = m.off + int64(len(g.buf[p]))
	s.freeBuf(m.ref)
	if c.state == idle {
		s.poll(s.w, c)
	}
}

func (s *Sim) pollEv(w *harness.World, _ *harness.Request, arg int64) {
	if c := s.live(arg); c != nil {
		s.poll(w, c)
	}
}

// poll takes a batch from c's fetched records, or waits for a fetch to
// bring some.
func (s *Sim) poll(w *harness.World, c *consumer) {
	s.last = max(s.last, w.Now())
	g := &s.g
	if g.rebalancing || c.leaving {
		s.enterBarrier(w, c)
		return
	}
	c.batch, c.bi = c.batch[:0], 0
	if n := len(c.parts); n > 0 {
		for progress := true; progress && len(c.batch) < s.cfg.MaxPollRecords; {
			progress = false
			for i := 0; i < n && len(c.batch) < s.cfg.MaxPollRecords; i++ {
				p := c.parts[(c.rr+i)%n]
				if len(g.buf[p]) > 0 {
					c.batch = append(c.batch, fetched{p, g.bufOff[p], g.buf[p][0]})
					g.buf[p] = g.buf[p][1:]
					g.bufOff[p]++
					progress = true
				}
			}
		}
		c.rr = (c.rr + 1) % n
	}
	s.sendFetches(c)
	if len(c.batch) == 0 {
		c.state = idle
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
	g := &s.g
	if f.off <= g.lastDone[f.p] {
		s.orderViolations++
	}
	g.lastDone[f.p] = f.off
	s.consumed++
	if s.OnConsume != nil {
		s.OnConsume(f.p, f.off, f.rec)
	}
	pend := s.pend[f.p]
	if h := s.phead[f.p]; h < len(pend) && pend[h].off == f.off {
		w.Complete(pend[h].req, harness.Outcome{Shard: int32(f.p)})
		pend[h] = pending{}
		s.phead[f.p]++
		s.skipFailed(f.p)
	}
	if c.bi < len(c.batch) {
		w.After(s.perMsg, s.procFn, nil, s.arg(c))
		return
	}
	s.commit(c)
	s.poll(w, c)
}

// commit commits the batch's positions: every polled record is processed.
func (s *Sim) commit(c *consumer) {
	for _, f := range c.batch {
		if f.off+1 > s.g.committed[f.p] {
			s.setCommitted(f.p, f.off+1)
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
	s.g.rebalancing = true
	for _, c := range s.cons {
		if c.state == idle {
			s.enterBarrier(w, c)
			if !s.g.rebalancing {
				return
			}
		}
	}
	s.checkBarrier(w)
}

func (s *Sim) enterBarrier(w *harness.World, c *consumer) {
	c.tepoch++
	c.fepoch++ // fetches in flight are void
	c.state = barrier
	if c.leaving {
		c.state = gone
		c.leaving = false
	}
	s.checkBarrier(w)
}

// checkBarrier completes the rebalance once every member has stopped.
func (s *Sim) checkBarrier(w *harness.World) {
	if !s.g.rebalancing {
		return
	}
	for _, c := range s.cons {
		if c.state == idle || c.state == busy {
			return
		}
	}
	s.g.rebalancing = false
	s.g.rebalances++
	s.assign(w, s.cfg.RebalanceTime)
}

func memberName(id int) string { return fmt.Sprintf("consumer-%04d", id) }

// assign gives the stopped members their partitions and resumes them
// after delay, from the committed offsets.
func (s *Sim) assign(w *harness.World, delay time.Duration) {
	g := &s.g
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
	for p := range g.owner {
		g.owner[p] = -1
		g.pos[p] = g.committed[p]
		g.inflight[p] = false
		g.buf[p] = g.buf[p][:0]
	}
	a, _ := Assign(s.cfg.Assignor, names, map[string]int{"topic": s.cfg.Partitions})
	for n, tps := range a {
		c := byName[n]
		for _, tp := range tps {
			c.parts = append(c.parts, tp.Partition)
			g.owner[tp.Partition] = c.id
		}
	}
	for _, c := range s.cons {
		if c.state == barrier {
			c.tepoch++
			c.fepoch++
			c.state = idle
			c.rr = 0
			w.After(delay, s.resumeFn, nil, s.arg(c))
		}
	}
}

// resumeEv starts a member's fetching after a rebalance.
func (s *Sim) resumeEv(w *harness.World, _ *harness.Request, arg int64) {
	if c := s.live(arg); c != nil {
		s.poll(w, c)
	}
}

// Owner returns the consumer that owns partition p (−1: none).
func (s *Sim) Owner(p int) int { return s.g.owner[p] }

// Committed and EndOffset return partition p's committed offset and its
// leader's log end offset.
func (s *Sim) Committed(p int) int64 { return s.g.committed[p] }
func (s *Sim) EndOffset(p int) int64 {
	return s.brokers[s.leader[p]].parts[p].log.EndOffset()
}

// Metrics reports the family figures (see NOTES.md).
func (s *Sim) Metrics() map[string]float64 {
	var maxMsgs, sumMsgs uint64
	var bytes int64
	var segs, deleted int
	var maxArea, sumArea float64
	for p := range s.leader {
		s.advance(p, max(s.last, s.partLagSince[p]))
		maxMsgs = max(maxMsgs, s.msgs[p])
		sumMsgs += s.msgs[p]
		l := s.brokers[s.leader[p]].parts[p].log
		bytes += l.Appended()
		segs += l.Segments()
		deleted += l.Deleted()
		maxArea = max(maxArea, s.partLagArea[p])
		sumArea += s.partLagArea[p]
	}
	n := float64(len(s.leader))
	out := map[string]float64{
		"rebalances":        float64(s.g.rebalances),
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
	if s.net != nil {
		for k, v := range algorithms.ClusterMetrics(s.net, s.ops, s.last) {
			out[k] = v
		}
		out["client_messages"] = float64(s.net.Stats().ClientSent)
	}
	return out
}

// IntervalMetrics samples the group's total lag and whether a rebalance
// is in progress.
func (s *Sim) IntervalMetrics() map[string]float64 {
	r := 0.0
	if s.g.rebalancing {
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
