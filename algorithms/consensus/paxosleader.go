package consensus

import (
	"math/bits"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
)

// startPhase1 makes the node a candidate with a ballot above any it has
// seen and sends prepare for every slot above its chosen prefix; its own
// promise is a (durable) message to itself.
func (r *replica) startPhase1() {
	px := r.px
	n := int64(px.cfg.Nodes)
	r.resetTimer()
	r.ballot = (r.maxSeen/n+1)*n + int64(r.id)
	r.maxSeen = r.ballot
	r.promised = r.ballot
	wasLeader := r.role == leader
	r.role = candidate
	if wasLeader {
		px.updateLeader()
	}
	px.c.phase1Runs++
	r.promisedBy = 0
	r.recBase = r.prefix
	r.recovered = r.recovered[:0]
	ref := int32(-1)
	if e := r.ownAccepted(r.recBase + 1); len(e) > 0 {
		ref = px.putBlob(e)
	}
	r.sendDurable(r.id, kPromise, pmsg{Ballot: r.ballot, Ref: ref, Commit: r.prefix})
	for f := 0; f < px.cfg.Nodes; f++ {
		if f != r.id {
			r.send(f, kPrepare, pmsg{Ballot: r.ballot, Slot: r.recBase + 1})
		}
	}
}

func (r *replica) onPromise(from int, entries []slotEntry) {
	if r.promisedBy&bit(from) != 0 {
		return
	}
	r.promisedBy |= bit(from)
	for _, e := range entries {
		i := int(e.slot - r.recBase - 1)
		if i < 0 {
			continue
		}
		for len(r.recovered) <= i {
			r.recovered = append(r.recovered, accEntry{})
		}
		if e.ballot > r.recovered[i].ballot {
			r.recovered[i] = e.accEntry
		}
	}
	if bits.OnesCount64(r.promisedBy) >= r.px.cfg.Q1 {
		r.becomeLeader()
	}
}

// becomeLeader ends phase 1: every slot above the chosen prefix up to the
// highest reported is proposed again in the new ballot, with the value of
// the highest ballot reported for it, or a no-op where none was. The
// leader then heartbeats every Heartbeat from now on.
func (r *replica) becomeLeader() {
	px := r.px
	r.role = leader
	px.ts.stop(r.id)
	r.heard, r.sent, r.checkFrom = 0, 0, px.c.w.Now()
	r.propBase, r.nextSlot = r.recBase, r.recBase+1
	r.props, r.unchosen = r.props[:0], 0
	clear(r.inLog)
	for i, e := range r.recovered {
		slot := r.recBase + 1 + int64(i)
		v := entry{cmd: noop}
		if e.ballot > 0 {
			v = e.e
			px.c.recovered++
		}
		if l := px.c.learned(r.id, slot); l.cmd != 0 {
			v = l
		}
		r.proposeAt(slot, v)
	}
	r.beat() // announce the new ballot to the acceptors no accept reached
	r.hbGen++
	px.nt.After(r.id, px.cfg.Heartbeat, px.heartbeatFn, nil, int64(r.id)|r.hbGen<<8)
	if px.c.el != nil {
		px.c.el.heard(r.id, r.id, r.ballot)
	}
	px.updateLeader()
}

// proposeNew appends e to the leader's log in the next free slot.
func (r *replica) proposeNew(e entry) {
	if _, dup := r.inLog[e.cmd]; dup {
		return
	}
	r.proposeAt(r.nextSlot, e)
}

func (r *replica) proposeAt(slot int64, e entry) {
	px := r.px
	r.nextSlot = max(r.nextSlot, slot+1)
	i := int(slot - r.propBase - 1)
	for len(r.props) <= i {
		r.props = append(r.props, prop{})
	}
	now := px.c.w.Now()
	r.props[i] = prop{e: e, sentAt: now}
	if e.cmd > 0 {
		r.inLog[e.cmd] = struct{}{}
	}
	m := pmsg{Ballot: r.ballot, Slot: slot, Cmd: e.cmd, Key: e.key, Low: e.low, Commit: r.prefix}
	// The leader's own acceptor takes it like any other (a message to
	// itself), so its vote counts once it is on disk.
	r.send(r.id, kAccept, m)
	for f := 0; f < px.cfg.Nodes; f++ {
		if f != r.id {
			r.send(f, kAccept, m)
			r.sent |= bit(f)
		}
	}
}

