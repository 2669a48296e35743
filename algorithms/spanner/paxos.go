package spanner

import (
	"sort"
	"time"

	"github.com/dsbench/dsbench/harness"
)

// Paxos replication of one group's log, as messages on the cluster: the
// leader (node g mod nodes, which holds the group's locks and picks its
// timestamps) appends a write to its log, fsyncs it, and sends an accept to
// every other replica; a replica fsyncs the slot and acks; a slot is
// committed once a majority of the replicas (the leader included) has it on
// disk and every earlier slot is committed (§2.1: "Paxos state machine";
// the leader is stable — its lease and re-election are not modelled). The
// leader then tells the replicas the commit index, which they apply in order.
//
// Timestamps increase with the slot (the leader's lastTs is monotonic), so a
// replica that has applied slot k has seen every write with s ≤ s_k: its
// Paxos safe time (§4.1.3, safetime.go).

// group is one Paxos group's leader state. log holds the slots not yet
// applied everywhere: log[j] is slot base+j.
type group struct {
	leader  int
	lastTs  time.Duration // largest timestamp given or promised: later writes go above it
	next    int64         // last assigned slot (0: none)
	commit  int64         // commit index
	base    int64         // slot of log[0]
	log     []entry
	maxRead time.Duration // largest timestamp a snapshot read was served at (checker)
	epoch   int32         // the leader's ballot
	trimTs  time.Duration // s of slot base−1 (the last trimmed)
	downAt  time.Duration // when the leader crashed (−1: it did not)
	last    int           // the latest leader (ranks the candidates while there is none)
}

type entry struct {
	s time.Duration
	// acked: the nodes (below 64) whose durable copy is counted, so that a
	// replica's ack sent before an election and its ack of the new
	// leader's re-proposal count once (with more nodes, acks only counts)
	acked uint64
	acks  int32
	txn   int32 // −1: its transaction failed (its leader crashed)
	// spanner/txn (txn.go): the record's kind (prepare, commit, outcome,
	// abort), the attempt it belongs to, its coordinator group, the key it
	// locks and writes, for an outcome or abort the slot of its prepare,
	// and when it was proposed (blocked_ms_max).
	ref   int64
	key   uint64
	at    time.Duration
	att   int32
	coord int32
	kind  uint8
}

// replica is one node's state for one group.
type replica struct {
	have     int64   // contiguous prefix of slots received
	ooo      []int64 // slots received beyond have (links that reorder)
	commit   int64   // commit index known
	applied  int64
	tsafe    time.Duration // t_safe: no write at or below it is unseen
	promises []promise     // promises waiting for their slots to be applied
	waiting  []int32       // reads waiting for t_safe ≥ their t
	asked    time.Duration // largest t asked of the leader, reply pending
	ballot   int32         // highest ballot promised (durable)
	follows  int32         // ballot of the leader it last heard from
	// rejoined: restarted, it has not asked for the slots it missed yet. It
	// asks at the first heartbeat showing slots beyond its log (kCommit's
	// A), not only committed ones: when it is needed for a majority (nodes=2,
	// or a second node down) nothing past its gap can commit without it.
	rejoined bool
	heard    time.Duration // last message from the group's leader
	votes    int32         // as a candidate: promises gathered at ballot cand
	cand     int32
	candEnd  int64
	catching bool // asked the leader for missing slots
}

// promise: the leader will give no write a timestamp ≤ p outside slots ≤ a.
type promise struct {
	a int64
	p time.Duration
}

func (s *Sim) rep(node int, g int32) *replica { return &s.reps[node*s.cfg.Groups+int(g)] }

func (g *group) at(slot int64) *entry { return &g.log[slot-g.base] }

// pack and unpack a disk callback's argument: group, node and slot.
func pack(g int32, node int, slot int64) int64 { return slot<<22 | int64(node)<<12 | int64(g) }
func unpack(a int64) (int32, int, int64)       { return int32(a & 0xfff), int(a >> 12 & 0x3ff), a >> 22 }

// propose appends a write at s to group gi's log and replicates it; it
// returns the slot.
func (s *Sim) propose(gi int32, ts time.Duration, i int32) int64 {
	return s.proposeEntry(gi, entry{s: ts, txn: i})
}

// proposeEntry appends e (at e.s) to group gi's log and replicates it; it
// returns the slot.
func (s *Sim) proposeEntry(gi int32, e entry) int64 {
	ts := e.s
	g := &s.groups[gi]
	g.next++
	slot := g.next
	g.log = append(g.log, e)
	lr := s.rep(g.leader, gi)
	lr.have = slot
	for r := range s.n {
		if r != g.leader {
			s.nt.Send(g.leader, r, kAccept, msg{G: gi, Slot: slot, Ts: ts, B: g.epoch})
		}
	}
	s.nt.Fsync(g.leader, s.leaderLoggedFn, nil, pack(gi, g.leader, slot))
	return slot
}

