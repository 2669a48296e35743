package kafka

import (
	"fmt"
	"time"

	"github.com/dsbench/dsbench/harness"
)

// Consumer groups. Each group reads the whole topic at its own pace; in a
// group, each consumer runs Kafka's poll loop: it keeps one fetch in flight
// per partition it owns whose fetched records it has used up, sent to the
// partition's leader (from the controller's metadata); the leader answers
// with up to max_poll_records records below its HW, holds a fetch that
// finds nothing for at most poll (fetch=long: fetch.max.wait.ms=poll,
// fetch.min.bytes=1) or answers it empty, and the consumer fetches that
// partition again after poll (fetch=interval). A fetch refused (not the
// leader) is retried after retry_backoff; one unanswered (the leader
// crashed) after request_timeout; a position past the leader's log end
// (an unclean election cut the log) resets to its HW
// (auto.offset.reset=latest). poll returns up to max_poll_records fetched
// records (one per partition in turn, so no partition starves); the
// consumer processes them one by one at consume_rate, commits its
// positions (commitSync after the batch) and polls again.
//
// Membership changes run Kafka's eager rebalance: every member stops at
// its next poll boundary (an idle one at once, a busy one after processing
// and committing its batch; fetched records not yet polled are dropped),
// the leader assigns with the group's assignor, and after rebalance_time
// each member resumes from the committed offsets of its new partitions.
// Because every polled record is committed before the barrier, each offset
// is processed exactly once.

type cstate uint8

const (
	idle    cstate = iota // waiting for fetched records
	busy                  // processing a batch
	barrier               // stopped for a rebalance
	gone                  // left the group
)

type consumer struct {
	id, group int
	state     cstate
	leaving   bool
	tepoch    int64 // voids scheduled timers when bumped
	fepoch    int64 // voids fetches in flight when bumped (stopped for a rebalance)
	parts     []int
	rr        int
	batch     []fetched
	bi        int
}

// group is one consumer group's state.
type group struct {
	id          int
	members     []*consumer
	rebalancing bool
	rebalances  int
	committed   []int64
	pos         []int64 // the owner's fetch position: the next offset to fetch
	owner       []int   // consumer id, −1 unowned
	lastDone    []int64 // last processed offset
	lostTo      []int64 // records below this offset are counted as lost
	inflight    []bool  // a fetch of the partition is in flight (or waits to be sent again)
	fseq        []int64 // id of the partition's current fetch
	buf         [][]Record
	bufOff      []int64 // offset of buf[p][0]
}

func newGroup(id, P int) *group {
	g := &group{id: id,
		committed: make([]int64, P), pos: make([]int64, P), owner: make([]int, P), lastDone: make([]int64, P),
		lostTo: make([]int64, P), inflight: make([]bool, P), fseq: make([]int64, P), buf: make([][]Record, P), bufOff: make([]int64, P),
	}
	for p := 0; p < P; p++ {
		g.owner[p], g.lastDone[p] = -1, -1
	}
	return g
}

type fetched struct {
	p   int
	off int64
	rec Record
}

func (s *Sim) arg(c *consumer) int64 { return c.tepoch*maxConsumers + int64(c.id) }

func (s *Sim) live(arg int64) *consumer {
	c := s.cons[arg%maxConsumers]
	if arg/maxConsumers != c.tepoch {
		return nil
	}
	return c
}

// fetchArg names one fetch of partition p by consumer c.
func (s *Sim) fetchArg(c *consumer, p int, seq int64) int64 {
	return (seq*int64(s.cfg.Partitions)+int64(p))*maxConsumers + int64(c.id)
}

func (s *Sim) setCommitted(g *group, p int, c int64) {
	if c != g.committed[p] {
		s.changeLag(p, func() { g.committed[p] = c })
	}
}

// sendFetches sends a fetch for every partition c owns that has none in
// flight and no fetched records left.
func (s *Sim) sendFetches(c *consumer) {
	g := s.groups[c.group]
	for _, p := range c.parts {
		if g.inflight[p] || len(g.buf[p]) > 0 {
			continue
		}
		g.inflight[p] = true
		g.fseq[p]++
		arg := s.fetchArg(c, p, g.fseq[p])
		l := s.meta[p].leader
		if l < 0 {
			s.w.After(s.cfg.RetryBackoff, s.refetchFn, nil, arg)
			continue
		}
		s.net.FromClient(l, kFetchReq, msg{part: int32(p), from: int32(c.id), ref: -1,
			n: int32(s.cfg.MaxPollRecords), epoch: c.fepoch, seq: g.fseq[p], off: g.pos[p]})
		wait := s.cfg.RequestTimeout
		if s.cfg.LongPoll {
			wait += s.cfg.Poll
		}
		s.w.After(wait, s.fetchTimeoutFn, nil, arg)
	}
}

// refetchEv sends the fetch of one partition again (after poll with
// fetch=interval, after retry_backoff following an error), if the fetch
// it names is still the partition's current one.
func (s *Sim) refetchEv(_ *harness.World, _ *harness.Request, arg int64) {
	c := s.cons[arg%maxConsumers]
	rest := arg / maxConsumers
	p, seq := int(rest%int64(s.cfg.Partitions)), rest/int64(s.cfg.Partitions)
	g := s.groups[c.group]
	if g.fseq[p] != seq || g.owner[p] != c.id || c.state == barrier || c.state == gone {
		return
	}
	g.inflight[p] = false
	s.sendFetches(c)
}

