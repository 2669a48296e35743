package coordination

import (
	"github.com/dsbench/dsbench/algorithms/internal/slots"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
)

// The cell: the master's sessions and requests, and the replication of its
// database to the replicas as log entries (Chubby §2.2: the master
// propagates writes to the replicas through the consensus protocol and
// answers once a majority has them).

// session is the master's view of one client's session.
type session struct {
	sid      uint32 // the database's session number (0: none)
	live     bool   // in the database and not expired
	leaseEnd time.Duration
	held     bool   // a KeepAlive is held, to be answered near leaseEnd
	holdGen  uint32 // the held KeepAlive's timer generation
	fresh    bool   // a new master has not yet answered this session (the fail-over event)
	pend     []inv  // invalidations to deliver on the next KeepAlive reply
	sent     []inv  // invalidations delivered, acknowledged by the next KeepAlive
	locks    []uint64
}

// inv is one invalidation: the cached file and the write waiting for it.
type inv struct {
	key   uint64
	write ref
}

// Log entry types.
const (
	eEpoch   = iota // a new master's first entry: it serves once this commits
	eSession        // CreateSession
	eWrite          // SetContents
	eGrant          // a lock granted
	eRelease        // a lock released
	eExpire         // a session expired
)

type entry struct {
	typ    uint8
	acks   int32
	op     ref
	client int32
}

// cell is the replicas' state.
type cell struct {
	master   int   // the master (−1: none)
	serving  bool  // the master has committed its epoch entry and serves clients
	epoch    int64 // the master's epoch
	log      []entry
	base     int64   // index of log[0]
	next     int64   // the next index to assign
	commit   int64   // highest committed index
	disk     []int64 // per replica: the last entry it logged, epoch<<40 | index
	promised []int64
	heard    []time.Duration // when each replica last heard from a master (or granted a vote)
	votes    []int32
	cand     []bool
	sess     []session
	bundles  [][]uint64
	bfree    slots.Free

	lostAt    time.Duration // when the last master crashed (−1: none)
	failovers []time.Duration
	elections uint64

	heartbeatFn, watchFn, candFn, selfLoggedFn harness.EventFunc
}

// takeBundle returns the invalidated keys a KeepAlive reply carries and
// frees the bundle (0: none).
func (c *Chubby) takeBundle(b int64) []uint64 {
	if b == 0 {
		return nil
	}
	keys := c.bundles[b-1]
	c.bundles[b-1] = nil
	c.bfree.Put(int32(b - 1))
	return keys
}

func (c *Chubby) bundle(keys []uint64) int64 {
	if len(keys) == 0 {
		return 0
	}
	b := slots.Take(&c.bfree, &c.bundles)
	c.bundles[b] = keys
	return int64(b) + 1
}