func (r *replica) onAccepted(from int, kind simnet.Kind, p *pmsg) {
	px := r.px
	if r.role != leader || p.Ballot != r.ballot {
		return
	}
	if from != r.id {
		r.heard |= bit(from)
	}
	if kind == kAccepted {
		if i := int(p.Slot - r.propBase - 1); i >= 0 && i < len(r.props) {
			pr := &r.props[i]
			if !pr.chosen && pr.acks&bit(from) == 0 {
				pr.acks |= bit(from)
				if bits.OnesCount64(pr.acks) >= px.cfg.Q2 {
					r.choose(i)
				}
			}
		}
	}
	if from != r.id && p.Cmd != 0 && p.Commit < r.prefix && px.c.w.Now()-r.caughtUpAt[from] >= px.cfg.Heartbeat {
		r.catchUp(from, p.Commit)
	}
}

func (r *replica) choose(i int) {
	p := &r.props[i]
	p.chosen = true
	delete(r.inLog, p.e.cmd)
	r.px.c.learn(r.id, r.propBase+1+int64(i), p.e)
	r.advance()
	r.trimProps()
}

// trimProps drops the leader's chosen proposals below its learned prefix
// once there are many, so a long-lived leader's memory stays flat.
func (r *replica) trimProps() {
	k := min(int(r.prefix-r.propBase), r.unchosen)
	if k < trimStep {
		return
	}
	r.props = append([]prop(nil), r.props[k:]...)
	r.propBase += int64(k)
	r.unchosen -= k
}

// heartbeat is the leader's periodic work: keep-alives to acceptors it sent
// nothing this period, re-sending proposals not chosen in time (messages
// may be lost), and stepping down when it cannot hear a phase-2 quorum for
// a whole election timeout (etcd's CheckQuorum).
func (px *paxos) heartbeat(w *harness.World, _ *harness.Request, arg int64) {
	r := px.r[arg&0xff]
	if r.role != leader || arg>>8 != r.hbGen {
		return
	}
	r.beat()
	r.retransmit()
	if w.Now()-r.checkFrom >= px.cfg.Election.Min {
		if bits.OnesCount64(r.heard)+1 < px.cfg.Q2 {
			r.stepDown()
			return
		}
		r.heard, r.checkFrom = 0, w.Now()
	}
	px.nt.After(r.id, px.cfg.Heartbeat, px.heartbeatFn, nil, arg)
}

// beat sends a heartbeat to every acceptor the leader sent nothing to
// since the last beat.
func (r *replica) beat() {
	for f := 0; f < r.px.cfg.Nodes; f++ {
		if f != r.id && r.sent&bit(f) == 0 {
			r.send(f, kHeartbeat, pmsg{Ballot: r.ballot, Commit: r.prefix})
		}
	}
	r.sent = 0
}

// forceBeat heartbeats every acceptor now and restarts the heartbeat
// period (the elections experiment).
func (r *replica) forceBeat() {
	if r.role != leader {
		return
	}
	r.sent = 0
	r.beat()
	r.hbGen++
	r.px.nt.After(r.id, r.px.cfg.Heartbeat, r.px.heartbeatFn, nil, int64(r.id)|r.hbGen<<8)
}

// retransmit re-sends, to the acceptors that have not accepted it, every
// proposal still not chosen max(2 heartbeats, the minimum election timeout)
// after it was last sent. It looks at no more than MaxCatchup proposals.
func (r *replica) retransmit() {
	px := r.px
	for r.unchosen < len(r.props) && r.props[r.unchosen].chosen {
		r.unchosen++
	}
	after := max(2*px.cfg.Heartbeat, px.cfg.Election.Min)
	now := px.c.w.Now()
	end := min(len(r.props), r.unchosen+px.cfg.MaxCatchup)
	for i := r.unchosen; i < end; i++ {
		p := &r.props[i]
		if p.chosen || now-p.sentAt < after {
			continue
		}
		p.sentAt = now
		m := pmsg{Ballot: r.ballot, Slot: r.propBase + 1 + int64(i), Cmd: p.e.cmd, Key: p.e.key, Low: p.e.low, Commit: r.prefix}
		for f := 0; f < px.cfg.Nodes; f++ {
			if p.acks&bit(f) == 0 {
				r.send(f, kAccept, m)
				r.sent |= bit(f)
			}
		}
	}
}

// catchUp re-sends chosen slots after an acceptor's learned prefix in the
// current ballot; the acceptor accepts them and learns them from the
// commit point.
func (r *replica) catchUp(to int, prefix int64) {
	px := r.px
	r.caughtUpAt[to] = px.c.w.Now()
	end := min(r.prefix, prefix+int64(px.cfg.MaxCatchup))
	for s := prefix + 1; s <= end; s++ {
		v := px.c.learned(r.id, s)
		r.store(s, accEntry{r.ballot, v}) // keep the leader's acceptor consistent with what it sends
		r.send(to, kAccept, pmsg{Ballot: r.ballot, Slot: s, Cmd: v.cmd, Key: v.key, Low: v.low, Commit: r.prefix})
	}
	r.sent |= bit(to)
}
