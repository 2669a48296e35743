package spanner

import (
	"fmt"
	"github.com/dsbench/dsbench/algorithms/internal/slots"
	"math/rand/v2"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
	"github.com/dsbench/dsbench/workloads"
)

// spanner/txn: read-write transactions across Paxos groups with two-phase
// commit and wound-wait locking, and read-only transactions across groups at
// one timestamp (§4.1.3, §4.2.1, §4.2.2). It runs on the same Paxos groups,
// TrueTime clocks and cluster as spanner/truetime (paxos.go, truetime.go,
// safetime.go's promises); what is new lives here.
//
// A transaction touches `participants` groups: the op's key k (row k div
// groups, group k mod groups) and the same row in the next participants−1
// groups — key row·groups + (g₀+j) mod groups for j < participants. A row is
// a directory spread over groups: hot rows stay hot in every group, and a
// reader of a row reads the keys its writers wrote, so the cross-group
// atomicity check bites. The op's group coordinates.
//
//   - rmw: a read phase — read locks at every participant leader (wound-wait)
//     — then commit; update, insert, delete: blind writes, commit at once.
//   - Commit (§4.2.1): the client sends its buffered write to every
//     participant leader naming the coordinator, and the commit to the
//     coordinator leader. A participant leader takes the write lock, picks a
//     prepare timestamp above every timestamp it gave (and ≥ its
//     TT.now().latest), logs a prepare record through Paxos and then tells
//     the coordinator. The coordinator takes its own write lock, notes
//     TT.now().latest when the commit arrived, and once every participant has
//     prepared picks s ≥ every prepare timestamp, ≥ that TT.now().latest and
//     above every timestamp it gave; it logs the commit record through Paxos
//     and commit-waits beside it. When both are done it replies to the client,
//     sends s to the participants and releases its lock; each participant
//     logs the outcome through Paxos and then releases its lock.
//   - Wound-wait (§4.2.1 "to avoid deadlocks"): a lock request that conflicts
//     with a younger holder wounds it — the holder's coordinator aborts it
//     unless it has already picked s, and tells its client, which releases
//     the attempt at every participant (a prepared participant logs an abort
//     record) and restarts it at once with its original priority; a younger
//     request waits. Waiters queue by priority.
//   - Read-only transaction (§4.2.2): sent to the client's nearest node
//     (node client mod nodes, which replicates every group); it reads at
//     t = TT.now().latest there, serving each group once t_safe ≥ t, where
//     t_safe = min(t_Paxos, t_TM) and t_TM = (min prepare timestamp of the
//     transactions prepared but not yet resolved in the replica's applied
//     log) − 1 (§4.1.3).
//   - Crashes (crash=N|leader|random): leader failover as spanner/truetime
//     (failover.go); the volatile leader state (locks, prepared records,
//     coordinator state) dies with the leader and the new one rebuilds it
//     from the group's Paxos log: prepared transactions re-locked at their
//     prepare timestamps, commit records finished, attempts with none
//     presumed aborted when asked (status queries from prepared participants
//     after outcome_timeout, questions from clients whose attempt a crash
//     hit) — lost, recover, truncated, answer and resolveAt below.

// Paxos record kinds of spanner/txn (entry.kind).
const (
	recPrepare uint8 = iota + 1 // a participant's prepare record at its prepare timestamp
	recCommit                   // the coordinator's commit record at s
	recOutcome                  // a participant's commit outcome (ref: its prepare's slot)
	recAbort                    // a participant's abort outcome (ref: its prepare's slot)
)

// Client phases of a read-write transaction's current attempt.
const (
	phReading    uint8 = iota + 1 // rmw: waiting for its read locks
	phCommitting                  // commit sent, waiting for the reply
	phResolving                   // a crash hit the attempt: asking its coordinator for the outcome
	phBackoff                     // a group it needs has no leader: waiting to (re)send
)

// Coordinator states of the current attempt (0: the coordinator leader
// holds none, e.g. it crashed).
const (
	stCommitting uint8 = iota + 2 // 2PC under way, not decided
	stDecided                     // the coordinator picked s
	stAborting                    // wounded: waiting for the abort to reach the client
)

// Why a lock was requested: what runs when it is granted.
const (
	whyRead    uint8 = iota + 1 // a read phase's read lock: reply to the client
	whyPrepare                  // a participant's write lock: prepare
	whyCoord                    // the coordinator's write lock: decide once prepared
)

// TxnConfig is a spanner/txn deployment.
type TxnConfig struct {
	Config
	// Participants is the number of Paxos groups each transaction touches
	// (≤ Groups).
	Participants int
	// OutcomeTimeout is how long a prepared participant leader waits for
	// its outcome before asking the coordinator group's leader, and how
	// often a client whose attempt a crash hit asks (or retries a send to a
	// group with no leader).
	OutcomeTimeout time.Duration
}

func (c TxnConfig) check() error {
	if c.Participants < 1 || c.Participants > c.Groups {
		return fmt.Errorf("spanner: participants=%d out of range (valid: 1 … groups=%d: a transaction touches one key per group)", c.Participants, c.Groups)
	}
	return c.Config.check()
}

// brokenIgnorePrepare makes the coordinator pick s without the participants'
// prepare timestamps: a deliberately broken variant the snapshot checker
// must catch (TestBrokenCommitTsCaught). Tests only.
var brokenIgnorePrepare = false

// brokenNoTM makes a replica's t_safe ignore prepared transactions (t_TM =
// ∞), and brokenNoWound makes every conflicting lock request wait (no
// wounds): broken variants the snapshot checker and the deadlock test must
// catch. Tests only.
var brokenNoTM, brokenNoWound = false, false

// brokenNoRelock makes a new participant leader rebuild its prepared
// records without re-taking their write locks, and brokenPresume makes a new
// coordinator leader ignore the commit records it inherits (it neither
// finishes them nor consults them before presuming abort): broken recovery
// the lost-update and atomicity checks must catch
// (TestTxnBrokenRecoveryCaught). Tests only.
var brokenNoRelock, brokenPresume = false, false

// ttxn is one transaction (read-write or read-only), by slot; att is the
// current attempt's id, unique across the run, so a message of an aborted
// attempt or of an earlier transaction in this slot is recognised as stale.
type ttxn struct {
	req    *harness.Request
	ro     bool
	rmw    bool
	state  uint8         // the coordinator's state of attempt att
	phase  uint8         // the client's phase
	att    int32         // the attempt the servers serve (a wound moves it on at once)
	cli    int32         // the attempt the client runs
	prio   time.Duration // wound-wait priority: the first attempt's start (kept on restarts)
	seq    uint64        // tie-break: the first attempt's id
	keys   []uint64
	grps   []int32
	left   int   // reads, prepares (rw) or groups (ro) outstanding
	hit    bool  // a leader of one of its groups crashed or stepped down
	resume uint8 // phBackoff: the phase to resume

	// rmw: per key, the timestamp of the newest version in its group's log
	// when the read lock was granted (the lost-update check)
	rv []time.Duration
	// per participant: its prepared message arrived (duplicates after a
	// failover are ignored)
	prepd []bool

	// read-write, at the coordinator
	recvLatest    time.Duration // TT.now().latest when the commit arrived
	maxPrep       time.Duration
	locked        bool
	s             time.Duration
	recvAt        time.Duration
	picked, cwEnd time.Duration
	paxosAt       time.Duration
	cwDone        bool
	paxosOK       bool
	replied       bool
	commitSent    time.Duration // when the client sent the commit
	startMax      time.Duration // checker: largest s acknowledged when it started
	startRd       time.Duration // checker: largest read timestamp of its keys when it started

	// read-only
	node    int32
	t       time.Duration
	arrived time.Duration
	got     []int32 // per group: the attempt whose version the read returned (−1: none seen)
	gotTs   []time.Duration
}

