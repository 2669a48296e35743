package consensus

import (
	"math/bits"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/history"
	"github.com/dsbench/dsbench/harness/simnet"
)

// Raft written from Diego Ongaro's thesis ("Consensus: Bridging Theory and
// Practice", Stanford 2014, Fig. 3.1, §3.4–3.6, §6.4) as a state machine:
// each node handles one message or one timer at a time and answers with
// messages; it reads no clock (time is the World's) and no global random
// source. Leader election with randomized timeouts in election_timeout,
// heartbeats every heartbeat, log replication with the consistency check
// and conflict truncation, the commit rule (only entries of the leader's
// term commit by counting), a no-op at the start of each term, and reads
// through the log.

// Raft message kinds.
const (
	rVote          simnet.Kind = iota // RequestVote: Index/LogTerm = the candidate's last entry
	rVoteResp                         // Ok = granted
	rApp                              // AppendEntries with entries: Index/LogTerm = prev entry
	rAppResp                          // Ok; Index = the follower's match (ok) or a hint (not ok)
	rHeartbeat                        // AppendEntries without entries
	rHeartbeatResp                    // its reply
	rRequest                          // client → leader: a command
	rReply                            // leader → client: Val = a read's result
)

var raftKinds = []string{"vote", "vote_resp", "app", "app_resp", "heartbeat", "heartbeat_resp", "request", "reply"}

// maxBatch bounds the entries one AppendEntries carries.
const maxBatch = 64

type rentry struct {
	term uint64
	e    entry
}

// rmsg is a Raft message. One entry travels inline (the common case);
// more go in More, a copy made at send time.
type rmsg struct {
	Term    uint64
	Index   uint64
	LogTerm uint64
	Commit  uint64
	Ok      bool
	N       int32
	E       rentry
	More    []rentry
	Cmd     int64
	Val     int64
}

// rnode is one Raft server.
type rnode struct {
	id int
	s  *RaftSim

	// persistent (survive a crash)
	term     uint64
	votedFor int
	logBase  uint64   // log holds entries logBase+1 …
	baseTerm uint64   // the term of entry logBase
	log      []rentry // (entries ≤ logBase are applied everywhere: trimmed)

	// volatile
	commit uint64
	state  role
	votes  uint64
	next   []uint64
	match  []uint64 // match[id] = the leader's own durable index
	// progress: when follower f's match last advanced or it was last sent
	// its missing entries again; a lagging follower without progress for a
	// heartbeat is re-sent from its match (answering heartbeats is not
	// progress: a follower that missed entries answers them forever).
	progress []time.Duration
	inLog    map[int64]uint64 // leader: commands in its log not yet committed
	hbGen    int64
}

func (n *rnode) lastIndex() uint64 { return n.logBase + uint64(len(n.log)) }

// termAt is the term of entry i (0 for i > lastIndex); entries at or below
// logBase are committed everywhere, so any term matches them.
func (n *rnode) termAt(i uint64) uint64 {
	switch {
	case i == n.logBase:
		return n.baseTerm
	case i < n.logBase || i > n.lastIndex():
		return 0
	}
	return n.log[i-n.logBase-1].term
}

func (n *rnode) at(i uint64) rentry { return n.log[i-n.logBase-1] }

func (n *rnode) majority() int { return len(n.next)/2 + 1 }

// RaftSim is a cluster of rnodes over the simulated cluster.
type RaftSim struct {
	sim   SimConfig
	c     *core
	nt    *simnet.Net[rmsg]
	nodes []*rnode
	ts    *timers[rmsg]
	ds    *durableSends[rmsg]
	hist  *history.Log

	heartbeatFn, ownDurableFn harness.EventFunc
}

// NewRaftSim returns a cluster; it is built on the World at Setup.
func NewRaftSim(sim SimConfig) (*RaftSim, error) {
	if err := sim.check(); err != nil {
		return nil, err
	}
	return &RaftSim{sim: sim}, nil
}

