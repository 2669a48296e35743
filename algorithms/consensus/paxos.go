package consensus

import (
	"math/bits"

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
)

var paxosKinds = []string{"prepare", "promise", "accept", "accepted", "heartbeat", "heartbeat_resp", "nack"}

// pmsg is a Paxos message: a small value, copied into simnet's pooled
// envelopes. A promise's accepted values travel in a side table (Ref).
type pmsg struct {
	Ballot, Slot, Cmd, Commit int64
	Ref                       int32
}

type accEntry struct{ ballot, cmd int64 }

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

// prop is a leader's proposal for one slot.
type prop struct {
	cmd    int64
	acks   uint64 // acceptors that accepted it in the leader's ballot
	chosen bool
	sentAt int // tick it was last sent
}

// PaxosConfig configures a Multi-Paxos cluster.
type PaxosConfig struct {
	Nodes          int
	Q1, Q2         int // phase-1 and phase-2 quorum sizes (q1 + q2 > Nodes)
	ElectionTicks  int // election timeout T in ticks: uniform in [T, 2T)
	HeartbeatTicks int // an idle leader's keep-alive period in ticks
	// MaxCatchup bounds the chosen slots re-sent to a lagging acceptor at
	// once (default 64).
	MaxCatchup int
	// brokenPromises makes every acceptor promise without reporting what it
	// accepted: a deliberately unsafe acceptor, for the safety check's test.
	brokenPromises bool
	// unsafeQuorums skips the q1 + q2 > n check (for the test that shows
	// why it is needed).
	unsafeQuorums bool
}

// paxos is a Multi-Paxos cluster: one replica (acceptor, learner and
// potential leader) per node, over a simnet network.
type paxos struct {
	cfg   PaxosConfig
	c     *core
	nt    *simnet.Net[pmsg]
	r     []*replica
	blobs [][]slotEntry
}

// replica is one node. Acceptor and learner state is durable (kept across a
// crash); the proposer/leader state is volatile.
type replica struct {
	id int
	px *paxos

	// acceptor (durable)
	promised int64
	acc      []accEntry // slot → last accepted (ballot, value); slots start at 1
	// learner (durable): the chosen log lives in core.logs[id]
	prefix int64 // every slot ≤ prefix is learned

	// volatile
	role      role
	ballot    int64 // own ballot while candidate or leader
	maxSeen   int64
	elapsed   int
	timeout   int
	hbElapsed int
	chkElapsd int

	promisedBy uint64
	recBase    int64
	recovered  []accEntry // candidate: slot recBase+i → highest-ballot accepted value reported

	propBase   int64
	props      []prop // leader: slot propBase+i
	nextSlot   int64
	inLog      map[int64]struct{}
	heard      uint64 // acceptors heard from in the current check period
	sent       uint64 // acceptors sent something this heartbeat period
	caughtUpAt []int  // tick count of the last catch-up per acceptor
	ticks      int
	unchosen   int // props[:unchosen] are all chosen
}

func newPaxos(c *core, nt *simnet.Net[pmsg], cfg PaxosConfig) *paxos {
	if cfg.MaxCatchup <= 0 {
		cfg.MaxCatchup = 64
	}
	if cfg.HeartbeatTicks <= 0 {
		cfg.HeartbeatTicks = 1
	}
	px := &paxos{cfg: cfg, c: c, nt: nt}
	for i := 0; i < cfg.Nodes; i++ {
		r := &replica{id: i, px: px, acc: make([]accEntry, 1, 1024), inLog: map[int64]struct{}{}, caughtUpAt: make([]int, cfg.Nodes)}
		r.resetTimer()
		px.r = append(px.r, r)
		nt.Handle(i, r.receive)
	}
	c.propose = func(node int, cmd int64) { px.r[node].proposeNew(cmd) }
	c.skip = func(node int, cmd int64) bool { _, ok := px.r[node].inLog[cmd]; return ok }
	return px
}

func bit(i int) uint64 { return 1 << uint(i) }

func (r *replica) send(to int, k simnet.Kind, m pmsg) {
	r.px.nt.Send(r.id, to, k, m)
}