type lockReq struct {
	txn, att, coord int32
	prio            time.Duration
	seq             uint64
	excl            bool
	wounded         bool
	why             uint8
}

func (a *lockReq) older(b *lockReq) bool {
	return a.prio < b.prio || a.prio == b.prio && a.seq < b.seq
}

func (a *lockReq) same(b *lockReq) bool { return a.txn == b.txn && a.att == b.att }

func (a *lockReq) conflicts(b *lockReq) bool { return !a.same(b) && (a.excl || b.excl) }

type lockState struct{ holders, waiters []lockReq }

// prepRec is a participant leader's record of a transaction it prepared.
type prepRec struct {
	txn, att, coord int32
	key             uint64
	slot            int64 // its prepare record's slot
	p               time.Duration
	since           time.Duration // when its prepare record was proposed
	logged          bool          // the prepare record is committed in Paxos
	abortPending    bool          // released before its prepare was logged
	outcome         bool          // its outcome record is proposed
}

// prepMark is a replica's view of a prepared transaction (from its applied
// log): what a new leader rebuilds its prepared records from.
type prepMark struct {
	slot     int64
	p, at    time.Duration
	key      uint64
	txn, att int32
	coord    int32
}

// decision is a commit record in a coordinator group's log whose outcome
// some participant has not logged yet or whose client has no reply yet:
// what a new coordinator leader finishes and answers status queries from.
// The model keeps them per group beside the log (they are its content) and
// drops one once every participant logged the outcome and the client has
// its reply (the acks that would tell the coordinator so are not modelled).
type decision struct {
	txn, att int32
	slot     int64
	s        time.Duration
	key      uint64 // the coordinator's key: the participants' keys follow
	pend     int32  // participants that have not logged the outcome yet
	acked    bool   // the client has its reply
}

// version is one committed write of a key, for the snapshot checker.
type version struct {
	ts   time.Duration
	slot int64 // the slot of the record that writes it in its group (0: not yet logged)
	att  int32 // the writing attempt
}

const histDepth = 4

// keyHist is a key's latest versions, newest first.
type keyHist struct {
	v [histDepth]version
	n int
}

type roWait struct {
	txn, j int32
	tm     bool // counted in prepared_waits
}

// TxnSim is the spanner/txn target.
type TxnSim struct {
	*Sim
	P      int
	ttxns  []ttxn
	tfree  slots.Free
	nextAt int32
	locks  map[uint64]*lockState
	lpool  []*lockState
	prep   [][]prepRec // per group, at its leader
	rprep  [][]prepMark
	rwait  [][]roWait // node*groups + group: read-only reads waiting for t_safe
	hist   map[uint64]*keyHist
	ready  []roWait

	// recovery (crash configured)
	failures                                                                           bool
	timeout                                                                            time.Duration
	dec                                                                                [][]decision   // per coordinator group
	saidAbort                                                                          map[int32]bool // attempts a coordinator answered "aborted": never committed
	marks                                                                              []prepMark
	outFn, cliFn, recFinFn                                                             harness.EventFunc
	recovered, presumed, queries, retries, partial, lostUpdates, recCommits, tsRegress uint64
	blockedMax                                                                         time.Duration

	// figures
	rw, ro, aborts, wounds, preparedWaits, torn uint64
	commitHist, prepWaitHist                    *hdr.Histogram
	cwFn2                                       harness.EventFunc
}

// NewTxnSim builds spanner/txn; r draws the TrueTime clocks.
func NewTxnSim(cfg TxnConfig, r *rand.Rand) (*TxnSim, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	s, err := NewSim(cfg.Config, r)
	if err != nil {
		return nil, err
	}
	x := &TxnSim{
		Sim: s, P: cfg.Participants, locks: map[uint64]*lockState{}, hist: map[uint64]*keyHist{},
		prep:         make([][]prepRec, cfg.Groups),
		rprep:        make([][]prepMark, s.n*cfg.Groups),
		rwait:        make([][]roWait, s.n*cfg.Groups),
		commitHist:   hdr.New(1, int64(time.Hour), 3),
		prepWaitHist: hdr.New(1, int64(time.Hour), 3),
		dec:          make([][]decision, cfg.Groups),
		saidAbort:    map[int32]bool{},
		timeout:      cfg.OutcomeTimeout,
		failures:     cfg.Cluster.Faults.Crash.Kind != simnet.SelectNone,
	}
	if x.timeout <= 0 {
		x.timeout = time.Second
	}
	s.tx = x
	x.cwFn2, x.outFn, x.cliFn, x.recFinFn = x.commitWaited, x.outcomeTimer, x.clientTimer, x.recoveredWaited
	return x, nil
}

// Setup builds the cluster on w; with a crash configured it arms leader
// failover (failover.go: leases, heartbeats, elections) and the recovery's
// timeouts. Without one nothing can fail over, so none of it runs and a
// crash-free run is exactly the failure-free protocol.
func (x *TxnSim) Setup(w *harness.World) {
	x.setupNet(w, func(m *simnet.Msg[msg]) { x.atClient(m.Kind, &m.Payload) })
	if x.failures {
		x.setupFailover()
	}
}

func (x *TxnSim) leader(g int32) int { return x.groups[g].leader }

func (x *TxnSim) leads(node int, g int32) bool { return x.groups[g].leader == node }

// member is the index of group g among transaction i's groups (−1: none).
func (x *TxnSim) member(i int32, g int32) int {
	t := &x.ttxns[i]
	if len(t.grps) == 0 {
		return -1
	}
	G := int32(x.cfg.Groups)
	if j := int((g - t.grps[0] + G) % G); j < len(t.grps) {
		return j
	}
	return -1
}

// Start begins a transaction: update, insert, rmw and delete are read-write
// transactions; every other kind is a read-only one.
func (x *TxnSim) Start(w *harness.World, req *harness.Request) {
	i := slots.Take(&x.tfree, &x.ttxns)
	t := &x.ttxns[i]
	t.req, t.ro, t.rmw = req, !isWrite(req.Op.Kind), req.Op.Kind == workloads.RMW
	t.prio, t.seq = w.Now(), uint64(x.nextAt)+1 // the first attempt's id: unique, in start order
	G := uint64(x.cfg.Groups)
	row, g0 := req.Op.Key/G, req.Op.Key%G
	t.keys, t.grps = t.keys[:0], t.grps[:0]
	for j := range uint64(x.P) {
		g := (g0 + j) % G
		t.keys = append(t.keys, row*G+g)
		t.grps = append(t.grps, int32(g))
	}
	t.startMax, t.startRd = x.maxAcked, -1
	for _, k := range t.keys {
		if r, ok := x.keyRead[k]; ok {
			t.startRd = max(t.startRd, r)
		}
	}
	if t.ro {
		x.ro++
		t.node = int32(int(req.Op.Client) % x.n)
		x.roSend(i)
		return
	}
	x.rw++
	x.begin(i)
}