// fetchTimeoutEv: a fetch unanswered for request_timeout (its leader
// crashed) is sent again.
func (s *Sim) fetchTimeoutEv(w *harness.World, req *harness.Request, arg int64) {
	s.refetchEv(w, req, arg)
}

func (s *Sim) onFetchResp(m *msg) {
	c := s.cons[m.from]
	p := int(m.part)
	g := s.groups[c.group]
	if m.epoch != c.fepoch || g.owner[p] != c.id || m.seq != g.fseq[p] {
		if m.ref >= 0 {
			s.freeBuf(m.ref)
		}
		return // sent before the consumer stopped for a rebalance, or timed out
	}
	g.fseq[p]++ // the timeout is void
	switch m.err {
	case errNotLeader:
		s.w.After(s.cfg.RetryBackoff, s.refetchFn, nil, s.fetchArg(c, p, g.fseq[p]))
		return
	case errOutOfRange:
		// auto.offset.reset=latest: the log was cut below our position.
		s.st.offsetResets++
		g.pos[p] = m.hw
		g.lastDone[p] = m.hw - 1
		s.setCommitted(g, p, m.hw)
		g.inflight[p] = false
		s.sendFetches(c)
		return
	}
	if m.off > g.pos[p] {
		// auto.offset.reset=earliest: the position was below the log
		// start (retention); committed at once.
		g.pos[p] = m.off
		if g.committed[p] < m.off {
			s.setCommitted(g, p, m.off)
		}
	}
	if m.ref < 0 {
		if s.cfg.LongPoll {
			g.inflight[p] = false
			s.sendFetches(c)
		} else {
			s.w.After(s.cfg.Poll, s.refetchFn, nil, s.fetchArg(c, p, g.fseq[p]))
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
	g := s.groups[c.group]
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
	g := s.groups[c.group]
	if f.off <= g.lastDone[f.p] {
		s.st.orderViolations++
	}
	g.lastDone[f.p] = f.off
	s.st.consumed++
	if s.OnConsume != nil {
		s.OnConsume(g.id, f.p, f.off, f.rec)
	}
	switch r := s.rec(f.rec.Seq); {
	case r == nil:
		// resolved and forgotten (every group had processed it, or its
		// produce failed): a duplicate the checker no longer tells apart
	case r.seen&(1<<g.id) != 0:
		s.st.dups++
	default:
		r.seen |= 1 << g.id
		s.e2e[g.id].RecordValue(int64(max(now-r.at, 1)))
	}
	if s.st.consumed&4095 == 0 {
		s.trimRecs()
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
	g := s.groups[c.group]
	for _, f := range c.batch {
		if f.off+1 > g.committed[f.p] {
			s.setCommitted(g, f.p, f.off+1)
		}
	}
}

// leaveEv and joinEv change group 0's membership.
func (s *Sim) leaveEv(w *harness.World, _ *harness.Request, id int64) {
	c := s.groups[0].members[id]
	switch c.state {
	case gone:
		return
	case barrier:
		c.state = gone // already stopped for a rebalance in progress
	default:
		c.leaving = true
	}
	s.startRebalance(w, s.groups[0])
}

func (s *Sim) joinEv(w *harness.World, _ *harness.Request, id int64) {
	c := s.groups[0].members[id]
	c.state = barrier
	c.leaving = false
	s.startRebalance(w, s.groups[0])
}

// startRebalance stops idle members at once; busy ones stop after their
// batch (in poll).
func (s *Sim) startRebalance(w *harness.World, g *group) {
	g.rebalancing = true
	for _, c := range g.members {
		if c.state == idle {
			s.enterBarrier(w, c)
			if !g.rebalancing {
				return
			}
		}
	}
	s.checkBarrier(w, g)
}

func (s *Sim) enterBarrier(w *harness.World, c *consumer) {
	c.tepoch++
	c.fepoch++ // fetches in flight are void
	c.state = barrier
	if c.leaving {
		c.state = gone
		c.leaving = false
	}
	s.checkBarrier(w, s.groups[c.group])
}

// checkBarrier completes the rebalance once every member has stopped.
func (s *Sim) checkBarrier(w *harness.World, g *group) {
	if !g.rebalancing {
		return
	}
	for _, c := range g.members {
		if c.state == idle || c.state == busy {
			return
		}
	}
	g.rebalancing = false
	g.rebalances++
	s.assign(w, g, s.cfg.RebalanceTime)
}

func memberName(id int) string { return fmt.Sprintf("consumer-%04d", id) }

// assign gives the stopped members their partitions and resumes them
// after delay, from the committed offsets.
func (s *Sim) assign(w *harness.World, g *group, delay time.Duration) {
	var names []string
	byName := map[string]*consumer{}
	for _, c := range g.members {
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
		g.fseq[p]++
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
	for _, c := range g.members {
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