// RecordHistory makes the cluster record its clients' history (--check).
func (s *RaftSim) RecordHistory(l *history.Log) { s.hist = l }

// EndsRun reports that the elections experiment ends the run itself.
func (s *RaftSim) EndsRun() bool { return s.sim.Trials > 0 }

// Setup builds the nodes, starts their election timers at independent
// phases, has node 0 campaign at once and schedules the faults.
func (s *RaftSim) Setup(w *harness.World) {
	size := s.sim.nodes()
	nt := newNet[rmsg](w, s.sim, raftKinds)
	s.nt, s.c = nt, newCore(w, size, s.sim.Timeout)
	s.c.hist = s.hist
	s.ts = newTimers(nt, s.electionTimeout)
	s.ds = newDurableSends(nt)
	s.heartbeatFn, s.ownDurableFn = s.heartbeat, s.ownDurable
	s.c.request = func(node int, e entry) { nt.FromClient(node, rRequest, rmsg{E: rentry{e: e}}) }
	s.c.reply = func(node int, cmd, value int64) { nt.ToClient(node, rReply, rmsg{Cmd: cmd, Val: value}) }
	s.c.skip = func(node int, cmd int64) bool { _, ok := s.nodes[node].inLog[cmd]; return ok }
	s.c.trim = s.trim
	nt.HandleClients(func(m *simnet.Msg[rmsg]) { s.c.answer(m.From, m.Payload.Cmd, m.Payload.Val) })
	for i := 0; i < size; i++ {
		n := &rnode{id: i, s: s, votedFor: -1, next: make([]uint64, size), match: make([]uint64, size),
			progress: make([]time.Duration, size), inLog: map[int64]uint64{}}
		s.nodes = append(s.nodes, n)
		nt.Handle(i, n.receive)
	}
	nt.OnCrash = func(i int) { s.nodes[i].crash() }
	nt.OnRestart = func(i int) { s.nodes[i].restart() }
	for _, n := range s.nodes[1:] {
		n.resetTimer()
	}
	s.nodes[0].campaign()
	startElections(s.c, nt, s.sim, func(i int) {
		if n := s.nodes[i]; n.state == leader {
			n.broadcastHeartbeat()
			n.hbGen++ // the next heartbeat is a whole period from now
			s.nt.After(n.id, s.sim.Heartbeat, s.heartbeatFn, nil, int64(n.id)|n.hbGen<<8)
		}
	})
	scheduleFaults(nt, s.sim)
}

func (n *rnode) resetTimer() { n.s.ts.reset(n.id, n.s.sim.Election.draw(n.s.c.w)) }

func (n *rnode) send(to int, k simnet.Kind, m rmsg) { n.s.nt.Send(n.id, to, k, m) }

// electionTimeout: no word from a leader (or a vote granted) for a whole
// timeout. A candidate whose timer runs out lost its election.
func (s *RaftSim) electionTimeout(i int) {
	n := s.nodes[i]
	if n.state == leader {
		return
	}
	if n.state == candidate && s.c.el != nil {
		s.c.el.splitVote()
	}
	n.campaign()
}

// campaign starts an election: a new term, a vote for itself, RequestVote
// to every other node once the term and vote are on disk.
func (n *rnode) campaign() {
	s := n.s
	s.c.phase1Runs++
	wasLeader := n.state == leader
	n.term++
	n.votedFor = n.id
	n.state = candidate
	n.votes = bit(n.id)
	n.resetTimer()
	if wasLeader {
		s.updateLeader()
	}
	m := rmsg{Term: n.term, Index: n.lastIndex(), LogTerm: n.termAt(n.lastIndex())}
	for f := range n.next {
		if f != n.id {
			s.ds.send(n.id, f, rVote, m)
		}
	}
	if n.votes == bit(n.id) && len(n.next) == 1 {
		n.becomeLeader()
	}
}