// roSend sends read-only transaction i to its node, or to the next node up
// if that one is down (a client whose replica crashed retries at another).
func (x *TxnSim) roSend(i int32) {
	t := &x.ttxns[i]
	t.att = x.newAtt()
	for k := range x.n {
		if node := (int(t.node) + k) % x.n; x.nt.Up(node) {
			t.node = int32(node)
			x.nt.FromClient(node, kRORead, msg{Txn: i, B: t.att})
			return
		}
	}
	x.giveUp(i) // every node is down
}

// noQuorum: fewer than a majority of the nodes are up, so no group can
// elect a leader until some restart.
func (x *TxnSim) noQuorum() bool {
	up := int32(0)
	for node := range x.n {
		if x.nt.Up(node) {
			up++
		}
	}
	return up < x.maj
}

// giveUp completes transaction i with an error (connection refused), as a
// client does when no majority of the cluster is up: there is no leader to
// ask. An attempt whose commit was sent ends with its outcome unknown.
func (x *TxnSim) giveUp(i int32) {
	t := &x.ttxns[i]
	req, g := t.req, t.grps[0]
	t.req, t.att, t.cli, t.state, t.phase = nil, 0, 0, 0, 0
	x.tfree.Put(i)
	x.failed++
	x.nt.World().Complete(req, harness.Outcome{Shard: g, Err: errLeaderDown})
}

func (x *TxnSim) newAtt() int32 {
	x.nextAt++
	return x.nextAt
}

// begin runs an attempt of read-write transaction i.
func (x *TxnSim) begin(i int32) {
	t := &x.ttxns[i]
	t.att = x.newAtt()
	t.cli, t.state, t.hit = t.att, 0, false
	t.locked, t.cwDone, t.paxosOK, t.replied = false, false, false, false
	t.phase = phReading
	if !t.rmw {
		t.phase = phCommitting
	}
	x.dispatch(i)
}

// leaderless reports whether a group of transaction i has no leader.
func (x *TxnSim) leaderless(i int32) bool {
	for _, g := range x.ttxns[i].grps {
		if x.leader(g) < 0 {
			return true
		}
	}
	return false
}

// dispatch sends attempt cli's read phase or commit, or waits if a group it
// needs has no leader (an election is under way).
func (x *TxnSim) dispatch(i int32) {
	t := &x.ttxns[i]
	if x.leaderless(i) {
		if x.noQuorum() {
			x.giveUp(i)
			return
		}
		if t.phase != phBackoff {
			t.resume = t.phase
		}
		t.phase = phBackoff
		x.nt.World().After(x.timeout, x.cliFn, nil, int64(i)<<32|int64(uint32(t.cli)))
		return
	}
	if t.phase == phBackoff {
		t.phase = t.resume
	}
	if t.phase == phReading {
		t.left = len(t.keys)
		t.rv = t.rv[:0]
		for j, k := range t.keys {
			t.rv = append(t.rv, -1<<62)
			x.nt.FromClient(x.leader(t.grps[j]), kReadLock, msg{G: t.grps[j], Txn: i, B: t.att, Slot: int64(k)})
		}
		return
	}
	x.commitPhase(i)
}

// commitPhase: the client sends its writes to the participants and the
// commit to the coordinator (the op's group).
func (x *TxnSim) commitPhase(i int32) {
	t := &x.ttxns[i]
	if x.leaderless(i) {
		t.phase = phCommitting
		x.dispatch(i)
		return
	}
	t.phase = phCommitting
	t.state, t.left, t.maxPrep = stCommitting, len(t.keys)-1, -1<<62
	t.prepd = t.prepd[:0]
	for range t.keys {
		t.prepd = append(t.prepd, false)
	}
	t.commitSent = x.nt.World().Now()
	for j := 1; j < len(t.keys); j++ {
		x.nt.FromClient(x.leader(t.grps[j]), kPrepareReq, msg{G: t.grps[j], Txn: i, B: t.att, Slot: int64(t.keys[j]), A: int64(t.grps[0])})
	}
	x.nt.FromClient(x.leader(t.grps[0]), kCommitReq, msg{G: t.grps[0], Txn: i, B: t.att, Slot: int64(t.keys[0])})
}

// handle runs a spanner/txn message at node. Every message but a read-only
// transaction's is for a group's leader: one that reaches a node that no
// longer leads the group is dropped (its sender learns of the crash).
func (x *TxnSim) handle(node, from int, k simnet.Kind, m *msg) {
	t := &x.ttxns[m.Txn]
	if k == kRORead {
		if t.att == m.B && t.req != nil {
			x.roRead(node, m.Txn)
		}
		return
	}
	if !x.leads(node, m.G) {
		return
	}
	switch k {
	case kReadLock:
		if t.att == m.B {
			x.acquire(node, uint64(m.Slot), x.req(m.Txn, false, whyRead))
		}
	case kPrepareReq:
		if t.att == m.B {
			x.acquire(node, uint64(m.Slot), x.req(m.Txn, true, whyPrepare))
		}
	case kCommitReq:
		if x.saidAbort[m.B] {
			x.nt.ToClient(node, kAbort, msg{Txn: m.Txn, B: m.B}) // it answered "aborted" for this attempt: never commit it
			return
		}
		if t.att == m.B && t.state == stCommitting {
			t.recvLatest, t.recvAt = x.pick(node, x.nt.World().Now()), x.nt.World().Now()
			x.acquire(node, uint64(m.Slot), x.req(m.Txn, true, whyCoord))
		}
	case kPrepared:
		x.prepared(m.Txn, m.B, int32(m.Slot), m.Ts)
	case kOutcome:
		x.outcome(m.G, m.Txn, m.B, m.Ts)
	case kWound:
		x.wounded(m.Txn, m.B)
	case kRelease:
		x.releaseAttempt(node, m.G, uint64(m.Slot), m.Txn, m.B)
	case kStatus:
		x.queries++
		if ts, ok := x.answer(m.G, m.Txn, m.B); ok {
			x.nt.Send(node, from, kOutcome, msg{G: int32(m.Slot), Txn: m.Txn, B: m.B, Ts: ts})
		}
	case kResolve:
		x.queries++
		x.resolveAt(node, m.G, m.Txn, m.B)
	}
}

func (x *TxnSim) req(i int32, excl bool, why uint8) lockReq {
	t := &x.ttxns[i]
	return lockReq{txn: i, att: t.att, coord: t.grps[0], prio: t.prio, seq: t.seq, excl: excl, why: why}
}

// acquire asks for key's lock at its group's leader (node): granted at once
// if no holder conflicts and no older request waits; otherwise it wounds
// the conflicting holders younger than it and waits in priority order.
func (x *TxnSim) acquire(node int, key uint64, q lockReq) {
	l := x.locks[key]
	if l == nil {
		if n := len(x.lpool); n > 0 {
			l = x.lpool[n-1]
			x.lpool = x.lpool[:n-1]
		} else {
			l = &lockState{}
		}
		x.locks[key] = l
	}
	if compatible(l, &q) && (len(l.waiters) == 0 || q.older(&l.waiters[0])) {
		x.grant(node, key, l, q)
		return
	}
	x.lockWaits++
	for h := range l.holders {
		hd := &l.holders[h]
		if hd.conflicts(&q) && q.older(hd) && !hd.wounded && !brokenNoWound {
			hd.wounded = true
			x.wound(node, hd)
		}
	}
	at := len(l.waiters)
	for at > 0 && q.older(&l.waiters[at-1]) {
		at--
	}
	l.waiters = append(l.waiters, lockReq{})
	copy(l.waiters[at+1:], l.waiters[at:])
	l.waiters[at] = q
}

