package spanner

import (
	"errors"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
)

// Leader failover (§2.1, §4.1.1): a group's leader holds a lease that its
// heartbeats (commit messages every Lease/4) keep renewing at the replicas.
// When the leader crashes (crash=N|leader|random at crash_at), its
// transactions in flight fail (the clients' connections reset) and, once a
// replica has heard nothing from it for Lease, that replica runs Paxos phase
// 1 at a higher ballot: a majority promises and reports the end of its log;
// the candidate takes the longest (every committed slot is on a majority, so
// on at least one promiser), re-proposes the slots not known committed, and
// serves. Replicas stagger their timers by rank after the last leader
// (Lease/8 apart), so the next node in line normally wins unopposed.
//
// Timestamps stay monotonic across leaders because of the lease and
// TrueTime, as in Spanner's disjointness invariant: the old leader gave no
// timestamp above its TT.now().latest ≤ true time + 2ε, and its successor
// starts at least Lease − Lease/4 after the old leader's last heartbeat, so
// with Lease ≥ 4 × 2ε_top (checked) every timestamp the new leader picks
// (≥ its own TT.now().latest ≥ true time) is above every one its
// predecessor gave — including the promises it made to snapshot reads,
// which the new leader never learns. The checkers would catch a violation.
//
// A restarted node comes back as a replica with its log (durable) and asks
// the leader for the slots it missed (catchup). Entries keep the content the
// old leader proposed (the model's log is shared): a slot no promiser holds
// would be a no-op in real Paxos; here it is re-proposed as it was, which
// changes no timestamp order (its transaction already failed).

// minLeaseFactor: Lease ≥ minLeaseFactor × the top of ε. A variable only so
// that a test can lower it and show what the bound prevents.
var minLeaseFactor time.Duration = 8

var errLeaderDown = errors.New("spanner: connection reset (server crashed or no leader)")

// failover is the failover state and figures.
type failover struct {
	electFn, heartbeatFn harness.EventFunc
	elections, failed    uint64
	failovers            []time.Duration
}

// setupFailover arms every replica's election timer and every leader's
// heartbeat, and hooks the cluster's crashes and restarts.
func (s *Sim) setupFailover() {
	for gi := range s.groups {
		g := &s.groups[gi]
		g.downAt, g.last = -1, g.leader
		s.nt.After(g.leader, s.cfg.Lease/4, s.heartbeatFn, nil, pack(int32(gi), g.leader, int64(g.epoch)))
		for node := range s.n {
			if node != g.leader {
				s.armElection(node, int32(gi), s.cfg.Lease)
			}
		}
	}
	s.nt.OnCrash = s.crashed
	s.nt.OnRestart = s.restarted
	if err := s.nt.Schedule(s.cfg.Cluster.Faults); err != nil {
		panic(err) // validated when the target was built
	}
}

// stagger is node's wait beyond the lease before it runs for leader of gi.
func (s *Sim) stagger(node int, gi int32) time.Duration {
	rank := (node - s.groups[gi].last - 1 + 2*s.n) % s.n
	return time.Duration(rank) * (s.cfg.Lease / 8)
}

func (s *Sim) armElection(node int, gi int32, after time.Duration) {
	s.nt.After(node, max(after, 1), s.electFn, nil, pack(gi, node, 0))
}

// electionTimer: a replica checks its leader's lease.
func (s *Sim) electionTimer(w *harness.World, _ *harness.Request, arg int64) {
	gi, node, _ := unpack(arg)
	g := &s.groups[gi]
	if g.leader == node {
		return // it leads: no timer until it crashes
	}
	r := s.rep(node, gi)
	due := r.heard + s.cfg.Lease + s.stagger(node, gi)
	if w.Now() < due {
		s.armElection(node, gi, due-w.Now())
		return
	}
	// Run for leader at a ballot above every one seen, unique to this node.
	r.cand = (r.ballot/int32(s.n)+1)*int32(s.n) + int32(node)
	r.ballot, r.votes, r.candEnd, r.heard = r.cand, 1, r.logEnd(), w.Now()
	for o := range s.n {
		if o != node {
			s.nt.Send(node, o, kPrepare, msg{G: gi, B: r.cand})
		}
	}
	if r.votes >= s.maj {
		s.becomeLeader(node, gi)
	}
	s.armElection(node, gi, s.cfg.Lease)
}

// logEnd is the last slot the replica holds.
func (r *replica) logEnd() int64 {
	end := r.have
	for _, x := range r.ooo {
		end = max(end, x)
	}
	return end
}