func (r *replica) resetTimer() {
	t := r.px.cfg.ElectionTicks
	r.elapsed = 0
	r.timeout = t + r.px.c.w.Rand().IntN(t)
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

// tick advances node's logical clock by one tick.
func (r *replica) tick() {
	r.ticks++
	cfg := &r.px.cfg
	if r.role != leader {
		r.elapsed++
		if r.elapsed >= r.timeout {
			r.startPhase1()
		}
		return
	}
	r.hbElapsed++
	if r.hbElapsed >= cfg.HeartbeatTicks {
		r.hbElapsed = 0
		for f := 0; f < cfg.Nodes; f++ {
			if f != r.id && r.sent&bit(f) == 0 {
				r.send(f, kHeartbeat, pmsg{Ballot: r.ballot, Commit: r.prefix})
			}
		}
		r.sent = 0
	}
	r.retransmit()
	// A leader that has not heard from enough acceptors to form a phase-2
	// quorum for a whole election timeout steps down, so clients go to a
	// leader that can commit (etcd's CheckQuorum).
	r.chkElapsd++
	if r.chkElapsd >= cfg.ElectionTicks {
		r.chkElapsd = 0
		if bits.OnesCount64(r.heard)+1 < cfg.Q2 {
			r.stepDown()
			return
		}
		r.heard = 0
	}
}

// retransmit re-sends, to the acceptors that have not accepted it, every
// proposal still not chosen an election timeout T (at least 2 ticks) after
// it was last sent (messages may be lost). It looks at no more than
// MaxCatchup proposals per tick.
func (r *replica) retransmit() {
	for r.unchosen < len(r.props) && r.props[r.unchosen].chosen {
		r.unchosen++
	}
	end := min(len(r.props), r.unchosen+r.px.cfg.MaxCatchup)
	for i := r.unchosen; i < end; i++ {
		p := &r.props[i]
		if p.chosen || r.ticks-p.sentAt < max(2, r.px.cfg.ElectionTicks) {
			continue
		}
		p.sentAt = r.ticks
		m := pmsg{Ballot: r.ballot, Slot: r.propBase + int64(i), Cmd: p.cmd, Commit: r.prefix}
		for f := 0; f < r.px.cfg.Nodes; f++ {
			if f != r.id && p.acks&bit(f) == 0 {
				r.send(f, kAccept, m)
				r.sent |= bit(f)
			}
		}
	}
}

// startPhase1 makes the node a candidate with a ballot above any it has
// seen and sends prepare for every slot above its chosen prefix.
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
	r.recBase = r.prefix + 1
	r.recovered = r.recovered[:0]
	r.onPromise(r.id, r.ownAccepted(r.recBase))
	for f := 0; f < px.cfg.Nodes; f++ {
		if f != r.id {
			r.send(f, kPrepare, pmsg{Ballot: r.ballot, Slot: r.recBase})
		}
	}
}

// ownAccepted returns the node's accepted values from slot from on as a
// promise would report them (nothing for a broken acceptor).
func (r *replica) ownAccepted(from int64) []slotEntry {
	if r.px.cfg.brokenPromises {
		return nil
	}
	var out []slotEntry
	for s := from; s < int64(len(r.acc)); s++ {
		if e := r.acc[s]; e.ballot > 0 {
			out = append(out, slotEntry{s, e})
		}
	}
	return out
}