// stepDown makes the node a follower of term t (a new term clears the vote).
func (n *rnode) stepDown(t uint64) {
	if t > n.term {
		n.term, n.votedFor = t, -1
	}
	was := n.state
	n.state = follower
	if was != follower {
		n.resetTimer()
	}
	if was == leader {
		clear(n.inLog)
		n.s.updateLeader()
	}
}

func (n *rnode) becomeLeader() {
	s := n.s
	n.state = leader
	s.ts.stop(n.id)
	now := s.c.w.Now()
	for f := range n.next {
		n.next[f], n.match[f], n.progress[f] = n.lastIndex()+1, 0, now
	}
	n.match[n.id] = n.lastIndex() // its own log is durable up to here
	clear(n.inLog)
	n.hbGen++
	s.nt.After(n.id, s.sim.Heartbeat, s.heartbeatFn, nil, int64(n.id)|n.hbGen<<8)
	if s.c.el != nil {
		s.c.el.heard(n.id, n.id, int64(n.term))
	}
	s.updateLeader()
	n.propose(entry{cmd: noop}) // commits the entries of earlier terms (thesis §3.6.2)
}

// propose appends e to the leader's log, writes it to disk and sends it to
// every follower that is up to date (the others get it when they catch up).
func (n *rnode) propose(e entry) {
	if e.cmd > 0 {
		if _, dup := n.inLog[e.cmd]; dup {
			return
		}
	}
	n.log = append(n.log, rentry{n.term, e})
	idx := n.lastIndex()
	if e.cmd > 0 {
		n.inLog[e.cmd] = idx
	}
	s := n.s
	s.nt.Fsync(n.id, s.ownDurableFn, nil, int64(n.id)|int64(idx)<<8)
	for f := range n.next {
		if f != n.id && n.next[f] == idx {
			n.sendAppend(f)
		}
	}
}

// ownDurable: the leader's own entries up to idx are on disk (its vote
// counts for them).
func (s *RaftSim) ownDurable(_ *harness.World, _ *harness.Request, arg int64) {
	n := s.nodes[arg&0xff]
	if idx := uint64(arg >> 8); n.state == leader && idx > n.match[n.id] && idx <= n.lastIndex() {
		n.match[n.id] = idx
		n.advanceCommit()
	}
}

// sendAppend sends follower f the entries from next[f] (up to maxBatch) and
// moves next[f] past them (optimistic pipelining, as etcd's replicate state).
func (n *rnode) sendAppend(f int) {
	prev := n.next[f] - 1
	if prev < n.logBase {
		prev = n.logBase // everything at or below the base is on every node
		n.next[f] = prev + 1
	}
	last := min(n.lastIndex(), prev+maxBatch)
	m := rmsg{Term: n.term, Index: prev, LogTerm: n.termAt(prev), Commit: n.commit, N: int32(last - prev)}
	if m.N > 0 {
		if prev <= n.match[f] {
			// Nothing sent before is outstanding: the progress window for
			// these entries starts now (a heartbeat must not re-send them
			// while their acknowledgement is on its way).
			n.progress[f] = n.s.c.w.Now()
		}
		m.E = n.at(prev + 1)
		if m.N > 1 {
			m.More = append([]rentry(nil), n.log[prev+1-n.logBase:last-n.logBase]...)
		}
		n.send(f, rApp, m)
	} else {
		n.send(f, rHeartbeat, m)
	}
	n.next[f] = last + 1
}

// heartbeat is the leader's periodic work: followers that lag and made
// no progress for resendAfter are sent their missing entries again from
// their match (a lost message, or a restarted follower); the others an
// empty AppendEntries.
func (s *RaftSim) heartbeat(w *harness.World, _ *harness.Request, arg int64) {
	n := s.nodes[arg&0xff]
	if n.state != leader || arg>>8 != n.hbGen {
		return
	}
	n.broadcastHeartbeat()
	s.nt.After(n.id, s.sim.Heartbeat, s.heartbeatFn, nil, arg)
}

