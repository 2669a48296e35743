package spanner

import (
	"fmt"
	"math/rand/v2"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/dsbench/dsbench/algorithms"
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

// Paxos record kinds of spanner/txn (entry.kind).
const (
	recPrepare uint8 = iota + 1 // a participant's prepare record at its prepare timestamp
	recCommit                   // the coordinator's commit record at s
	recOutcome                  // a participant's commit outcome (ref: its prepare's slot)
	recAbort                    // a participant's abort outcome (ref: its prepare's slot)
)

// Transaction states.
const (
	stReading    uint8 = iota + 1 // rmw: waiting for its read locks
	stCommitting                  // 2PC under way, not decided
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

// ttxn is one transaction (read-write or read-only), by slot; att is the
// current attempt's id, unique across the run, so a message of an aborted
// attempt or of an earlier transaction in this slot is recognised as stale.
type ttxn struct {
	req   *harness.Request
	ro    bool
	rmw   bool
	state uint8
	att   int32
	prio  time.Duration // wound-wait priority: the first attempt's start (kept on restarts)
	seq   uint64        // tie-break: the first attempt's id
	keys  []uint64
	grps  []int32
	left  int // reads, prepares (rw) or groups (ro) outstanding

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
	logged          bool // the prepare record is committed in Paxos
	abortPending    bool // released before its prepare was logged
	outcome         bool // its outcome record is proposed
}

// prepMark is a replica's view of a prepared transaction (from its applied log).
type prepMark struct {
	slot int64
	p    time.Duration
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
	tfree  []int32
	nextAt int32
	locks  map[uint64]*lockState
	lpool  []*lockState
	prep   [][]prepRec // per group, at its leader
	rprep  [][]prepMark
	rwait  [][]roWait // node*groups + group: read-only reads waiting for t_safe
	hist   map[uint64]*keyHist
	ready  []roWait

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
	}
	s.tx = x
	x.cwFn2 = x.commitWaited
	return x, nil
}

// Setup builds the cluster on w (no failover: crashes are not offered).
func (x *TxnSim) Setup(w *harness.World) {
	nt, err := algorithms.NewNet[msg](w, x.cfg.Cluster, kindNames)
	if err != nil {
		panic(err) // validated when the target was built
	}
	x.nt = nt
	for node := range x.n {
		nt.Handle(node, func(m *simnet.Msg[msg]) { x.Sim.handle(node, m.From, m.Kind, &m.Payload) })
	}
	nt.HandleClients(func(m *simnet.Msg[msg]) { x.atClient(m.Kind, &m.Payload) })
	nt.Leader = func() int { return x.groups[0].leader }
}

func (x *TxnSim) leader(g int32) int { return x.groups[g].leader }

// Start begins a transaction: update, insert, rmw and delete are read-write
// transactions; every other kind is a read-only one.
func (x *TxnSim) Start(w *harness.World, req *harness.Request) {
	var i int32
	if n := len(x.tfree); n > 0 {
		i = x.tfree[n-1]
		x.tfree = x.tfree[:n-1]
	} else {
		x.ttxns = append(x.ttxns, ttxn{})
		i = int32(len(x.ttxns) - 1)
	}
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
		t.att = x.newAtt()
		x.nt.FromClient(int(t.node), kRORead, msg{Txn: i, B: t.att})
		return
	}
	x.rw++
	x.begin(i)
}

func (x *TxnSim) newAtt() int32 {
	x.nextAt++
	return x.nextAt
}

