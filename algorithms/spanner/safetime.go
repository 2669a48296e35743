package spanner

import (
	"github.com/dsbench/dsbench/algorithms/internal/slots"
	"time"

	"github.com/dsbench/dsbench/harness"
)

// Snapshot reads and safe time (§4.1.3–4.1.4). A read at timestamp t can be
// served by any replica whose safe time t_safe ≥ t: every write with s ≤ t
// is then applied there. A replica's t_safe is the larger of
//
//   - t_Paxos: the timestamp of the last write it applied (timestamps grow
//     with the slot, so it has every write at or below it), and
//   - the leader's promises: "no write outside slots ≤ A will get a
//     timestamp ≤ P", which hold once the replica has applied slot A. The
//     leader keeps them by raising lastTs to P (later writes take s > P).
//     Commit messages carry one (A = last assigned slot, P = lastTs); a
//     replica asked to read above its t_safe asks the leader for one at the
//     read's t (the leader then answers with A = the last slot at or below
//     t, so the replica waits only for the writes the read must see).
//
// With one Paxos group and no two-phase commit there are no prepared
// transactions, so t_TM = ∞ (§4.1.3); multi-group transactions (2PC) would
// bound t_safe below their prepare timestamps here.
//
// A fresh read takes t = TT.now().latest at the node that serves it, so it
// always waits for the leader's promise: one more round trip from a replica
// (longer if the replica's clock runs ahead of the leader's by more than the
// one-way delay), none at the leader. A read with staleness δ takes t = TT.now().latest − δ,
// and with δ larger than the time since the last applied write it is served
// at once.

// read picks a snapshot read's timestamp at node and serves it once
// t_safe ≥ t.
func (s *Sim) read(node int, i int32) {
	t := &s.txns[i]
	now := s.nt.World().Now()
	t.arrived = now
	t.s = s.pick(node, now) - s.cfg.Staleness
	t.stale = s.cfg.Staleness > 0
	r := s.rep(node, t.group)
	if !s.cfg.SafeWait || t.s <= r.tsafe {
		s.serve(node, i)
		return
	}
	r.waiting = append(r.waiting, i)
	g := &s.groups[t.group]
	if node == g.leader {
		a, p := s.leaderPromise(t.group, t.s)
		s.promise(node, t.group, a, p)
		return
	}
	if g.leader >= 0 && t.s > r.asked {
		r.asked = t.s
		s.nt.Send(node, g.leader, kSafeReq, msg{G: t.group, Ts: t.s, B: r.ballot})
	}
}

// safeRequest: the leader answers a replica's request for a promise at t
// once its own TT.now().latest ≥ t, as Spanner's leader advances its safe
// time (MinNextTS) from its own clock: promising a t beyond it would push
// the next writes' timestamps, and so their commit waits, past 2ε.
func (s *Sim) safeRequest(leader, from int, gi int32, t time.Duration) {
	now := s.nt.World().Now()
	at := s.clocks[leader].LatestReaches(t, now)
	if at == now {
		a, p := s.leaderPromise(gi, t)
		s.nt.Send(leader, from, kSafeReply, msg{G: gi, Slot: a, Ts: p, B: s.groups[gi].epoch})
		return
	}
	i := slots.Take(&s.sfree, &s.sreqs)
	s.sreqs[i] = safeReq{g: gi, to: int32(from), t: t, epoch: s.groups[gi].epoch}
	s.nt.After(leader, at-now, s.safeFn, nil, int64(i))
}

// safeReq is a replica's request the leader answers later.
type safeReq struct {
	g, to, epoch int32
	t            time.Duration
}

func (s *Sim) safeLater(_ *harness.World, _ *harness.Request, arg int64) {
	q := s.sreqs[arg]
	s.sfree.Put(int32(arg))
	g := &s.groups[q.g]
	if g.epoch != q.epoch {
		return // the leader lost its role since (it crashed and restarted)
	}
	a, p := s.leaderPromise(q.g, q.t)
	s.nt.Send(g.leader, int(q.to), kSafeReply, msg{G: q.g, Slot: a, Ts: p, B: g.epoch})
}

// leaderPromise promises that no later write of group gi gets a timestamp
// ≤ t: it returns A, the last slot at or below t, and P = t.
func (s *Sim) leaderPromise(gi int32, t time.Duration) (int64, time.Duration) {
	g := &s.groups[gi]
	g.lastTs = max(g.lastTs, t)
	return g.lastAtOrBelow(t), t
}

// promise records a leader's promise at node and serves the reads it covers.
func (s *Sim) promise(node int, gi int32, a int64, p time.Duration) {
	r := s.rep(node, gi)
	if a <= r.applied {
		if p <= r.tsafe {
			return
		}
		r.tsafe = p
		s.serveWaiting(node, gi)
		return
	}
	r.promises = append(r.promises, promise{a, p})
}

// serveWaiting serves node's reads of group gi whose t ≤ t_safe.
func (s *Sim) serveWaiting(node int, gi int32) {
	if s.tx != nil {
		s.tx.serveGroup(node, gi)
		return
	}
	r := s.rep(node, gi)
	if len(r.waiting) == 0 {
		return
	}
	kept := r.waiting[:0]
	for _, i := range r.waiting {
		if s.txns[i].s <= r.tsafe {
			s.serve(node, i)
		} else {
			kept = append(kept, i)
		}
	}
	r.waiting = kept
	if len(kept) == 0 {
		r.asked = 0
	}
}

// serve answers a snapshot read at node from its applied state.
func (s *Sim) serve(node int, i int32) {
	t := &s.txns[i]
	g := &s.groups[t.group]
	s.checkRead(t, g, s.rep(node, t.group).applied)
	wait := s.nt.World().Now() - t.arrived
	s.stwHist.RecordValue(int64(wait))
	if wait > 0 {
		s.safeWaits++
	}
	if node == g.leader {
		s.readsLeader++
	} else {
		s.readsReplica++
	}
	t.replied = true
	s.nt.ToClient(node, kReply, msg{G: t.group, Txn: i})
}