// resendAfter is how long a lagging follower may go without progress
// before its entries are sent again: max(2 heartbeats, the minimum
// election timeout), as the Paxos leader re-sends proposals (longer than a
// round trip, so answers in flight are not taken for losses).
func (s *RaftSim) resendAfter() time.Duration {
	return max(2*s.sim.Heartbeat, s.sim.Election.Min)
}

func (n *rnode) broadcastHeartbeat() {
	now := n.s.c.w.Now()
	for f := range n.next {
		if f == n.id {
			continue
		}
		if n.match[f] < n.lastIndex() && now-n.progress[f] >= n.s.resendAfter() {
			n.progress[f] = now
			n.next[f] = max(n.match[f]+1, n.logBase+1)
			n.sendAppend(f)
			continue
		}
		prev := max(n.match[f], n.logBase)
		n.send(f, rHeartbeat, rmsg{Term: n.term, Index: prev, LogTerm: n.termAt(prev), Commit: min(n.commit, prev)})
	}
}

// advanceCommit commits the highest index of the leader's term stored on
// a majority (its own durable index included).
func (n *rnode) advanceCommit() {
	for idx := n.lastIndex(); idx > n.commit; idx-- {
		if n.termAt(idx) != n.term {
			break // earlier terms commit only through an entry of this term
		}
		votes := 0
		for _, m := range n.match {
			if m >= idx {
				votes++
			}
		}
		if votes >= n.majority() {
			n.commitTo(idx)
			return
		}
	}
}

// commitTo learns and applies every entry up to idx.
func (n *rnode) commitTo(idx uint64) {
	c := n.s.c
	idx = min(idx, n.lastIndex())
	for i := n.commit + 1; i <= idx; i++ {
		if i <= n.logBase {
			continue
		}
		e := n.at(i).e
		c.learn(n.id, int64(i), e)
		if n.state == leader {
			delete(n.inLog, e.cmd)
		}
	}
	if idx > n.commit {
		n.commit = idx
		c.apply(n.id, n.state == leader)
	}
}

func (n *rnode) receive(m *simnet.Msg[rmsg]) {
	s := n.s
	p := &m.Payload
	switch m.Kind {
	case rRequest:
		if n.state == leader {
			n.propose(p.E.e)
		}
		return
	case rReply:
		return
	}
	if p.Term > n.term {
		n.stepDown(p.Term)
	}
	switch m.Kind {
	case rVote:
		upToDate := p.LogTerm > n.termAt(n.lastIndex()) || (p.LogTerm == n.termAt(n.lastIndex()) && p.Index >= n.lastIndex())
		grant := p.Term == n.term && (n.votedFor < 0 || n.votedFor == m.From) && upToDate
		if grant {
			n.votedFor = m.From
			n.resetTimer()
		}
		s.ds.send(n.id, m.From, rVoteResp, rmsg{Term: n.term, Ok: grant})
	case rVoteResp:
		if n.state == candidate && p.Term == n.term && p.Ok {
			n.votes |= bit(m.From)
			if bits.OnesCount64(n.votes) >= n.majority() {
				n.becomeLeader()
			}
		}
	case rApp, rHeartbeat:
		n.onAppend(m.From, m.Kind, p)
	case rAppResp, rHeartbeatResp:
		if n.state != leader || p.Term != n.term {
			return
		}
		f := m.From
		if p.Ok {
			if p.Index > n.match[f] {
				n.match[f] = p.Index
				n.progress[f] = s.c.w.Now()
				n.advanceCommit()
			}
			n.next[f] = max(n.next[f], p.Index+1)
			return
		}
		// Rejected: back up to the follower's hint and send from there.
		n.next[f] = max(min(n.next[f]-1, p.Index+1), n.match[f]+1, 1)
		n.sendAppend(f)
	}
}