// atNode handles a message at replica s.
func (c *Chubby) atNode(s, from int, kind simnet.Kind, p int64) {
	switch kind {
	case pAccept, pAccepted, pHeartbeat, pVoteReq, pVote:
		c.atReplica(s, from, kind, p)
		return
	}
	// Client requests: only a serving master answers. A replica asked by
	// a client looking for the master names the master it follows, if it
	// heard from it within the master lease (Chubby's master-location
	// requests, §2.2); the client tries elsewhere if nobody answers.
	if s != c.master || !c.serving {
		if kind == rKeepAlive && s != c.master && c.nt.World().Now()-c.heard[s] < c.cfg.MasterLease && c.heard[s] > 0 {
			m := c.promisedMaster(c.promised[s])
			c.nt.ToClient(s, cRedirect, p&(1<<24-1)|(m+1)<<24)
		}
		return
	}
	switch kind {
	case rCreate:
		c.propose(entry{typ: eSession, client: int32(p)})
	case rKeepAlive:
		c.keepAlive(int32(p&(1<<24-1)), uint32(p>>24))
	case rRead:
		op := c.op(ref(p))
		if op == nil {
			return
		}
		op.got = c.version[op.key]
		// While invalidations are outstanding the file is uncachable.
		if c.cfg.Cache && c.pendInv[op.key] == 0 {
			op.cacheable = true
			ck := clientKey{uint32(op.client), op.key}
			if _, ok := c.isCacher[ck]; !ok {
				c.isCacher[ck] = struct{}{}
				c.cachers[op.key] = append(c.cachers[op.key], op.client)
			}
		}
		c.nt.ToClient(s, cReply, p)
	case rWrite:
		c.write(ref(p))
	case rAcquire:
		r := ref(p)
		op := c.op(r)
		if op == nil {
			return
		}
		l := c.lock(op.key)
		switch {
		case l.held && l.holder == r:
			c.nt.ToClient(s, cGrant, p) // resent after a fail-over: granted before
		case l.held:
			l.queue = append(l.queue, r)
		default:
			c.grant(l, r)
		}
	case rRelease:
		r := ref(p)
		op := c.op(r)
		if op == nil {
			return
		}
		h := r
		if op.kind == kRelease {
			h = op.holder // op.gen is the holder's sequencer
		}
		if l := c.lock(op.key); l.held && l.holder == h && l.gen == op.gen {
			c.unlock(l)
		}
		c.propose(entry{typ: eRelease, op: r})
	}
}

// write queues a write behind the file's earlier ones (a write must not
// overtake invalidations another is waiting for), or starts it.
func (c *Chubby) write(r ref) {
	op := c.op(r)
	if op == nil || op.waiting {
		return
	}
	op.waiting = true
	if c.pendInv[op.key]++; c.pendInv[op.key] > 1 && !c.overtake {
		c.writeQ[op.key] = append(c.writeQ[op.key], r)
		return
	}
	c.startWrite(r, op.key)
}

// startWrite invalidates every cached copy (on the cachers' KeepAlive
// replies), then replicates the write once every cacher acknowledged.
func (c *Chubby) startWrite(r ref, key uint64) {
	op := c.op(r)
	if op == nil {
		c.writeDone(key) // failed meanwhile (its session was lost)
		return
	}
	cs := c.cachers[op.key]
	delete(c.cachers, op.key)
	for _, k := range cs {
		delete(c.isCacher, clientKey{uint32(k), op.key})
		s := &c.sess[k]
		if !s.live {
			continue
		}
		c.invalidations++
		op.need++
		s.pend = append(s.pend, inv{op.key, r})
		if s.held {
			c.answerKeepAlive(k)
		}
	}
	if op.need == 0 {
		c.propose(entry{typ: eWrite, op: r})
	}
}

// invAcked: a cacher dropped its copy (or its session ended).
func (c *Chubby) invAcked(iv inv) {
	op := c.op(iv.write)
	if op == nil || op.need == 0 {
		return
	}
	if op.need--; op.need == 0 {
		c.propose(entry{typ: eWrite, op: iv.write})
	}
}

// grant gives l to r with the next generation number, replicated before the
// client hears of it.
func (c *Chubby) grant(l *lockState, r ref) {
	op := c.op(r)
	l.held, l.holderOp, l.holder, l.client = true, r.idx(), r, op.client
	l.gen++
	op.gen = l.gen
	s := &c.sess[op.client]
	s.locks = append(s.locks, op.key)
	c.propose(entry{typ: eGrant, op: r})
}

// unlock frees l and grants it to the next live waiter.
func (c *Chubby) unlock(l *lockState) {
	l.held, l.holderOp, l.holder, l.client = false, -1, 0, -1
	for len(l.queue) > 0 {
		next := l.queue[0]
		l.queue = l.queue[1:]
		if op := c.op(next); op != nil && op.req != nil {
			c.grant(l, next)
			return
		}
	}
}