func compatible(l *lockState, q *lockReq) bool {
	for h := range l.holders {
		if l.holders[h].conflicts(q) {
			return false
		}
	}
	return true
}

// grant makes q a holder (an exclusive request replaces its own shared
// lock) and runs what it waited for.
func (x *TxnSim) grant(node int, key uint64, l *lockState, q lockReq) {
	kept := l.holders[:0]
	for _, h := range l.holders {
		if !h.same(&q) {
			kept = append(kept, h)
		}
	}
	l.holders = append(kept, q)
	if x.ttxns[q.txn].att != q.att {
		return // aborted while it waited: its release is on the way and drops the lock
	}
	switch q.why {
	case whyRead:
		if j := x.member(q.txn, int32(key%uint64(x.cfg.Groups))); j >= 0 && j < len(x.ttxns[q.txn].rv) {
			x.ttxns[q.txn].rv[j] = x.logged0(key)
		}
		x.nt.ToClient(node, kReadOK, msg{Txn: q.txn, B: q.att})
	case whyPrepare:
		x.prepare(node, key, q)
	case whyCoord:
		x.ttxns[q.txn].locked = true
		x.tryDecide(q.txn)
	}
}

// release drops attempt (i, att)'s lock and requests on key and grants the
// waiters that now fit.
func (x *TxnSim) release(node int, key uint64, i, att int32) {
	l := x.locks[key]
	if l == nil {
		return
	}
	drop := lockReq{txn: i, att: att}
	kh := l.holders[:0]
	for _, h := range l.holders {
		if !h.same(&drop) {
			kh = append(kh, h)
		}
	}
	l.holders = kh
	kw := l.waiters[:0]
	for _, q := range l.waiters {
		if !q.same(&drop) {
			kw = append(kw, q)
		}
	}
	l.waiters = kw
	for {
		l = x.locks[key]
		if l == nil || len(l.waiters) == 0 || !compatible(l, &l.waiters[0]) {
			break
		}
		q := l.waiters[0]
		copy(l.waiters, l.waiters[1:])
		l.waiters = l.waiters[:len(l.waiters)-1]
		x.grant(node, key, l, q)
	}
	if l = x.locks[key]; l != nil && len(l.holders) == 0 && len(l.waiters) == 0 {
		delete(x.locks, key)
		x.lpool = append(x.lpool, l)
	}
}

// logged0 is the timestamp of key's newest version whose record is in its
// group's log (what a read under the lock returns; −∞: none).
func (x *TxnSim) logged0(key uint64) time.Duration {
	if h := x.hist[key]; h != nil {
		for v := range h.n {
			if h.v[v].slot != 0 {
				return h.v[v].ts
			}
		}
	}
	return -1 << 62
}

// wound asks the coordinator of a younger holder to abort it.
func (x *TxnSim) wound(node int, h *lockReq) {
	x.wounds++
	if cl := x.leader(h.coord); cl < 0 {
		return // no coordinator leader: the holder's fate is settled by the recovery
	} else if cl != node {
		x.nt.Send(node, cl, kWound, msg{G: h.coord, Txn: h.txn, B: h.att})
		return
	}
	x.wounded(h.txn, h.att)
}

// wounded: at the coordinator leader; the attempt aborts unless s is picked.
func (x *TxnSim) wounded(i, att int32) {
	t := &x.ttxns[i]
	if t.att != att || t.req == nil || t.ro || !(t.state == stCommitting || t.state == 0 && t.phase == phReading) {
		return // decided, aborted already, or its coordinator state was lost (a crash): the recovery settles it
	}
	x.aborts++
	t.state = stAborting
	t.att = x.newAtt() // every message of the wounded attempt is stale from now on
	x.nt.ToClient(x.leader(t.grps[0]), kAbort, msg{Txn: i, B: att})
}

// prepare: a participant leader holds the write lock; it logs a prepare
// record at p > every timestamp it gave (and ≥ its TT.now().latest).
func (x *TxnSim) prepare(node int, key uint64, q lockReq) {
	gi := int32(key % uint64(x.cfg.Groups))
	g := &x.groups[gi]
	p := max(x.pick(node, x.nt.World().Now()), g.lastTs+1)
	g.lastTs = p
	now := x.nt.World().Now()
	rec := prepRec{txn: q.txn, att: q.att, coord: q.coord, key: key, p: p, slot: g.next + 1, since: now}
	x.prep[gi] = append(x.prep[gi], rec)
	x.logRec(gi, p, recPrepare, q.txn, q.att, 0, key, q.coord)
}

// logRec appends a spanner/txn record to group gi's Paxos log, checking
// that its timestamp is above every one logged before (across leaders too).
func (x *TxnSim) logRec(gi int32, ts time.Duration, kind uint8, i, att int32, ref int64, key uint64, coord int32) int64 {
	g := &x.groups[gi]
	prev := g.trimTs
	if g.next >= g.base {
		prev = g.at(g.next).s
	}
	if g.next > 0 && ts <= prev {
		x.tsRegress++
	}
	return x.proposeEntry(gi, entry{s: ts, txn: i, kind: kind, att: att, ref: ref, key: key, coord: coord, at: x.nt.World().Now()})
}

func (x *TxnSim) findPrep(gi int32, i, att int32) int {
	for j := range x.prep[gi] {
		if r := &x.prep[gi][j]; r.txn == i && r.att == att {
			return j
		}
	}
	return -1
}

func (x *TxnSim) findPrepSlot(gi int32, slot int64) int {
	for j := range x.prep[gi] {
		if x.prep[gi][j].slot == slot {
			return j
		}
	}
	return -1
}

// logged: a spanner/txn record of group gi is committed (a majority has it).
func (x *TxnSim) logged(gi int32, slot int64) {
	g := &x.groups[gi]
	e := g.at(slot)
	node := g.leader
	switch e.kind {
	case recPrepare:
		j := x.findPrepSlot(gi, slot)
		if j < 0 {
			return
		}
		r := &x.prep[gi][j]
		r.logged = true
		if r.abortPending {
			x.logAbort(gi, j)
			return
		}
		x.tellPrepared(node, gi, r)
	case recCommit:
		t := &x.ttxns[e.txn]
		if t.att == e.att && t.state == stDecided {
			t.paxosOK, t.paxosAt = true, x.nt.World().Now()
			x.finishCoord(e.txn)
		} else if d := x.findDec(gi, e.att); d >= 0 && !brokenPresume {
			x.finishRecovered(node, gi, d) // a commit record its predecessor proposed
		}
	case recOutcome, recAbort:
		if d := x.findDec(e.coord, e.att); d >= 0 {
			if e.kind == recAbort {
				x.partial++ // a participant aborts an attempt its coordinator committed
			} else {
				x.dec[e.coord][d].pend--
				x.gcDec(e.coord, d)
			}
		}
		j := x.findPrepSlot(gi, e.ref)
		if j < 0 {
			return
		}
		r := x.prep[gi][j]
		x.blockedMax = max(x.blockedMax, x.nt.World().Now()-r.since)
		x.prep[gi] = append(x.prep[gi][:j], x.prep[gi][j+1:]...)
		x.release(node, r.key, r.txn, r.att)
	}
}

