package consensus

import (
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
)

// Paxos message kinds (simnet tags, counted per kind).
const (
	kPrepare       simnet.Kind = iota // 1a: ballot, first slot the proposer does not know chosen
	kPromise                          // 1b: ballot, the acceptor's accepted (slot, ballot, value) from that slot on
	kAccept                           // 2a: ballot, slot, value; Commit = the leader's chosen prefix
	kAccepted                         // 2b: ballot, slot; Commit = the acceptor's learned prefix, Cmd = 1 if it lags
	kHeartbeat                        // an idle leader's keep-alive; Commit = its chosen prefix
	kHeartbeatResp                    // Commit = the acceptor's learned prefix, Cmd = 1 if it lags
	kNack                             // a rejection: Ballot = the acceptor's promise
	kRequest                          // client → the leader it knows: Cmd, Key, Low
	kReply                            // leader → client: Cmd, and Commit = a read's result
)

var paxosKinds = []string{"prepare", "promise", "accept", "accepted", "heartbeat", "heartbeat_resp", "nack", "request", "reply"}

// pmsg is a Paxos message: a small value, copied into simnet's pooled
// envelopes. A promise's accepted values travel in a side table (Ref).
type pmsg struct {
	Ballot, Slot, Cmd, Commit, Low int64
	Key                            uint64
	Ref                            int32
}

func (m *pmsg) entry() entry { return entry{cmd: m.Cmd, key: m.Key, low: m.Low} }

type accEntry struct {
	ballot int64
	e      entry
}

type slotEntry struct {
	slot int64
	accEntry
}

type role uint8

const (
	follower role = iota
	candidate
	leader
)

// PaxosConfig configures a Multi-Paxos cluster.
type PaxosConfig struct {
	Nodes     int
	Q1, Q2    int           // phase-1 and phase-2 quorum sizes (q1 + q2 > Nodes)
	Election  TimeoutRange  // a follower's election timeout, redrawn at each reset
	Heartbeat time.Duration // an idle leader's keep-alive period
	// MaxCatchup bounds the chosen slots re-sent to a lagging acceptor at
	// once (default 64).
	MaxCatchup int
	// brokenPromises makes every acceptor promise without reporting what it
	// accepted: a deliberately unsafe acceptor, for the safety check's test.
	brokenPromises bool
	// Unsafe skips the q1 + q2 > n check (flexible-paxos unsafe=true: the
	// deliberately broken variant --check must catch).
	Unsafe bool
}

// paxos is a Multi-Paxos cluster: one replica (acceptor, learner and
// potential leader) per node, over the simulated cluster.
type paxos struct {
	cfg   PaxosConfig
	c     *core
	nt    *simnet.Net[pmsg]
	r     []*replica
	ts    *timers[pmsg]
	ds    *durableSends[pmsg]
	blobs [][]slotEntry

	heartbeatFn harness.EventFunc
}

// replica is one node. Acceptor and learner state is durable (kept across a
// crash, written through the node's disk before it is acknowledged); the
// proposer/leader state is volatile.
type replica struct {
	id int
	px *paxos

	// acceptor (durable)
	promised int64
	accBase  int64      // acc holds slots accBase+1…
	acc      []accEntry // slot → last accepted (ballot, value)
	// learner (durable): the learned values live in core.logs[id]
	prefix int64 // every slot ≤ prefix is learned

	// volatile
	role    role
	ballot  int64 // own ballot while candidate or leader
	maxSeen int64
	hbGen   int64 // bumped at each leadership: stale heartbeat loops stop

	promisedBy uint64
	recBase    int64
	recovered  []accEntry // candidate: slot recBase+1+i → highest-ballot accepted value reported

	propBase   int64
	props      []prop // leader: slot propBase+1+i
	nextSlot   int64
	inLog      map[int64]struct{} // commands in the leader's log not yet chosen
	heard      uint64             // acceptors heard from since checkFrom
	checkFrom  time.Duration
	sent       uint64          // acceptors sent something this heartbeat period
	caughtUpAt []time.Duration // when each acceptor was last caught up
	unchosen   int             // props[:unchosen] are all chosen

}

// prop is a leader's proposal for one slot.
type prop struct {
	e      entry
	acks   uint64 // acceptors that accepted it in the leader's ballot (itself once durable)
	chosen bool
	sentAt time.Duration
}