// begin runs an attempt of read-write transaction i.
func (x *TxnSim) begin(i int32) {
	t := &x.ttxns[i]
	t.att = x.newAtt()
	t.locked, t.cwDone, t.paxosOK, t.replied = false, false, false, false
	if t.rmw {
		t.state, t.left = stReading, len(t.keys)
		for j, k := range t.keys {
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
	t.state, t.left, t.maxPrep = stCommitting, len(t.keys)-1, -1<<62
	t.commitSent = x.nt.World().Now()
	for j := 1; j < len(t.keys); j++ {
		x.nt.FromClient(x.leader(t.grps[j]), kPrepareReq, msg{G: t.grps[j], Txn: i, B: t.att, Slot: int64(t.keys[j]), A: int64(t.grps[0])})
	}
	x.nt.FromClient(x.leader(t.grps[0]), kCommitReq, msg{G: t.grps[0], Txn: i, B: t.att, Slot: int64(t.keys[0])})
}

// handle runs a spanner/txn message at node.
func (x *TxnSim) handle(node, _ int, k simnet.Kind, m *msg) {
	t := &x.ttxns[m.Txn]
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
		if t.att == m.B {
			t.recvLatest, t.recvAt = x.pick(node, x.nt.World().Now()), x.nt.World().Now()
			x.acquire(node, uint64(m.Slot), x.req(m.Txn, true, whyCoord))
		}
	case kPrepared:
		x.prepared(m.Txn, m.B, m.Ts)
	case kOutcome:
		x.outcome(m.G, m.Txn, m.B, m.Ts)
	case kWound:
		x.wounded(m.Txn, m.B)
	case kRelease:
		x.releaseAttempt(node, m.G, uint64(m.Slot), m.Txn, m.B)
	case kRORead:
		x.roRead(node, m.Txn)
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

// wound asks the coordinator of a younger holder to abort it.
func (x *TxnSim) wound(node int, h *lockReq) {
	x.wounds++
	if cl := x.leader(h.coord); cl != node {
		x.nt.Send(node, cl, kWound, msg{G: h.coord, Txn: h.txn, B: h.att})
		return
	}
	x.wounded(h.txn, h.att)
}

// wounded: at the coordinator leader; the attempt aborts unless s is picked.
func (x *TxnSim) wounded(i, att int32) {
	t := &x.ttxns[i]
	if t.att != att || t.req == nil || t.ro || t.state == stDecided || t.state == stAborting {
		return
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
	rec := prepRec{txn: q.txn, att: q.att, coord: q.coord, key: key, p: p, slot: g.next + 1}
	x.prep[gi] = append(x.prep[gi], rec)
	x.logRec(gi, p, recPrepare, q.txn, q.att, 0)
}

// logRec appends a spanner/txn record to group gi's Paxos log.
func (x *TxnSim) logRec(gi int32, ts time.Duration, kind uint8, i, att int32, ref int64) int64 {
	return x.proposeEntry(gi, entry{s: ts, txn: i, kind: kind, att: att, ref: ref})
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
		if cl := x.leader(r.coord); cl != node {
			x.nt.Send(node, cl, kPrepared, msg{G: r.coord, Txn: r.txn, B: r.att, Ts: r.p})
		} else {
			x.prepared(r.txn, r.att, r.p)
		}
	case recCommit:
		t := &x.ttxns[e.txn]
		if t.att == e.att {
			t.paxosOK, t.paxosAt = true, x.nt.World().Now()
			x.finishCoord(e.txn)
		}
	case recOutcome, recAbort:
		j := x.findPrepSlot(gi, e.ref)
		if j < 0 {
			return
		}
		r := x.prep[gi][j]
		x.prep[gi] = append(x.prep[gi][:j], x.prep[gi][j+1:]...)
		x.release(node, r.key, r.txn, r.att)
	}
}

func (x *TxnSim) logAbort(gi int32, j int) {
	g := &x.groups[gi]
	r := &x.prep[gi][j]
	r.outcome = true
	g.lastTs++
	x.logRec(gi, g.lastTs, recAbort, r.txn, r.att, r.slot)
}

// prepared: at the coordinator leader, a participant has logged its prepare.
func (x *TxnSim) prepared(i, att int32, p time.Duration) {
	t := &x.ttxns[i]
	if t.att != att || t.state != stCommitting {
		return
	}
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
	for j, k := range t.keys {
		if s <= x.keyRead[k] {
			x.snapshotViolations++ // a read at or above s was served without this write
		}
		x.addVersion(k, version{ts: s, att: t.att, slot: 0})
		if j == 0 {
			x.setVersionSlot(k, t.att, g.next+1)
		}
	}
	if x.cfg.CommitWait {
		t.cwEnd = x.clocks[g.leader].AfterTime(s, now)
		x.nt.After(g.leader, t.cwEnd-now, x.cwFn2, nil, int64(i))
	} else {
		t.cwDone = true
	}
	x.logRec(gi, s, recCommit, i, t.att, 0)
}

func (x *TxnSim) commitWaited(_ *harness.World, _ *harness.Request, arg int64) {
	x.ttxns[arg].cwDone = true
	x.finishCoord(int32(arg))
}

// finishCoord: the commit record is durable and TT.after(s) holds: reply,
// send s to the participants, release the coordinator's lock.
func (x *TxnSim) finishCoord(i int32) {
	t := &x.ttxns[i]
	if !t.cwDone || !t.paxosOK || t.replied {
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
		if pl := x.leader(t.grps[j]); pl != node {
			x.nt.Send(node, pl, kOutcome, msg{G: t.grps[j], Txn: i, B: t.att, Ts: t.s})
		} else {
			x.outcome(t.grps[j], i, t.att, t.s)
		}
	}
	x.nt.ToClient(node, kReply, msg{Txn: i, B: t.att})
	x.release(node, t.keys[0], i, t.att)
}

// outcome: a participant leader logs the commit at s (its record's Paxos
// timestamp is max(s, above every one it gave), keeping its log's
// timestamps monotonic) and releases the lock once it is logged.
func (x *TxnSim) outcome(gi int32, i, att int32, s time.Duration) {
	j := x.findPrep(gi, i, att)
	if j < 0 {
		return
	}
	g := &x.groups[gi]
	r := &x.prep[gi][j]
	r.outcome = true
	ts := max(s, g.lastTs+1)
	g.lastTs = ts
	x.setVersionSlot(r.key, att, g.next+1)
	x.logRec(gi, ts, recOutcome, i, att, r.slot)
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
	switch k {
	case kReadOK:
		if t.att == m.B && t.state == stReading {
			if t.left--; t.left == 0 {
				x.commitPhase(i)
			}
		}
	case kAbort:
		for j, key := range t.keys {
			x.nt.FromClient(x.leader(t.grps[j]), kRelease, msg{G: t.grps[j], Txn: i, B: m.B, Slot: int64(key)})
		}
		x.begin(i) // at once, with its first attempt's priority
	case kReply:
		if t.ro {
			x.roDone(i)
			return
		}
		x.maxAcked = max(x.maxAcked, t.s)
		x.commitHist.RecordValue(int64(max(1, w.Now()-t.commitSent)))
		x.rwHist.RecordValue(int64(w.Now() - t.req.Sent))
		x.complete(i)
	}
}

func (x *TxnSim) complete(i int32) {
	t := &x.ttxns[i]
	req, g := t.req, t.grps[0]
	t.req, t.att, t.state = nil, 0, 0
	x.tfree = append(x.tfree, i)
	x.done++
	x.nt.World().Complete(req, harness.Outcome{Shard: g})
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
			*set = append(*set, prepMark{slot: slot, p: e.s})
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
		} else if t.t > r.asked {
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
	for _, k := range []string{"reads_leader", "reads_replica", "elections", "txn_failed"} {
		delete(m, k)
	}
	m["rw_txns"], m["ro_txns"] = float64(x.rw), float64(x.ro)
	m["participants"] = float64(x.P)
	m["aborts"], m["retries"], m["wounds"] = float64(x.aborts), float64(x.aborts), float64(x.wounds)
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