// onAppend is AppendEntries at a follower: the consistency check on the
// previous entry, conflict truncation, append, and the leader's commit.
func (n *rnode) onAppend(from int, k simnet.Kind, p *rmsg) {
	s := n.s
	resp := rAppResp
	if k == rHeartbeat {
		resp = rHeartbeatResp
	}
	if p.Term < n.term {
		n.send(from, resp, rmsg{Term: n.term, Index: n.lastIndex()})
		return
	}
	if n.state != follower {
		n.stepDown(p.Term)
	}
	n.resetTimer()
	if s.c.el != nil {
		s.c.el.heard(n.id, from, int64(p.Term))
	}
	prev := p.Index
	if prev > n.lastIndex() {
		n.send(from, resp, rmsg{Term: n.term, Index: n.lastIndex()})
		return
	}
	if prev > n.logBase && n.termAt(prev) != p.LogTerm {
		// Skip back over the whole conflicting term in one step (thesis
		// §3.5's optimisation): the hint is the entry before it.
		t, i := n.termAt(prev), prev
		for i > n.logBase+1 && n.termAt(i-1) == t {
			i--
		}
		n.send(from, resp, rmsg{Term: n.term, Index: i - 1})
		return
	}
	appended := false
	for k := int32(0); k < p.N; k++ {
		e := p.E
		if k > 0 {
			e = p.More[k-1]
		}
		idx := prev + 1 + uint64(k)
		if idx <= n.logBase {
			continue
		}
		if idx <= n.lastIndex() {
			if n.termAt(idx) == e.term {
				continue
			}
			n.log = n.log[:idx-n.logBase-1] // a conflict: drop it and all after it
		}
		n.log = append(n.log, e)
		appended = true
	}
	matched := prev + uint64(p.N)
	if p.Commit > n.commit {
		n.commitTo(min(p.Commit, matched))
	}
	reply := rmsg{Term: n.term, Ok: true, Index: matched}
	// Entries sent again may still be only in memory (their first fsync
	// pending): a follower vouches for entries only once they are on disk.
	if appended || p.N > 0 {
		s.ds.send(n.id, from, resp, reply)
	} else {
		n.send(from, resp, reply)
	}
}

// crash loses the node's volatile state; term, vote and log persist, and
// its state machine restarts from what it had applied.
func (n *rnode) crash() {
	n.state = follower
	clear(n.inLog)
	n.s.ts.lost(n.id)
	n.s.ds.lost(n.id)
	n.s.updateLeader()
}

func (n *rnode) restart() {
	n.state = follower
	n.commit = max(n.commit, uint64(n.s.c.applied[n.id]))
	n.s.ts.lost(n.id)
	n.resetTimer()
}

// trim drops log entries every node has applied.
func (s *RaftSim) trim(floor int64) {
	f := uint64(floor)
	for _, n := range s.nodes {
		if f <= n.logBase || f > n.lastIndex() {
			continue
		}
		n.baseTerm = n.termAt(f)
		n.log = append([]rentry(nil), n.log[f-n.logBase:]...)
		n.logBase = f
	}
}

// updateLeader tells the core which live node leads with the highest term.
func (s *RaftSim) updateLeader() {
	best, term := -1, uint64(0)
	for _, n := range s.nodes {
		if n.state == leader && s.nt.Up(n.id) && n.term >= term {
			best, term = n.id, n.term
		}
	}
	s.c.setLeader(best, int64(term))
}

// Start sends the op's command to the cluster.
func (s *RaftSim) Start(_ *harness.World, req *harness.Request) { s.c.submit(req) }

// Metrics reports the family's figures.
func (s *RaftSim) Metrics() map[string]float64 {
	if s.c == nil {
		return nil
	}
	return s.c.metrics(s.nt, raftKinds, algorithms.ClusterMetrics(s.nt, s.c.answered, s.c.w.Now()))
}

var (
	_ harness.SimTarget       = (*RaftSim)(nil)
	_ harness.SimSetup        = (*RaftSim)(nil)
	_ harness.Metricser       = (*RaftSim)(nil)
	_ harness.HistoryRecorder = (*RaftSim)(nil)
	_ harness.RunEnder        = (*RaftSim)(nil)
)