// tellPrepared: a participant leader tells the coordinator leader that r
// is prepared, and (with crashes possible) asks for the outcome if it has
// not come within the timeout.
func (x *TxnSim) tellPrepared(node int, gi int32, r *prepRec) {
	if cl := x.leader(r.coord); cl >= 0 && cl != node {
		x.nt.Send(node, cl, kPrepared, msg{G: r.coord, Txn: r.txn, B: r.att, Ts: r.p, Slot: int64(gi)})
	} else if cl == node {
		x.prepared(r.txn, r.att, gi, r.p)
	}
	if x.failures {
		x.nt.After(node, x.timeout, x.outFn, nil, pack(gi, node, r.slot))
	}
}

// outcomeTimer: a prepared attempt's outcome has not come: ask the
// coordinator group's leader (a status message), and again later.
func (x *TxnSim) outcomeTimer(_ *harness.World, _ *harness.Request, arg int64) {
	gi, node, slot := unpack(arg)
	j := x.findPrepSlot(gi, slot)
	if !x.leads(node, gi) || j < 0 || x.prep[gi][j].outcome {
		return
	}
	r := x.prep[gi][j]
	if cl := x.leader(r.coord); cl == node {
		x.queries++
		if ts, ok := x.answer(r.coord, r.txn, r.att); ok {
			x.outcome(gi, r.txn, r.att, ts)
		}
	} else if cl >= 0 {
		x.nt.Send(node, cl, kStatus, msg{G: r.coord, Txn: r.txn, B: r.att, Slot: int64(gi)})
	}
	x.nt.After(node, x.timeout, x.outFn, nil, arg)
}

// answer is the coordinator leader's answer to "what became of attempt att
// of transaction i": committed at s (a commit record in its log), aborted
// (ts < 0: no commit record and no live coordinator state: presumed abort,
// recorded so that the attempt never commits), or nothing yet (ok false:
// undecided, or its commit record is not yet chosen).
func (x *TxnSim) answer(gi int32, i, att int32) (ts time.Duration, ok bool) {
	g := &x.groups[gi]
	if d := x.findDec(gi, att); d >= 0 && !(brokenPresume && !x.liveDec(i, att)) {
		dd := &x.dec[gi][d]
		return dd.s, dd.slot <= g.commit
	}
	if t := &x.ttxns[i]; t.att == att && t.req != nil && (t.state == stCommitting || t.state == stDecided) {
		return 0, false // it is coordinating the attempt: the outcome will come
	}
	if !x.saidAbort[att] {
		x.saidAbort[att] = true
		x.presumed++
	}
	return -1, true
}

// liveDec: the coordinator leader decided attempt att itself.
func (x *TxnSim) liveDec(i, att int32) bool {
	t := &x.ttxns[i]
	return t.att == att && t.state == stDecided
}

// resolveAt: a client whose attempt a crash hit asks the coordinator
// leader: committed → the reply; undecided → the leader aborts it (it can
// no longer tell whether a participant lost its prepare); unknown →
// presumed abort.
func (x *TxnSim) resolveAt(node int, gi int32, i, att int32) {
	t := &x.ttxns[i]
	if t.att == att && t.req != nil {
		switch t.state {
		case stCommitting:
			x.saidAbort[att] = true
			t.state = stAborting
			t.att = x.newAtt()
			x.nt.ToClient(node, kAbort, msg{Txn: i, B: att})
			return
		case stDecided:
			return // it finishes the attempt itself and replies
		}
	}
	ts, ok := x.answer(gi, i, att)
	switch {
	case !ok:
	case ts < 0:
		x.nt.ToClient(node, kAbort, msg{Txn: i, B: att})
	default:
		x.nt.ToClient(node, kReply, msg{Txn: i, B: att, Ts: ts})
	}
}

func (x *TxnSim) findDec(gi int32, att int32) int {
	for d := range x.dec[gi] {
		if x.dec[gi][d].att == att {
			return d
		}
	}
	return -1
}

// gcDec drops decision d once every participant logged its outcome and the
// client has its reply.
func (x *TxnSim) gcDec(gi int32, d int) {
	if dd := &x.dec[gi][d]; dd.pend <= 0 && dd.acked {
		x.dec[gi] = append(x.dec[gi][:d], x.dec[gi][d+1:]...)
	}
}

// finishRecovered: a new coordinator leader holds a chosen commit record
// it did not decide: once TT.after(s) holds on its clock (commit wait, long
// over after a lease), it sends the outcome to the participants and the
// reply to the client.
func (x *TxnSim) finishRecovered(node int, gi int32, d int) {
	dd := &x.dec[gi][d]
	now := x.nt.World().Now()
	if end := x.clocks[node].AfterTime(dd.s, now); end > now {
		x.nt.After(node, end-now, x.recFinFn, nil, pack(gi, node, dd.slot))
		return
	}
	x.recCommits++
	G := uint64(x.cfg.Groups)
	g0 := dd.key % G // the participants are the next P−1 groups
	for j := uint64(1); j < uint64(x.P); j++ {
		pg := int32((g0 + j) % G)
		if pl := x.leader(pg); pl == node {
			x.outcome(pg, dd.txn, dd.att, dd.s)
		} else if pl >= 0 {
			x.nt.Send(node, pl, kOutcome, msg{G: pg, Txn: dd.txn, B: dd.att, Ts: dd.s})
		}
	}
	x.nt.ToClient(node, kReply, msg{Txn: dd.txn, B: dd.att, Ts: dd.s})
}

func (x *TxnSim) recoveredWaited(_ *harness.World, _ *harness.Request, arg int64) {
	gi, node, slot := unpack(arg)
	if !x.leads(node, gi) {
		return
	}
	for d := range x.dec[gi] {
		if x.dec[gi][d].slot == slot {
			x.finishRecovered(node, gi, d)
			return
		}
	}
}

func (x *TxnSim) logAbort(gi int32, j int) {
	g := &x.groups[gi]
	r := &x.prep[gi][j]
	r.outcome = true
	g.lastTs++
	x.logRec(gi, g.lastTs, recAbort, r.txn, r.att, r.slot, r.key, r.coord)
}

// prepared: at the coordinator leader, participant group pg has logged its
// prepare (a repeat after a failover counts once).
func (x *TxnSim) prepared(i, att int32, pg int32, p time.Duration) {
	t := &x.ttxns[i]
	if t.att != att || t.state != stCommitting {
		return
	}
	j := x.member(i, pg)
	if j <= 0 || j >= len(t.prepd) || t.prepd[j] {
		return
	}
	t.prepd[j] = true
	t.maxPrep = max(t.maxPrep, p)
	t.left--
	x.tryDecide(i)
}