// prepare: phase 1a at a replica.
func (s *Sim) prepare(node, from int, gi int32, b int32) {
	r := s.rep(node, gi)
	if b <= r.ballot {
		return
	}
	r.ballot, r.heard = b, s.nt.World().Now()
	if s.groups[gi].leader == node {
		s.stepDown(node, gi)
	}
	s.nt.Send(node, from, kPromise, msg{G: gi, B: b, Slot: r.logEnd()})
}

// promised: phase 1b at the candidate.
func (s *Sim) promised(node int, gi int32, b int32, end int64) {
	r := s.rep(node, gi)
	if b != r.cand || r.ballot != b || s.groups[gi].leader == node {
		return
	}
	r.votes++
	r.candEnd = max(r.candEnd, end)
	if r.votes == s.maj {
		s.becomeLeader(node, gi)
	}
}

// becomeLeader: node won group gi's election at its ballot.
func (s *Sim) becomeLeader(node int, gi int32) {
	g := &s.groups[gi]
	r := s.rep(node, gi)
	now := s.nt.World().Now()
	if old := g.leader; old >= 0 && old != node && s.tx != nil {
		// A leader elected at a lower ballot a moment ago, which has not
		// heard of this ballot yet: it is deposed (the model has one leader
		// per group), and its volatile 2PC state goes with it.
		s.tx.lost(old, gi, true)
		s.tx.resetHit()
	}
	s.elections++
	if g.downAt >= 0 {
		s.failovers = append(s.failovers, now-g.downAt)
		g.downAt = -1
	}
	end := max(r.candEnd, g.commit)
	if end < g.next { // slots no promiser holds were never committed: drop them
		if s.tx != nil {
			s.tx.truncated(gi, end)
		}
		g.log = g.log[:end-g.base+1]
		g.next = end
	}
	g.leader, g.last, g.epoch = node, node, r.ballot
	// The new leader knows the timestamps in its log, not its predecessor's
	// promises: the lease covers those (see above).
	g.lastTs = g.trimTs
	if end >= g.base {
		g.lastTs = g.at(end).s
	}
	r.have, r.ooo, r.catching, r.follows, r.asked = end, r.ooo[:0], false, r.ballot, 0
	// Reads it held for its predecessor's promises: it promises them itself.
	if hi, ok := s.waitHi(node, gi); ok {
		a, p := s.leaderPromise(gi, hi)
		s.promise(node, gi, a, p)
	}
	if s.tx != nil {
		s.tx.recover(node, gi, end) // 2PC state from the log, before the re-proposals commit
	}
	for slot := g.commit + 1; slot <= end; slot++ {
		e := g.at(slot)
		e.acks, e.acked = 0, 0
		for o := range s.n {
			if o != node {
				s.nt.Send(node, o, kAccept, msg{G: gi, Slot: slot, Ts: e.s, B: g.epoch})
			}
		}
		s.nt.Fsync(node, s.leaderLoggedFn, nil, pack(gi, node, slot))
	}
	s.heartbeat(s.nt.World(), nil, pack(gi, node, int64(g.epoch)))
}

// stepDown: a leader that saw a higher ballot stops leading.
func (s *Sim) stepDown(node int, gi int32) {
	g := &s.groups[gi]
	g.leader = -1
	g.downAt = s.nt.World().Now()
	if s.tx != nil {
		s.tx.lost(node, gi, true)
		s.tx.resetHit()
	} else {
		s.failAt(node, gi, true)
	}
	s.armElection(node, gi, s.cfg.Lease)
}

// heartbeat: the leader renews its lease with a commit message to every
// replica (commit index and a safe-time promise).
func (s *Sim) heartbeat(w *harness.World, _ *harness.Request, arg int64) {
	gi, node, epoch := unpack(arg)
	g := &s.groups[gi]
	if g.leader != node || int64(g.epoch) != epoch {
		return
	}
	for o := range s.n {
		if o != node {
			s.nt.Send(node, o, kCommit, msg{G: gi, Slot: g.commit, Ts: g.lastTs, A: g.next, B: g.epoch})
		}
	}
	s.nt.After(node, s.cfg.Lease/4, s.heartbeatFn, nil, arg)
}