// leaderLogged: the leader's own copy of a slot is durable.
func (s *Sim) leaderLogged(_ *harness.World, _ *harness.Request, arg int64) {
	g, node, slot := unpack(arg)
	s.ack(g, node, slot)
}

// accept: replica node receives a slot, logs it and acks once durable.
func (s *Sim) accept(node int, gi int32, slot int64) {
	r := s.rep(node, gi)
	switch {
	case slot == r.have+1:
		r.have++
		for len(r.ooo) > 0 {
			j := indexOf(r.ooo, r.have+1)
			if j < 0 {
				break
			}
			r.ooo = append(r.ooo[:j], r.ooo[j+1:]...)
			r.have++
		}
	case slot > r.have && indexOf(r.ooo, slot) < 0:
		r.ooo = append(r.ooo, slot)
	}
	r.catching = r.catching && r.have < r.commit
	s.nt.Fsync(node, s.replicaLoggedFn, nil, pack(gi, node, slot))
	s.apply(node, gi)
}

func indexOf(xs []int64, x int64) int {
	for j, v := range xs {
		if v == x {
			return j
		}
	}
	return -1
}

// replicaLogged: the replica's copy is durable; it acks to the leader.
func (s *Sim) replicaLogged(_ *harness.World, _ *harness.Request, arg int64) {
	g, node, slot := unpack(arg)
	if l := s.groups[g].leader; l >= 0 && l != node {
		s.nt.Send(node, l, kAccepted, msg{G: g, Slot: slot, B: s.rep(node, g).ballot})
	}
}

// ack counts one durable copy of slot at the leader and advances the
// commit index over every slot a majority holds.
func (s *Sim) ack(gi int32, node int, slot int64) {
	g := &s.groups[gi]
	if slot < g.base || slot > g.next {
		return
	}
	e := g.at(slot)
	if node < 64 {
		if e.acked&(1<<node) != 0 {
			return
		}
		e.acked |= 1 << node
	}
	e.acks++
	if slot <= g.commit {
		return
	}
	advanced := false
	for g.commit < g.next && g.at(g.commit+1).acks >= s.maj {
		g.commit++
		advanced = true
		if s.tx != nil {
			s.tx.logged(gi, g.commit)
		} else if i := g.at(g.commit).txn; i >= 0 {
			s.committed(i)
		}
	}
	if !advanced {
		return
	}
	lr := s.rep(g.leader, gi)
	lr.commit = g.commit
	s.apply(g.leader, gi)
	for r := range s.n {
		if r != g.leader {
			s.nt.Send(g.leader, r, kCommit, msg{G: gi, Slot: g.commit, Ts: g.lastTs, A: g.next, B: g.epoch})
		}
	}
}

// apply applies node's received, committed slots in order and raises its
// safe time to the last applied write's timestamp.
func (s *Sim) apply(node int, gi int32) {
	r := s.rep(node, gi)
	upTo := min(r.commit, r.have)
	if upTo <= r.applied {
		return
	}
	g := &s.groups[gi]
	if s.tx != nil {
		s.tx.applyRecords(node, gi, r.applied+1, upTo)
	}
	r.applied = upTo
	r.tsafe = max(r.tsafe, g.at(upTo).s)
	kept := r.promises[:0]
	for _, p := range r.promises {
		if p.a <= r.applied {
			r.tsafe = max(r.tsafe, p.p)
		} else {
			kept = append(kept, p)
		}
	}
	r.promises = kept
	s.serveWaiting(node, gi)
	s.trim(gi)
}

// trim drops the log prefix every replica has applied.
func (s *Sim) trim(gi int32) {
	g := &s.groups[gi]
	low := g.commit
	for node := range s.n {
		low = min(low, s.rep(node, gi).applied)
	}
	if drop := low - g.base + 1; drop > 256 && int(drop) > len(g.log)/2 {
		g.trimTs = g.log[drop-1].s
		n := copy(g.log, g.log[drop:])
		g.log = g.log[:n]
		g.base += drop
	}
}

// lastAtOrBelow is the last slot whose write has s ≤ t (base−1 if none of
// the slots kept has; those below base are applied everywhere).
func (g *group) lastAtOrBelow(t time.Duration) int64 {
	j := sort.Search(len(g.log), func(j int) bool { return g.log[j].s > t })
	return g.base + int64(j) - 1
}