// tryDecide: the coordinator picks s once it holds its lock and every
// participant has prepared, logs the commit record and starts commit wait.
func (x *TxnSim) tryDecide(i int32) {
	t := &x.ttxns[i]
	if t.state != stCommitting || !t.locked || t.left > 0 {
		return
	}
	gi := t.grps[0]
	g := &x.groups[gi]
	now := x.nt.World().Now()
	s := max(t.recvLatest, g.lastTs+1)
	if !brokenIgnorePrepare {
		s = max(s, t.maxPrep)
	}
	g.lastTs = s
	t.s, t.picked, t.state = s, now, stDecided
	x.prepWaitHist.RecordValue(int64(max(1, now-t.recvAt)))
	if s <= t.startMax || s <= t.startRd {
		x.violations++ // a transaction acknowledged, or a read of one of its keys completed, before it started has s ≥ ours
	}
	if x.saidAbort[t.att] {
		x.partial++ // it answered "aborted" for this attempt before
	}
	for j, k := range t.keys {
		if s <= x.keyRead[k] {
			x.snapshotViolations++ // a read at or above s was served without this write
		}
		if h := x.hist[k]; t.rmw && h != nil && h.n > 0 && j < len(t.rv) && h.v[0].att != t.att && h.v[0].ts > t.rv[j] {
			x.lostUpdates++ // a write its read did not see committed in between: it would be overwritten
		}
		x.addVersion(k, version{ts: s, att: t.att, slot: 0})
		if j == 0 {
			x.setVersionSlot(k, t.att, g.next+1)
		}
	}
	if x.cfg.CommitWait {
		t.cwEnd = x.clocks[g.leader].AfterTime(s, now)
		x.nt.After(g.leader, t.cwEnd-now, x.cwFn2, nil, int64(i)|int64(t.att)<<32)
	} else {
		t.cwDone = true
	}
	x.dec[gi] = append(x.dec[gi], decision{txn: i, att: t.att, slot: g.next + 1, s: s, key: t.keys[0], pend: int32(len(t.keys) - 1)})
	x.logRec(gi, s, recCommit, i, t.att, 0, t.keys[0], gi)
}

func (x *TxnSim) commitWaited(_ *harness.World, _ *harness.Request, arg int64) {
	i, att := int32(arg&0xffffffff), int32(arg>>32)
	if t := &x.ttxns[i]; t.att == att && t.state == stDecided {
		t.cwDone = true
		x.finishCoord(i)
	}
}

// finishCoord: the commit record is durable and TT.after(s) holds: reply,
// send s to the participants, release the coordinator's lock.
func (x *TxnSim) finishCoord(i int32) {
	t := &x.ttxns[i]
	if !t.cwDone || !t.paxosOK || t.replied || t.state != stDecided {
		return
	}
	t.replied = true
	node := x.leader(t.grps[0])
	if x.cfg.CommitWait {
		x.cwHist.RecordValue(int64(max(1, t.cwEnd-t.picked)))
		x.cwSum += t.cwEnd - t.picked
		x.cwExposedSum += max(0, t.cwEnd-t.paxosAt)
	}
	for j := 1; j < len(t.keys); j++ {
		if pl := x.leader(t.grps[j]); pl == node {
			x.outcome(t.grps[j], i, t.att, t.s)
		} else if pl >= 0 { // a participant with no leader asks once it has one
			x.nt.Send(node, pl, kOutcome, msg{G: t.grps[j], Txn: i, B: t.att, Ts: t.s})
		}
	}
	x.nt.ToClient(node, kReply, msg{Txn: i, B: t.att, Ts: t.s})
	x.release(node, t.keys[0], i, t.att)
}

// outcome: a participant leader logs the commit at s (its record's Paxos
// timestamp is max(s, above every one it gave), keeping its log's
// timestamps monotonic) and releases the lock once it is logged; s < 0 is
// an abort (a coordinator's answer to a status query).
func (x *TxnSim) outcome(gi int32, i, att int32, s time.Duration) {
	j := x.findPrep(gi, i, att)
	if j < 0 || x.prep[gi][j].outcome {
		return
	}
	if s < 0 {
		if x.prep[gi][j].logged {
			x.logAbort(gi, j)
		} else {
			x.prep[gi][j].abortPending = true
		}
		return
	}
	g := &x.groups[gi]
	r := &x.prep[gi][j]
	r.outcome = true
	ts := max(s, g.lastTs+1)
	g.lastTs = ts
	x.setVersionSlot(r.key, att, g.next+1)
	x.logRec(gi, ts, recOutcome, i, att, r.slot, r.key, r.coord)
}

// releaseAttempt: a participant drops an aborted attempt: its locks and
// waits on key, and its prepare (an abort record once it is logged).
func (x *TxnSim) releaseAttempt(node int, gi int32, key uint64, i, att int32) {
	x.release(node, key, i, att)
	if j := x.findPrep(gi, i, att); j >= 0 && !x.prep[gi][j].outcome {
		if x.prep[gi][j].logged {
			x.logAbort(gi, j)
		} else {
			x.prep[gi][j].abortPending = true
		}
	}
}

// atClient: a reply reached the client.
func (x *TxnSim) atClient(k simnet.Kind, m *msg) {
	w := x.nt.World()
	x.last = max(x.last, w.Now())
	i := m.Txn
	t := &x.ttxns[i]
	if t.req == nil {
		return // a late answer about a transaction that is over
	}
	switch k {
	case kReadOK:
		if t.cli == m.B && t.att == m.B && t.phase == phReading { // (a wound moved att on: its abort is coming)
			if t.left--; t.left == 0 {
				x.commitPhase(i)
			}
		}
	case kAbort:
		if t.ro || t.cli != m.B {
			return
		}
		x.restart(i)
	case kReply:
		if t.ro {
			if t.att == m.B {
				x.roDone(i)
			}
			return
		}
		if t.cli != m.B {
			return
		}
		x.maxAcked = max(x.maxAcked, m.Ts)
		x.commitHist.RecordValue(int64(max(1, w.Now()-t.commitSent)))
		x.rwHist.RecordValue(int64(w.Now() - t.req.Sent))
		if d := x.findDec(t.grps[0], m.B); d >= 0 {
			x.dec[t.grps[0]][d].acked = true
			x.gcDec(t.grps[0], d)
		}
		x.complete(i)
	}
}

// restart: the client's attempt is aborted: it releases it at every
// participant leader and restarts at once with its first attempt's
// priority.
func (x *TxnSim) restart(i int32) {
	t := &x.ttxns[i]
	x.retries++
	for j, key := range t.keys {
		if l := x.leader(t.grps[j]); l >= 0 { // a group with no leader: its new leader asks the coordinator
			x.nt.FromClient(l, kRelease, msg{G: t.grps[j], Txn: i, B: t.cli, Slot: int64(key)})
		}
	}
	x.begin(i)
}

// clientTimer: a client's retry: resend after a group had no leader, ask
// the coordinator again for an attempt a crash hit, or resend a read-only
// transaction.
func (x *TxnSim) clientTimer(_ *harness.World, _ *harness.Request, arg int64) {
	i, att := int32(arg>>32), int32(uint32(arg))
	t := &x.ttxns[i]
	if t.req == nil {
		return
	}
	switch {
	case t.ro:
		if t.att == att {
			x.roSend(i)
		}
	case t.cli != att:
	case t.phase == phBackoff:
		x.dispatch(i)
	case t.phase == phResolving:
		x.resolve(i)
	}
}

// resolve asks the coordinator group's leader for attempt cli's outcome,
// and again after the timeout until it answers.
func (x *TxnSim) resolve(i int32) {
	t := &x.ttxns[i]
	if l := x.leader(t.grps[0]); l >= 0 {
		x.nt.FromClient(l, kResolve, msg{G: t.grps[0], Txn: i, B: t.cli})
	} else if x.noQuorum() {
		x.giveUp(i)
		return
	}
	x.nt.World().After(x.timeout, x.cliFn, nil, int64(i)<<32|int64(uint32(t.cli)))
}