// keepAlive: a client's KeepAlive reached the master. It acknowledges the
// invalidations the last reply carried; the master answers at once if it
// has invalidations (or the fail-over event) to deliver, else holds it until
// the session's lease is nearly over.
func (c *Chubby) keepAlive(k int32, sid uint32) {
	if int(k) >= len(c.sess) {
		return
	}
	s := &c.sess[k]
	if !s.live || s.sid != sid || sid == 0 {
		c.nt.ToClient(c.master, cExpired, int64(k)|int64(sid)<<24)
		return
	}
	sent := s.sent
	s.sent = nil
	for _, iv := range sent {
		c.invAcked(iv)
	}
	if s.fresh || len(s.pend) > 0 {
		c.answerKeepAlive(k)
		return
	}
	now := c.nt.World().Now()
	s.held = true
	s.holdGen++
	c.nt.After(c.master, max(0, s.leaseEnd-c.cfg.Lease/masterEarly-now), c.kaFn, nil, int64(k)|int64(s.holdGen)<<32)
}

func (c *Chubby) kaDue(_ *harness.World, _ *harness.Request, arg int64) {
	k, gen := int32(arg&(1<<32-1)), uint32(arg>>32)
	if s := &c.sess[k]; s.held && s.holdGen == gen && c.serving {
		c.answerKeepAlive(k)
	}
}

// answerKeepAlive replies to session k's KeepAlive, extending its lease and
// carrying its pending invalidations.
func (c *Chubby) answerKeepAlive(k int32) {
	s := &c.sess[k]
	now := c.nt.World().Now()
	s.held, s.fresh = false, false
	s.leaseEnd = now + c.cfg.Lease
	var keys []uint64
	for _, iv := range s.pend {
		keys = append(keys, iv.key)
	}
	s.sent, s.pend = s.pend, nil
	c.nt.ToClient(c.master, cKeepAlive, int64(k)|int64(s.sid)<<24|c.bundle(keys)<<44)
	c.nt.After(c.master, c.cfg.Lease, c.expireFn, nil, int64(k))
}

// expireDue: a session's lease may have run out at the master.
func (c *Chubby) expireDue(w *harness.World, _ *harness.Request, arg int64) {
	k := int32(arg)
	s := &c.sess[k]
	if !c.serving || !s.live || s.held || w.Now() < s.leaseEnd {
		return
	}
	c.expire(k)
	c.propose(entry{typ: eExpire, client: k})
}

// expire ends session k at the master: its pending invalidations need no
// acknowledgement any more (the client's cache lease is over) and its locks
// are released.
func (c *Chubby) expire(k int32) {
	s := &c.sess[k]
	c.expirations++
	s.live = false
	for _, iv := range append(s.sent, s.pend...) {
		c.invAcked(iv)
	}
	s.sent, s.pend = nil, nil
	for _, key := range s.locks {
		if l := c.lock(key); l.held && l.client == k {
			c.expiredLocks++
			c.unlock(l)
		}
	}
	s.locks = nil
}

// propose appends e to the master's log, logs it and sends it to every
// replica; it commits once a majority has it on disk.
func (c *Chubby) propose(e entry) {
	if c.master < 0 {
		return
	}
	idx := c.next
	c.next++
	c.log = append(c.log, e)
	p := c.epoch<<40 | idx
	c.nt.Fsync(c.master, c.selfLoggedFn, nil, p)
	c.nt.Broadcast(c.master, pAccept, p)
}

// selfLogged: the master's own log write of an entry is durable.
func (c *Chubby) selfLogged(_ *harness.World, _ *harness.Request, p int64) {
	if m := c.master; m >= 0 {
		c.disk[m] = max(c.disk[m], p)
	}
	c.ack(p)
}

// logged: replica s has the entry on disk and acks it.
func (c *Chubby) logged(_ *harness.World, _ *harness.Request, arg int64) {
	s, p := int(arg&255), arg>>8
	c.disk[s] = max(c.disk[s], p)
	c.nt.Send(s, int(c.promisedMaster(p>>40)), pAccepted, p)
}