func newPaxos(c *core, nt *simnet.Net[pmsg], cfg PaxosConfig) *paxos {
	if cfg.MaxCatchup <= 0 {
		cfg.MaxCatchup = 64
	}
	px := &paxos{cfg: cfg, c: c, nt: nt}
	px.ts = newTimers(nt, px.electionTimeout)
	px.ds = newDurableSends(nt)
	px.ds.refresh = func(node int, k simnet.Kind, m *pmsg) {
		if k == kAccepted {
			m.Commit = px.r[node].prefix // report what is learned by now
		}
	}
	px.heartbeatFn = px.heartbeat
	for i := 0; i < cfg.Nodes; i++ {
		r := &replica{id: i, px: px, inLog: map[int64]struct{}{}, caughtUpAt: make([]time.Duration, cfg.Nodes)}
		px.r = append(px.r, r)
		nt.Handle(i, r.receive)
	}
	nt.HandleClients(func(m *simnet.Msg[pmsg]) { c.answer(m.From, m.Payload.Cmd, m.Payload.Commit) })
	c.request = func(node int, e entry) {
		nt.FromClient(node, kRequest, pmsg{Cmd: e.cmd, Key: e.key, Low: e.low})
	}
	c.reply = func(node int, cmd, value int64) { nt.ToClient(node, kReply, pmsg{Cmd: cmd, Commit: value}) }
	c.skip = func(node int, cmd int64) bool { _, ok := px.r[node].inLog[cmd]; return ok }
	c.trim = px.trim
	return px
}

func bit(i int) uint64 { return 1 << uint(i) }

func (r *replica) send(to int, k simnet.Kind, m pmsg) { r.px.nt.Send(r.id, to, k, m) }

// sendDurable sends m once the state it reports is on the node's disk.
func (r *replica) sendDurable(to int, k simnet.Kind, m pmsg) { r.px.ds.send(r.id, to, k, m) }

func (r *replica) resetTimer() { r.px.ts.reset(r.id, r.px.cfg.Election.draw(r.px.c.w)) }

// electionTimeout: node heard from no leader for its whole election
// timeout. A candidate whose timer runs out lost its election (a split
// vote, or its messages were lost): it counts as one.
func (px *paxos) electionTimeout(node int) {
	r := px.r[node]
	if r.role == leader {
		return
	}
	if r.role == candidate && px.c.el != nil {
		px.c.el.splitVote()
	}
	r.startPhase1()
}

// updateLeader tells the core which live node leads with the highest ballot.
func (px *paxos) updateLeader() {
	best, bal := -1, int64(0)
	for _, r := range px.r {
		if r.role == leader && px.nt.Up(r.id) && r.ballot > bal {
			best, bal = r.id, r.ballot
		}
	}
	px.c.setLeader(best, bal)
}

// store records an accepted value (the acceptor's durable state).
func (r *replica) store(slot int64, e accEntry) {
	i := slot - r.accBase - 1
	if i < 0 {
		return
	}
	for int64(len(r.acc)) <= i {
		r.acc = append(r.acc, accEntry{})
	}
	r.acc[i] = e
}

func (r *replica) accepted(slot int64) accEntry {
	if i := slot - r.accBase - 1; i >= 0 && i < int64(len(r.acc)) {
		return r.acc[i]
	}
	return accEntry{}
}

// ownAccepted returns the node's accepted values from slot from on as a
// promise would report them (nothing for a broken acceptor).
func (r *replica) ownAccepted(from int64) []slotEntry {
	if r.px.cfg.brokenPromises {
		return nil
	}
	var out []slotEntry
	for s := max(from, r.accBase+1); s <= r.accBase+int64(len(r.acc)); s++ {
		if e := r.accepted(s); e.ballot > 0 {
			out = append(out, slotEntry{s, e})
		}
	}
	return out
}

// learnUpTo learns, from a leader of ballot b whose chosen prefix is commit,
// every slot the node accepted in ballot b (the value that leader chose).
// It reports whether the node still lags behind commit.
func (r *replica) learnUpTo(b, commit int64) bool {
	c := r.px.c
	for r.prefix < commit {
		s := r.prefix + 1
		if c.learned(r.id, s).cmd == 0 {
			a := r.accepted(s)
			if a.ballot != b {
				return true
			}
			c.learn(r.id, s, a.e)
		}
		r.advance()
	}
	return false
}