func (x *TxnSim) complete(i int32) {
	t := &x.ttxns[i]
	req, g := t.req, t.grps[0]
	t.req, t.att, t.cli, t.state, t.phase = nil, 0, 0, 0, 0
	x.tfree.Put(i)
	x.done++
	x.nt.World().Complete(req, harness.Outcome{Shard: g})
}

// lost: node no longer leads group gi (it crashed or saw a higher ballot):
// its volatile leader state — lock table, prepared records, coordinator
// state of undecided and decided attempts — is gone; the log keeps the
// rest. The clients of the group's transactions learn of it (a connection
// reset) in resetHit.
func (x *TxnSim) lost(node int, gi int32, led bool) {
	if !led {
		return
	}
	G := uint64(x.cfg.Groups)
	for key, l := range x.locks {
		if int32(key%G) == gi {
			l.holders, l.waiters = l.holders[:0], l.waiters[:0]
			delete(x.locks, key)
			x.lpool = append(x.lpool, l)
		}
	}
	x.prep[gi] = x.prep[gi][:0]
	for i := range x.ttxns {
		t := &x.ttxns[i]
		if t.req == nil || t.ro || x.member(int32(i), gi) < 0 {
			continue
		}
		if t.grps[0] == gi && (t.state == stCommitting || t.state == stDecided) {
			t.state, t.locked = 0, false
		}
		t.hit = true
	}
}

// crashed: node is down: its read-only transactions retry at another
// replica, and the clients whose attempts it served learn of it.
func (x *TxnSim) crashed(node int) {
	for gi := range x.cfg.Groups {
		x.rwait[node*x.cfg.Groups+gi] = x.rwait[node*x.cfg.Groups+gi][:0]
	}
	for i := range x.ttxns {
		if t := &x.ttxns[i]; t.req != nil && t.ro && int(t.node) == node {
			x.roSend(int32(i))
		}
	}
	x.resetHit()
}

// resetHit: a client whose attempt a leader's loss hit restarts it if it
// was still reading (nothing was prepared), or asks its coordinator for the
// outcome if it had sent the commit.
func (x *TxnSim) resetHit() {
	for i := range x.ttxns {
		t := &x.ttxns[i]
		if !t.hit {
			continue
		}
		t.hit = false
		if t.req == nil || t.ro {
			continue
		}
		switch t.phase {
		case phReading:
			x.restart(int32(i))
		case phCommitting:
			t.phase = phResolving
			x.resolve(int32(i))
		}
	}
}

// truncated: group gi's slots after end were never chosen (no promiser
// holds them) and are dropped: a commit record among them never
// committed its transaction (its versions go), an outcome record is undone
// (the prepare it resolves is prepared again).
func (x *TxnSim) truncated(gi int32, end int64) {
	g := &x.groups[gi]
	G := uint64(x.cfg.Groups)
	for slot := end + 1; slot <= g.next; slot++ {
		e := g.at(slot)
		switch e.kind {
		case recCommit:
			if d := x.findDec(gi, e.att); d >= 0 {
				x.dec[gi] = append(x.dec[gi][:d], x.dec[gi][d+1:]...)
			}
			row, g0 := e.key/G, e.key%G
			for j := uint64(0); j < uint64(x.P); j++ {
				x.dropVersion(row*G+(g0+j)%G, e.att)
			}
		case recOutcome:
			x.setVersionSlot(e.key, e.att, 0)
		}
	}
}

// recover: node has just won group gi's election with its log up to end.
// Participant: every prepare record with no outcome or abort record after
// it is a prepared transaction still: the new leader rebuilds its record at
// the same prepare timestamp, re-takes its write lock (with the attempt's
// priority), tells the coordinator again once the record is chosen, and
// asks for the outcome if it does not come. Coordinator: every commit
// record it inherits stands: it finishes it (outcome to the participants,
// reply to the client) once chosen. Its own timestamps start above its
// log's last (becomeLeader) and, by the lease, above every one its
// predecessor gave.
func (x *TxnSim) recover(node int, gi int32, end int64) {
	g := &x.groups[gi]
	r := x.rep(node, gi)
	marks := append(x.marks[:0], x.rprep[node*x.cfg.Groups+int(gi)]...)
	for slot := r.applied + 1; slot <= end; slot++ {
		e := g.at(slot)
		switch e.kind {
		case recPrepare:
			marks = append(marks, prepMark{slot: slot, p: e.s, at: e.at, key: e.key, txn: e.txn, att: e.att, coord: e.coord})
		case recOutcome, recAbort:
			for j := range marks {
				if marks[j].slot == e.ref {
					marks = append(marks[:j], marks[j+1:]...)
					break
				}
			}
		}
	}
	x.marks = marks
	for _, m := range marks {
		x.recovered++
		x.prep[gi] = append(x.prep[gi], prepRec{txn: m.txn, att: m.att, coord: m.coord, key: m.key, slot: m.slot, p: m.p, since: m.at, logged: m.slot <= g.commit})
		if !brokenNoRelock {
			q := lockReq{txn: m.txn, att: m.att, coord: m.coord, excl: true, why: whyPrepare, wounded: true}
			if t := &x.ttxns[m.txn]; t.req != nil && t.att == m.att {
				q.prio, q.seq, q.wounded = t.prio, t.seq, false
			}
			l := x.locks[m.key]
			if l == nil {
				if n := len(x.lpool); n > 0 {
					l = x.lpool[n-1]
					x.lpool = x.lpool[:n-1]
				} else {
					l = &lockState{}
				}
				x.locks[m.key] = l
			}
			l.holders = append(l.holders, q)
		}
	}
	for j := range x.prep[gi] {
		if p := &x.prep[gi][j]; p.logged {
			x.tellPrepared(node, gi, p)
		}
	}
	if brokenPresume {
		return
	}
	for d := range x.dec[gi] {
		if x.dec[gi][d].slot <= g.commit {
			x.finishRecovered(node, gi, d)
		}
	}
}

func (x *TxnSim) dropVersion(key uint64, att int32) {
	h := x.hist[key]
	if h == nil {
		return
	}
	n := 0
	for v := range h.n {
		if h.v[v].att != att {
			h.v[n] = h.v[v]
			n++
		}
	}
	h.n = n
}

// applyRecords: replica r applies group g's slots from…to; prepares enter
// its prepared set, outcomes leave it (t_TM, §4.1.3).
func (x *TxnSim) applyRecords(node int, gi int32, from, to int64) {
	g := &x.groups[gi]
	set := &x.rprep[node*x.cfg.Groups+int(gi)]
	for slot := from; slot <= to; slot++ {
		e := g.at(slot)
		switch e.kind {
		case recPrepare:
			*set = append(*set, prepMark{slot: slot, p: e.s, at: e.at, key: e.key, txn: e.txn, att: e.att, coord: e.coord})
		case recOutcome, recAbort:
			for j := range *set {
				if (*set)[j].slot == e.ref {
					*set = append((*set)[:j], (*set)[j+1:]...)
					break
				}
			}
		}
	}
}