// fromLeader filters server messages by ballot: a replica takes a leader's
// messages at its promised ballot or above (a higher one is a new leader it
// learns), a leader takes acks of its own ballot and any replica's requests.
func (s *Sim) fromLeader(node, from int, gi int32, b int32, k simnet.Kind) bool {
	g := &s.groups[gi]
	r := s.rep(node, gi)
	switch k {
	case kAccepted:
		return g.leader == node && b == g.epoch
	case kSafeReq, kCatchup:
		return g.leader == node
	}
	if b < r.ballot || from == node {
		return false
	}
	r.heard = s.nt.World().Now()
	if b > r.ballot || b > r.follows {
		r.ballot, r.follows = b, b
		// A new leader: the old one's promises will not come; ask it.
		r.asked = 0
		if hi, ok := s.waitHi(node, gi); ok {
			r.asked = hi
			s.nt.Send(node, from, kSafeReq, msg{G: gi, Ts: hi, B: b})
		}
	}
	return true
}

// catchup: the leader resends the slots after have to a replica that missed
// them (it was down, or joined late).
func (s *Sim) catchup(leader, to int, gi int32, have int64) {
	g := &s.groups[gi]
	for slot := max(have+1, g.base); slot <= g.next; slot++ {
		s.nt.Send(leader, to, kAccept, msg{G: gi, Slot: slot, Ts: g.at(slot).s, B: g.epoch})
	}
}

// fail completes transaction i with an error: its server crashed or its
// group has no leader.
func (s *Sim) fail(i int32) {
	t := &s.txns[i]
	req, g := t.req, t.group
	s.release(i)
	s.failed++
	s.nt.World().Complete(req, harness.Outcome{Shard: g, Err: errLeaderDown})
}

// failAt fails every transaction node was serving for group gi and, if it
// led the group, drops its locks there (the lock table is the leader's,
// volatile).
func (s *Sim) failAt(node int, gi int32, led bool) {
	if led {
		g := &s.groups[gi]
		for j := range g.log {
			g.log[j].txn = -1
		}
		for key := range s.locks {
			if int32(key%uint64(s.cfg.Groups)) == gi {
				delete(s.locks, key)
			}
		}
	}
	for i := range s.txns {
		t := &s.txns[i]
		if t.req != nil && !t.replied && int(t.node) == node && t.group == gi {
			s.fail(int32(i))
		}
	}
}

// crashed: node lost its volatile state; the groups it led have no leader
// until an election.
func (s *Sim) crashed(node int) {
	now := s.nt.World().Now()
	for gi := range s.groups {
		g := &s.groups[gi]
		r := s.rep(node, int32(gi))
		led := g.leader == node
		if led {
			g.leader, g.downAt = -1, now
		}
		if s.tx != nil {
			s.tx.lost(node, int32(gi), led)
		} else {
			s.failAt(node, int32(gi), led)
		}
		r.waiting, r.promises, r.ooo = r.waiting[:0], r.promises[:0], r.ooo[:0]
		r.asked, r.catching, r.votes, r.cand = 0, false, 0, 0
	}
	if s.tx != nil {
		s.tx.crashed(node)
	}
}

// waitHi is the largest timestamp of the reads waiting at node for group
// gi's safe time (ok: there are some).
func (s *Sim) waitHi(node int, gi int32) (hi time.Duration, ok bool) {
	if s.tx != nil {
		for _, q := range s.tx.rwait[node*s.cfg.Groups+int(gi)] {
			hi, ok = max(hi, s.tx.ttxns[q.txn].t), true
		}
		return hi, ok
	}
	for _, i := range s.rep(node, gi).waiting {
		hi, ok = max(hi, s.txns[i].s), true
	}
	return hi, ok
}

// restarted: node is back with its durable log; it follows whoever leads.
func (s *Sim) restarted(node int) {
	now := s.nt.World().Now()
	for gi := range s.groups {
		r := s.rep(node, int32(gi))
		r.heard, r.rejoined = now, true
		if r.applied >= s.groups[gi].base {
			r.tsafe = s.groups[gi].at(r.applied).s
		}
		// Its uncommitted tail: a slot whose fsync the crash cut was never
		// acked, and the leader may need that ack for a majority (nodes=2,
		// or another node down). It logs the tail again and acks it; an ack
		// the leader already counted is counted once (ack's bitmask).
		for slot := max(r.commit+1, s.groups[gi].base); slot <= r.have; slot++ {
			s.nt.Fsync(node, s.replicaLoggedFn, nil, pack(int32(gi), node, slot))
		}
		s.armElection(node, int32(gi), s.cfg.Lease)
	}
}