// advance moves the learned prefix over every learned slot and applies
// them; a leader answers the clients of the commands it applies.
func (r *replica) advance() {
	c := r.px.c
	for c.learned(r.id, r.prefix+1).cmd != 0 {
		r.prefix++
	}
	c.apply(r.id, r.role == leader)
}

// see notes a ballot; a proposer that meets a higher one steps down.
func (r *replica) see(b int64) {
	r.maxSeen = max(r.maxSeen, b)
	if r.role != follower && b > r.ballot {
		r.stepDown()
	}
}

func (r *replica) stepDown() {
	was := r.role
	r.role = follower
	r.resetTimer()
	if was == leader {
		r.px.updateLeader()
	}
}

func (r *replica) receive(m *simnet.Msg[pmsg]) {
	px := r.px
	p := &m.Payload
	switch m.Kind {
	case kRequest:
		if r.role == leader {
			r.proposeNew(p.entry())
		} // else dropped: the client re-sends to the next leader it learns of
	case kPrepare:
		r.see(p.Ballot)
		if p.Ballot < r.promised {
			r.send(m.From, kNack, pmsg{Ballot: r.promised, Slot: p.Ballot})
			return
		}
		r.promised = p.Ballot
		r.resetTimer() // a live candidate: do not duel it
		ref := int32(-1)
		if e := r.ownAccepted(p.Slot); len(e) > 0 {
			ref = px.putBlob(e)
		}
		r.sendDurable(m.From, kPromise, pmsg{Ballot: p.Ballot, Ref: ref, Commit: r.prefix})
	case kPromise:
		var e []slotEntry
		if p.Ref >= 0 {
			e = px.blobs[p.Ref]
		}
		if r.role == candidate && p.Ballot == r.ballot {
			r.onPromise(m.From, e)
		}
	case kAccept, kHeartbeat:
		r.see(p.Ballot)
		if p.Ballot < r.promised {
			r.send(m.From, kNack, pmsg{Ballot: r.promised, Slot: p.Ballot})
			return
		}
		r.promised = p.Ballot
		if m.From != r.id {
			r.resetTimer()
			if px.c.el != nil {
				px.c.el.heard(r.id, m.From, p.Ballot)
			}
		}
		k := kHeartbeatResp
		if m.Kind == kAccept {
			r.store(p.Slot, accEntry{p.Ballot, p.entry()})
			k = kAccepted
		}
		lag := int64(0)
		if r.learnUpTo(p.Ballot, p.Commit) {
			lag = 1
		}
		reply := pmsg{Ballot: p.Ballot, Slot: p.Slot, Cmd: lag, Commit: r.prefix}
		if k == kAccepted {
			r.sendDurable(m.From, k, reply)
		} else {
			r.send(m.From, k, reply)
		}
	case kAccepted, kHeartbeatResp:
		r.onAccepted(m.From, m.Kind, p)
	case kNack:
		r.see(p.Ballot)
	}
}

// crash drops the node's volatile state; acceptor and learner state persist.
func (r *replica) crash() {
	r.role = follower
	r.props = r.props[:0]
	r.recovered = r.recovered[:0]
	clear(r.inLog)
	r.px.ds.lost(r.id)
	r.px.ts.lost(r.id)
	r.px.updateLeader()
}

func (r *replica) restart() {
	r.role = follower
	r.maxSeen = max(r.maxSeen, r.promised)
	r.px.ts.lost(r.id)
	r.resetTimer()
}

// trim drops acceptor state for slots every node has applied.
func (px *paxos) trim(floor int64) {
	for _, r := range px.r {
		if k := floor - r.accBase; k > 0 {
			k = min(k, int64(len(r.acc)))
			r.acc = append([]accEntry(nil), r.acc[k:]...)
			r.accBase = floor
		}
	}
}

// putBlob keeps a promise's accepted values for the message to refer to.
// Phase 1 is rare, so blobs are kept until the run ends (a duplicated
// promise may read one twice).
func (px *paxos) putBlob(e []slotEntry) int32 {
	px.blobs = append(px.blobs, e)
	return int32(len(px.blobs) - 1)
}