func (r *replica) onPromise(from int, entries []slotEntry) {
	if r.promisedBy&bit(from) != 0 {
		return
	}
	r.promisedBy |= bit(from)
	for _, e := range entries {
		i := int(e.slot - r.recBase)
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
// the highest ballot reported for it, or a no-op where none was.
func (r *replica) becomeLeader() {
	r.role = leader
	r.hbElapsed, r.chkElapsd, r.heard, r.sent = 0, 0, 0, 0
	r.propBase, r.nextSlot = r.recBase, r.recBase
	r.props, r.unchosen = r.props[:0], 0
	clear(r.inLog)
	for i, e := range r.recovered {
		slot := r.recBase + int64(i)
		v := noop
		if e.ballot > 0 {
			v = e.cmd
			r.px.c.recovered++
		}
		if l := r.px.c.learned(r.id, slot); l != 0 {
			v = l
		}
		r.proposeAt(slot, v)
	}
	r.px.updateLeader()
}

// proposeNew appends cmd to the leader's log in the next free slot.
func (r *replica) proposeNew(cmd int64) {
	if r.role != leader {
		return
	}
	r.proposeAt(r.nextSlot, cmd)
}

func (r *replica) proposeAt(slot, cmd int64) {
	px := r.px
	r.nextSlot = max(r.nextSlot, slot+1)
	i := int(slot - r.propBase)
	for len(r.props) <= i {
		r.props = append(r.props, prop{})
	}
	r.props[i] = prop{cmd: cmd, acks: bit(r.id), sentAt: r.ticks}
	if cmd > 0 {
		r.inLog[cmd] = struct{}{}
	}
	r.store(slot, accEntry{r.ballot, cmd}) // the leader's own acceptor
	m := pmsg{Ballot: r.ballot, Slot: slot, Cmd: cmd, Commit: r.prefix}
	for f := 0; f < px.cfg.Nodes; f++ {
		if f != r.id {
			r.send(f, kAccept, m)
			r.sent |= bit(f)
		}
	}
	if px.cfg.Q2 <= 1 {
		r.choose(i)
	}
}

func (r *replica) store(slot int64, e accEntry) {
	for int64(len(r.acc)) <= slot {
		r.acc = append(r.acc, accEntry{})
	}
	r.acc[slot] = e
}

func (r *replica) choose(i int) {
	p := &r.props[i]
	p.chosen = true
	slot := r.propBase + int64(i)
	r.px.c.learn(r.id, slot, p.cmd)
	r.advance()
}

// advance moves the learned prefix over every learned slot; the leader
// applies them in order, acknowledging their commands.
func (r *replica) advance() {
	c := r.px.c
	for {
		v := c.learned(r.id, r.prefix+1)
		if v == 0 {
			return
		}
		r.prefix++
		if r.role == leader {
			c.applied(r.id, r.prefix, v)
		}
	}
}

// learnUpTo learns, from a leader of ballot b whose chosen prefix is commit,
// every slot the node accepted in ballot b (the value that leader chose).
// It reports whether the node still lags behind commit.
func (r *replica) learnUpTo(b, commit int64) bool {
	c := r.px.c
	for r.prefix < commit {
		s := r.prefix + 1
		if c.learned(r.id, s) == 0 {
			if s >= int64(len(r.acc)) || r.acc[s].ballot != b {
				return true
			}
			c.learn(r.id, s, r.acc[s].cmd)
		}
		r.advance()
	}
	return false
}

func (r *replica) stepDown() {
	was := r.role
	r.role = follower
	r.resetTimer()
	if was == leader {
		r.px.updateLeader()
	}
}

// see notes a ballot; a proposer that meets a higher one steps down.
func (r *replica) see(b int64) {
	r.maxSeen = max(r.maxSeen, b)
	if r.role != follower && b > r.ballot {
		r.stepDown()
	}
}

func (r *replica) receive(m *simnet.Msg[pmsg]) {
	px := r.px
	p := &m.Payload
	switch m.Kind {
	case kPrepare:
		r.see(p.Ballot)
		if p.Ballot < r.promised {
			r.send(m.From, kNack, pmsg{Ballot: r.promised, Slot: p.Ballot})
			return
		}
		r.promised = p.Ballot
		r.elapsed = 0 // a live candidate: do not duel it
		ref := int32(-1)
		if e := r.ownAccepted(p.Slot); len(e) > 0 {
			ref = px.putBlob(e)
		}
		r.send(m.From, kPromise, pmsg{Ballot: p.Ballot, Ref: ref, Commit: r.prefix})
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
		r.elapsed = 0
		k := kHeartbeatResp
		if m.Kind == kAccept {
			r.store(p.Slot, accEntry{p.Ballot, p.Cmd})
			k = kAccepted
		}
		lag := int64(0)
		if r.learnUpTo(p.Ballot, p.Commit) {
			lag = 1
		}
		r.send(m.From, k, pmsg{Ballot: p.Ballot, Slot: p.Slot, Cmd: lag, Commit: r.prefix})
	case kAccepted, kHeartbeatResp:
		if r.role != leader || p.Ballot != r.ballot {
			return
		}
		r.heard |= bit(m.From)
		if m.Kind == kAccepted {
			if i := int(p.Slot - r.propBase); i >= 0 && i < len(r.props) {
				pr := &r.props[i]
				if !pr.chosen && pr.acks&bit(m.From) == 0 {
					pr.acks |= bit(m.From)
					if bits.OnesCount64(pr.acks) >= px.cfg.Q2 {
						r.choose(i)
					}
				}
			}
		}
		if p.Cmd != 0 && p.Commit < r.prefix && r.caughtUpAt[m.From] != r.ticks {
			r.catchUp(m.From, p.Commit)
		}
	case kNack:
		r.see(p.Ballot)
	}
}

// catchUp re-sends chosen slots after from's learned prefix in the current
// ballot; the acceptor accepts them and learns them from the commit point.
func (r *replica) catchUp(to int, prefix int64) {
	r.caughtUpAt[to] = r.ticks
	end := min(r.prefix, prefix+int64(r.px.cfg.MaxCatchup))
	for s := prefix + 1; s <= end; s++ {
		v := r.px.c.learned(r.id, s)
		r.store(s, accEntry{r.ballot, v}) // keep the leader's acceptor consistent with what it sends
		r.send(to, kAccept, pmsg{Ballot: r.ballot, Slot: s, Cmd: v, Commit: r.prefix})
	}
	r.sent |= bit(to)
}

// crash drops the node's volatile state; acceptor and learner state persist.
func (r *replica) crash() {
	r.role = follower
	r.props = r.props[:0]
	r.recovered = r.recovered[:0]
	r.px.updateLeader()
}

func (r *replica) restart() {
	r.role = follower
	r.maxSeen = max(r.maxSeen, r.promised)
	r.resetTimer()
}

// putBlob keeps a promise's accepted values for the message to refer to.
// Phase 1 is rare, so blobs are kept until the run ends (a duplicated
// promise may read one twice).
func (px *paxos) putBlob(e []slotEntry) int32 {
	px.blobs = append(px.blobs, e)
	return int32(len(px.blobs) - 1)
}