// promisedMaster is the node that proposed in epoch e (epochs are
// node-unique: e mod nodes).
func (c *Chubby) promisedMaster(e int64) int64 { return e % int64(c.n) }

func (c *Chubby) ack(p int64) {
	if p>>40 != c.epoch || c.master < 0 {
		return
	}
	idx := p & (1<<40 - 1)
	if idx <= c.commit || idx < c.base {
		return
	}
	c.log[idx-c.base].acks++
	for c.commit+1 < c.next && c.log[c.commit+1-c.base].acks >= c.majority {
		c.commit++
		c.apply(c.log[c.commit-c.base])
	}
	if d := c.commit + 1 - c.base; d > 1024 && d*2 > int64(len(c.log)) {
		c.log = append(c.log[:0], c.log[d:]...)
		c.base += d
	}
}

// apply runs a committed entry: the database changes, the client hears.
func (c *Chubby) apply(e entry) {
	m := c.master
	switch e.typ {
	case eEpoch:
		c.rebuild()
	case eSession:
		k := e.client
		s := &c.sess[k]
		if s.live {
			c.expire(k) // the client gave its old session up and opened this one
		}
		s.sid++
		s.live, s.fresh, s.held = true, false, false
		s.sent, s.pend, s.locks = nil, nil, nil
		s.leaseEnd = c.nt.World().Now() + c.cfg.Lease
		c.nt.After(m, c.cfg.Lease, c.expireFn, nil, int64(k))
		c.nt.ToClient(m, cSession, int64(k)|int64(s.sid)<<24)
	case eWrite:
		op := c.op(e.op)
		if op == nil {
			return
		}
		c.version[op.key]++
		op.got = c.version[op.key]
		if c.widOf != nil {
			c.widOf[[2]uint64{op.key, uint64(op.got)}] = op.wid
		}
		key := op.key
		if op.abandoned {
			c.release(e.op.idx())
		} else {
			op.waiting = false
			c.nt.ToClient(m, cReply, int64(e.op))
		}
		c.writeDone(key)
	case eGrant:
		if c.op(e.op) != nil {
			c.nt.ToClient(m, cGrant, int64(e.op))
		}
	case eRelease:
		if c.op(e.op) != nil {
			c.nt.ToClient(m, cReply, int64(e.op))
		}
	case eExpire:
	}
}

// writeDone: the file's next write may start.
func (c *Chubby) writeDone(key uint64) {
	if c.pendInv[key]--; c.pendInv[key] <= 0 {
		delete(c.pendInv, key)
		delete(c.writeQ, key)
		return
	}
	q := c.writeQ[key]
	if len(q) == 0 {
		return // overtake: nothing queued
	}
	next := q[0]
	c.writeQ[key] = q[1:]
	c.startWrite(next, key)
}

// rebuild: the new master's epoch entry committed. It rebuilds its
// in-memory state from the database (§2.9): sessions get a fresh lease (the
// most the old master could have granted), blocked Acquires and pending
// invalidations were the old master's memory and are gone (clients resend
// their requests), nobody caches anything yet; then it serves.
func (c *Chubby) rebuild() {
	now := c.nt.World().Now()
	for k := range c.sess {
		s := &c.sess[k]
		s.held, s.pend, s.sent = false, nil, nil
		if !s.live {
			continue
		}
		s.fresh = true
		s.leaseEnd = now + c.cfg.Lease
		c.nt.After(c.master, c.cfg.Lease, c.expireFn, nil, int64(k))
	}
	for _, l := range c.locks {
		l.queue = nil
	}
	clear(c.cachers)
	clear(c.isCacher)
	clear(c.pendInv)
	clear(c.writeQ)
	for i := range c.ops {
		if c.ops[i].abandoned {
			c.release(int32(i))
			continue
		}
		c.ops[i].waiting, c.ops[i].need = false, 0
	}
	c.serving = true
	if c.lostAt >= 0 {
		c.failovers = append(c.failovers, now-c.lostAt)
		c.lostAt = -1
	}
}