// safe is node's t_safe for group gi: min(t_Paxos, t_TM).
func (x *TxnSim) safe(node int, gi int32) (ts time.Duration, byTM bool) {
	ri := node*x.cfg.Groups + int(gi)
	ts = x.reps[ri].tsafe
	if brokenNoTM {
		return ts, false
	}
	for _, p := range x.rprep[ri] {
		if p.p-1 < ts {
			ts, byTM = p.p-1, true
		}
	}
	return ts, byTM
}

// roRead: a read-only transaction reaches its node, which reads every group
// at t = TT.now().latest once t_safe ≥ t there.
func (x *TxnSim) roRead(node int, i int32) {
	t := &x.ttxns[i]
	now := x.nt.World().Now()
	t.t, t.arrived, t.left = x.pick(node, now), now, len(t.keys)
	t.got, t.gotTs = t.got[:0], t.gotTs[:0]
	for range t.keys {
		t.got = append(t.got, -1)
		t.gotTs = append(t.gotTs, -1)
	}
	for j := range t.keys {
		gi := t.grps[j]
		st, byTM := x.safe(node, gi)
		if !x.cfg.SafeWait || t.t <= st {
			x.roServe(node, i, int32(j))
			continue
		}
		r := x.rep(node, gi)
		tm := t.t <= r.tsafe && byTM
		if tm {
			x.preparedWaits++
		}
		ri := node*x.cfg.Groups + int(gi)
		x.rwait[ri] = append(x.rwait[ri], roWait{i, int32(j), tm})
		if t.t <= r.tsafe {
			continue // only prepared transactions hold it: their outcomes will come
		}
		g := &x.groups[gi]
		if node == g.leader {
			a, p := x.leaderPromise(gi, t.t)
			x.promise(node, gi, a, p)
		} else if g.leader >= 0 && t.t > r.asked { // no leader: its first message asks (fromLeader)
			r.asked = t.t
			x.nt.Send(node, g.leader, kSafeReq, msg{G: gi, Ts: t.t})
		}
	}
}

// serveGroup serves node's waiting reads of group gi whose t ≤ t_safe.
func (x *TxnSim) serveGroup(node int, gi int32) {
	ri := node*x.cfg.Groups + int(gi)
	if len(x.rwait[ri]) == 0 {
		return
	}
	st, _ := x.safe(node, gi)
	ws := x.rwait[ri]
	kept := ws[:0]
	ready := x.ready[:0]
	for _, q := range ws {
		switch t := x.ttxns[q.txn].t; {
		case t <= st:
			ready = append(ready, q)
		case t <= x.reps[ri].tsafe && !q.tm: // t_Paxos is there: a prepared transaction holds it
			q.tm = true
			x.preparedWaits++
			fallthrough
		default:
			kept = append(kept, q)
		}
	}
	x.rwait[ri] = kept
	if len(kept) == 0 {
		x.reps[ri].asked = 0
	}
	x.ready = ready
	for _, q := range ready {
		x.roServe(node, q.txn, q.j)
	}
}

// roServe reads group j of read-only transaction i at node and checks the
// version it returns against every version decided so far.
func (x *TxnSim) roServe(node int, i, j int32) {
	t := &x.ttxns[i]
	key, gi := t.keys[j], t.grps[j]
	applied := x.rep(node, gi).applied
	want, got := -1, -1
	if h := x.hist[key]; h != nil {
		for v := range h.n {
			ver := &h.v[v]
			if ver.ts > t.t {
				continue
			}
			if want < 0 {
				want = v
			}
			if ver.slot != 0 && ver.slot <= applied {
				got = v
				break
			}
		}
		if want >= 0 && want != got {
			x.snapshotViolations++ // a write at or below t is not applied here
		}
		if got >= 0 {
			t.got[j], t.gotTs[j] = h.v[got].att, h.v[got].ts
		}
	}
	if t.t < t.startMax {
		x.violations++ // the read misses a transaction acknowledged before it started
	}
	if t.t > x.keyRead[key] {
		x.keyRead[key] = t.t
	}
	if t.left--; t.left == 0 {
		wait := x.nt.World().Now() - t.arrived
		x.stwHist.RecordValue(int64(wait))
		if wait > 0 {
			x.safeWaits++
		}
		x.nt.ToClient(node, kReply, msg{Txn: i, B: t.att})
	}
}

// roDone: the client has every group's read: check that they are one
// snapshot (no writer seen in one group and missed in another) and finish.
func (x *TxnSim) roDone(i int32) {
	t := &x.ttxns[i]
	for j, w := range t.got {
		if w < 0 {
			continue
		}
		for j2, k2 := range t.keys {
			if j2 == j {
				continue
			}
			if h := x.hist[k2]; h != nil {
				for v := range h.n {
					if h.v[v].att == w && h.v[v].ts > t.gotTs[j2] {
						x.torn++ // the writer is seen in one group, missed in another
					}
				}
			}
		}
	}
	x.roHist.RecordValue(int64(x.nt.World().Now() - t.req.Sent))
	x.complete(i)
}

func (x *TxnSim) addVersion(key uint64, v version) {
	h := x.hist[key]
	if h == nil {
		h = &keyHist{}
		x.hist[key] = h
	}
	copy(h.v[1:], h.v[:histDepth-1])
	h.v[0] = v
	h.n = min(h.n+1, histDepth)
}

func (x *TxnSim) setVersionSlot(key uint64, att int32, slot int64) {
	if h := x.hist[key]; h != nil {
		for v := range h.n {
			if h.v[v].att == att {
				h.v[v].slot = slot
			}
		}
	}
}

// Metrics reports the family figures; durations in milliseconds.
func (x *TxnSim) Metrics() map[string]float64 {
	ms := func(d float64) float64 { return d / 1e6 }
	m := x.Sim.Metrics()
	for _, k := range []string{"reads_leader", "reads_replica"} {
		delete(m, k)
	}
	m["rw_txns"], m["ro_txns"] = float64(x.rw), float64(x.ro)
	m["participants"] = float64(x.P)
	m["aborts"], m["retries"], m["wounds"] = float64(x.aborts), float64(x.retries), float64(x.wounds)
	m["lost_updates"], m["partial_commits"] = float64(x.lostUpdates), float64(x.partial)
	if x.failures {
		m["recovered_prepared"], m["presumed_aborts"] = float64(x.recovered), float64(x.presumed)
		m["outcome_queries"], m["recovered_commits"] = float64(x.queries), float64(x.recCommits)
		m["blocked_ms_max"] = ms(float64(x.blockedMax))
	} else {
		delete(m, "elections")
		delete(m, "txn_failed")
	}
	m["prepared_waits"], m["torn_reads"] = float64(x.preparedWaits), float64(x.torn)
	if h := x.commitHist; h.TotalCount() > 0 {
		m["commit_ms"] = ms(h.Mean())
		m["commit_ms_p50"] = ms(float64(h.ValueAtQuantile(50)))
		m["commit_ms_p99"] = ms(float64(h.ValueAtQuantile(99)))
	}
	if h := x.prepWaitHist; h.TotalCount() > 0 {
		m["prepare_wait_ms"] = ms(h.Mean())
		m["prepare_wait_ms_p99"] = ms(float64(h.ValueAtQuantile(99)))
	}
	return m
}

var _ harness.SimTarget = (*TxnSim)(nil)
var _ harness.SimSetup = (*TxnSim)(nil)
var _ harness.Metricser = (*TxnSim)(nil)
