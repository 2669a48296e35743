package dynamo

import (
	"errors"
	"github.com/dsbench/dsbench/algorithms/internal/slots"
	"math/rand/v2"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/history"
	"github.com/dsbench/dsbench/harness/simnet"
	"github.com/dsbench/dsbench/workloads"
)

// Errors of failed ops.
var (
	ErrUnavailable = errors.New("dynamo: too few healthy replicas for the quorum")
	ErrTimeout     = errors.New("dynamo: quorum not met before the timeout")
)

// Message kinds.
const (
	mPut       = iota // client → replica: store a version (maybe with a hint)
	mPutAck           // replica → client
	mGet              // client → replica
	mGetReply         // replica → client: its versions
	mRepair           // client → replica: read repair
	mHint             // hint holder → home node: a hinted replica
	mHintAck          // home node → hint holder
	mSync             // replica → replica: anti-entropy transfer of one leaf
	mRepairAck        // replica → client: a blocking read's write-back is stored
)

type item struct {
	key  uint64
	vers []Version
}

type msg struct {
	kind     int8
	from, to int8 // node indexes; client is -1
	hint     int8 // mPut: the home node a fallback holds it for (-1 none)
	op       int32
	gen      uint32
	key      uint64
	vers     []Version
	items    []item
	hintIdx  int32
	rg       int32
}

type hint struct {
	to     int8
	key    uint64
	rg     int32
	vers   []Version
	sentAt time.Duration
	sent   bool
	done   bool
}

type node struct {
	up        bool
	store     *Store
	hints     []hint
	hintIdx   map[hintKey]int32
	hintsLive int
}

type hintKey struct {
	to  int8
	key uint64
}

// op is one quorum phase in flight at the client (the coordinator).
type op struct {
	req      *harness.Request // nil once handed on (the read half of an rmw) or completed
	gen      uint32
	write    bool
	rmw      bool
	key      uint64
	rg       int32
	coord    int8
	q        Quorum
	targets  []int8
	replica  []bool      // targets[i] is one of the key's N replicas
	hint     []int8      // write: the replica targets[i] stands in for (-1: itself)
	replies  [][]Version // read: each target's answer
	replied  []bool
	merged   []Version // read: the union of the answers so far
	required VC        // read: the latest write acknowledged before it began
	version  Version   // write
	start    time.Duration
	outage   bool // a write begun while a node was down
	closed   bool
	hist     int // the op's id in the client history (-1: not recorded)
	// A blocking read (read_repair=blocking) that found fewer than W
	// replicas holding what it returns writes it back and waits for
	// wbNeed more acks (wbPhase) before it returns.
	wbPhase, wroteBack bool
	wbNeed             int
}

// Sim is a Dynamo cluster with client-driven coordination in virtual time.
// It implements harness.SimTarget and is single-threaded, like the World.
type Sim struct {
	cfg   Config
	ring  *Ring
	nodes []node
	ops   []op
	free  slots.Free
	msgs  []msg
	freeM slots.Free

	counter  []uint32 // per coordinator: the last clock entry it issued
	writeSeq uint64
	readCtx  map[uint64]VC   // the client's context per key: the clock of its last read
	latest   map[uint64]VC   // reference: the clock of the last acknowledged write per key
	acked    map[uint64][]VC // reference: the acknowledged writes no other acknowledged write descends from

	w    *harness.World
	net  *simnet.Net[int32] // payload: an index into msgs
	hist *history.Log       // the clients' history (run --check), or nil

	timeoutFn, aeFn, handoffFn harness.EventFunc
	skipped                    []int8

	// Counters.
	messages, opsDone                       uint64
	reads, staleReads, readsFailed          uint64
	writes, writesFailed                    uint64
	sibReads, versionsReturned              uint64
	hintsStored, hintsDelivered, readRepair uint64
	rangesSynced, aeRounds, treeMsgs        uint64
	outWrites, outAcks, writeAcks           uint64
	lost                                    uint64
	scratch                                 []int
}

// NewSim builds the cluster.
func NewSim(cfg Config) (*Sim, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	ring, err := NewRing(cfg.Nodes, cfg.VNodes, cfg.Hash)
	if err != nil {
		return nil, err
	}
	s := &Sim{cfg: cfg, ring: ring, nodes: make([]node, cfg.Nodes), counter: make([]uint32, cfg.Nodes),
		readCtx: map[uint64]VC{}, latest: map[uint64]VC{}, acked: map[uint64][]VC{}}
	for i := range s.nodes {
		s.nodes[i] = node{up: true, store: NewStore(ring.Ranges(), cfg.Leaves), hintIdx: map[hintKey]int32{}}
	}
	s.timeoutFn, s.aeFn, s.handoffFn = s.timeout, s.antiEntropy, s.handoff
	if _, err := s.newNet(harness.NewWorld(0, nil)); err != nil {
		return nil, err
	}
	return s, nil
}

// newNet builds the cluster's network on w: the nodes are the Dynamo
// nodes; the client (the coordinator, §6.4) talks to them over simnet's
// client links (FromClient, ToClient).
func (s *Sim) newNet(w *harness.World) (*simnet.Net[int32], error) {
	return algorithms.NewNet[int32](w, s.cfg.Cluster, kindNames)
}

// RecordHistory makes the cluster record its clients' history (run
// --check). A put is a write of its version's id; a get returns the
// highest version id among the siblings it returns (0: none), i.e. the
// sibling whose write was invoked last — NOTES.md says why that is the
// value a linearizable register would hold.
func (s *Sim) RecordHistory(l *history.Log) { s.hist = l }

var kindNames = []string{"put", "put_ack", "get", "get_reply", "repair", "hint", "hint_ack", "sync", "repair_ack"}

// Ring is the cluster's ring.
func (s *Sim) Ring() *Ring { return s.ring }

// Setup puts the cluster on w's network and schedules its faults and the
// periodic anti-entropy and handoff. It must run before the first Start.
func (s *Sim) Setup(w *harness.World) {
	nt, err := s.newNet(w)
	if err != nil {
		panic(err) // checked by NewSim
	}
	s.w, s.net = w, nt
	for i := 0; i < s.cfg.Nodes; i++ {
		nt.Handle(i, s.onMsg)
	}
	nt.HandleClients(s.onMsg)
	nt.OnCrash, nt.OnRestart = s.goDown, s.goUp
	if err := nt.Schedule(s.cfg.Cluster.Faults); err != nil {
		panic(err) // checked by ConfigFrom
	}
	if s.cfg.AntiEntropy > 0 {
		w.After(s.cfg.AntiEntropy, s.aeFn, nil, 0)
	}
	if s.cfg.Sloppy {
		w.After(s.cfg.Handoff, s.handoffFn, nil, 0)
	}
}

// goDown and goUp follow the network's crashes and restarts: the client
// and the nodes know at once who is down (an ideal failure detector).
func (s *Sim) goDown(i int) { s.nodes[i].up = false }

func (s *Sim) goUp(i int) {
	s.nodes[i].up = true
	s.handoff(s.w, nil, -1) // the others notice the recovery and hand back at once
}

func (s *Sim) anyDown() bool {
	for i := range s.nodes {
		if !s.nodes[i].up {
			return true
		}
	}
	return false
}

// --- network -----------------------------------------------------------

func (s *Sim) newMsg(kind int8, from, to int8) int32 {
	i := slots.Take(&s.freeM, &s.msgs)
	s.msgs[i] = msg{kind: kind, from: from, to: to, hint: -1, op: -1}
	return i
}

func (s *Sim) freeMsg(i int32) {
	s.msgs[i] = msg{}
	s.freeM.Put(i)
}

// send puts message i on the simulated network, which drops it if the
// sender or the receiver is down, by loss or by a partition between nodes
// (the client's links are neither lossy nor cut, as in every family on
// harness/simnet).
func (s *Sim) send(w *harness.World, i int32) {
	m := &s.msgs[i]
	s.messages++
	k := simnet.Kind(m.kind)
	switch {
	case m.from < 0:
		s.net.FromClient(int(m.to), k, i)
	case m.to < 0:
		if !s.net.ToClient(int(m.from), k, i) {
			s.freeMsg(i)
		}
	default:
		if !s.net.Send(int(m.from), int(m.to), k, i) {
			s.freeMsg(i)
		}
	}
}

func (s *Sim) onMsg(nm *simnet.Msg[int32]) {
	i := nm.Payload
	m := s.msgs[i]
	s.freeMsg(i)
	w := s.w
	switch m.kind {
	case mPut:
		s.onPut(w, &m)
	case mGet:
		s.onGet(w, &m)
	case mPutAck, mGetReply:
		s.onReply(w, &m)
	case mRepair, mSync:
		s.onRepair(w, &m)
	case mRepairAck:
		s.onRepairAck(w, &m)
	case mHint:
		s.onHint(w, &m)
	case mHintAck:
		s.onHintAck(&m)
	}
}

// --- client / coordinator ------------------------------------------------

func (s *Sim) newOp() int32 {
	i := slots.Take(&s.free, &s.ops)
	o := &s.ops[i]
	gen := o.gen + 1
	targets, replica, hint, replies, replied := o.targets[:0], o.replica[:0], o.hint[:0], o.replies[:0], o.replied[:0]
	*o = op{gen: gen, targets: targets, replica: replica, hint: hint, replies: replies, replied: replied, merged: o.merged[:0], hist: -1}
	return i
}

func (s *Sim) freeOp(i int32) {
	o := &s.ops[i]
	o.closed, o.req = true, nil
	clear(o.replies)
	s.free.Put(i)
}

// Start begins an op: reads (and scans, which read their first key) and the
// read half of a read-modify-write run a get; updates, inserts and deletes
// (a delete is a tombstone write) run a put with the client's context.
func (s *Sim) Start(w *harness.World, req *harness.Request) {
	switch req.Op.Kind {
	case workloads.Read, workloads.Scan:
		s.startRead(w, req, false)
	case workloads.RMW:
		s.startRead(w, req, true)
	case workloads.Insert:
		s.startWrite(w, req, nil)
	default:
		s.startWrite(w, req, s.readCtx[req.Op.Key])
	}
}

// choose fills o's targets: the first N healthy nodes of the preference
// list (sloppy), or the healthy ones among the first N (strict). For a
// write, a fallback carries a hint naming the skipped replica it stands in
// for; hints, if not nil, receives them.
func (s *Sim) choose(o *op, r *rand.Rand) int {
	pref := s.ring.Pref(int(o.rg))
	s.skipped = s.skipped[:0]
	fallbacks := 0
	for pos, n := range pref {
		if len(o.targets) == s.cfg.N || (!s.cfg.Sloppy && pos >= s.cfg.N) {
			break
		}
		if !s.nodes[n].up {
			if pos < s.cfg.N {
				s.skipped = append(s.skipped, n)
			}
			continue
		}
		h := int8(-1)
		if pos >= s.cfg.N {
			h = s.skipped[fallbacks] // the k-th fallback stands in for the k-th skipped replica
			fallbacks++
		}
		o.hint = append(o.hint, h)
		o.targets = append(o.targets, n)
		o.replica = append(o.replica, pos < s.cfg.N)
	}
	// The coordinator: a random healthy replica among the first N (any of
	// them may coordinate a write, §4.5), else the first target.
	nrep := 0
	for _, r := range o.replica {
		if r {
			nrep++
		}
	}
	o.coord = -1
	if nrep > 0 {
		k := r.IntN(nrep)
		for i, r := range o.replica {
			if r {
				if k == 0 {
					o.coord = o.targets[i]
					break
				}
				k--
			}
		}
	} else if len(o.targets) > 0 {
		o.coord = o.targets[0]
	}
	return len(o.targets)
}

func (s *Sim) shard(o *op) int32 {
	if o.coord < 0 {
		return harness.NoShard
	}
	return int32(o.coord)
}

func (s *Sim) startRead(w *harness.World, req *harness.Request, rmw bool) {
	i := s.newOp()
	o := &s.ops[i]
	o.req, o.rmw, o.key, o.start = req, rmw, req.Op.Key, w.Now()
	o.rg = int32(s.ring.Range(o.key))
	o.required = s.latest[o.key]
	n := s.choose(o, w.Rand())
	o.q = NewQuorum(s.cfg.R, n)
	s.reads++
	if s.hist != nil && !rmw { // an rmw is recorded as the write it makes
		o.hist = s.hist.Invoke(req.Op.Client, o.key, history.Read, 0, w.Now())
	}
	if o.q.Done {
		s.readsFailed++
		s.finish(w, i, ErrUnavailable)
		s.freeOp(i)
		return
	}
	for len(o.replies) < n {
		o.replies = append(o.replies, nil)
	}
	o.replies = o.replies[:n]
	o.replied = append(o.replied[:0], make([]bool, n)...)
	for t, to := range o.targets {
		m := s.newMsg(mGet, -1, to)
		s.msgs[m].op, s.msgs[m].gen, s.msgs[m].key, s.msgs[m].hintIdx = i, o.gen, o.key, int32(t)
		s.send(w, m)
	}
	w.After(s.cfg.Timeout, s.timeoutFn, nil, int64(i)<<32|int64(o.gen))
}

func (s *Sim) startWrite(w *harness.World, req *harness.Request, ctx VC) {
	i := s.newOp()
	o := &s.ops[i]
	o.req, o.write, o.key, o.start = req, true, req.Op.Key, w.Now()
	o.rg = int32(s.ring.Range(o.key))
	n := s.choose(o, w.Rand())
	o.q = NewQuorum(s.cfg.W, n)
	s.writes++
	if o.outage = s.anyDown(); o.outage {
		s.outWrites++
	}
	if o.q.Done {
		s.writesFailed++
		s.finish(w, i, ErrUnavailable)
		s.freeOp(i)
		return
	}
	// The coordinator's clock: the context's, with its own entry advanced
	// past anything it issued before.
	c := o.coord
	vc := make(VC, s.cfg.Nodes)
	copy(vc, ctx)
	vc[c] = max(vc[c], s.counter[c]) + 1
	s.counter[c] = vc[c]
	s.writeSeq++
	o.version = Version{ID: s.writeSeq, Clock: vc}
	if s.hist != nil {
		o.hist = s.hist.Invoke(req.Op.Client, o.key, history.Write, int64(s.writeSeq), w.Now())
	}
	for t, to := range o.targets {
		m := s.newMsg(mPut, -1, to)
		mm := &s.msgs[m]
		mm.op, mm.gen, mm.key, mm.rg, mm.vers = i, o.gen, o.key, o.rg, []Version{o.version}
		mm.hint = o.hint[t]
		s.send(w, m)
	}
	w.After(s.cfg.Timeout, s.timeoutFn, nil, int64(i)<<32|int64(o.gen))
}

// finish completes the client's request of op i (if it still holds one).
func (s *Sim) finish(w *harness.World, i int32, err error) {
	o := &s.ops[i]
	if o.req == nil {
		return
	}
	req := o.req
	o.req = nil
	s.opsDone++
	if o.hist >= 0 {
		switch err {
		case nil:
			s.hist.Return(o.hist, newest(o.merged), w.Now())
		case ErrTimeout: // some replicas may have stored it
			s.hist.Unknown(o.hist)
		default: // nothing was sent
			s.hist.Fail(o.hist)
		}
	}
	w.Complete(req, harness.Outcome{Shard: s.shard(o), Err: err})
}

// newest is the value a get returns to the checker: the highest version id
// among its siblings (0 when the key has none).
func newest(vs []Version) int64 {
	var id uint64
	for _, v := range vs {
		id = max(id, v.ID)
	}
	return int64(id)
}

func (s *Sim) onReply(w *harness.World, m *msg) {
	i := m.op
	if i < 0 || int(i) >= len(s.ops) {
		return
	}
	o := &s.ops[i]
	if o.gen != m.gen || o.closed {
		return // the op timed out and its slot moved on
	}
	if m.kind == mGetReply {
		t := m.hintIdx
		o.replies[t], o.replied[t] = m.vers, true
		for _, v := range m.vers {
			o.merged, _ = AddVersion(o.merged, v, nil)
		}
	}
	if o.q.Reply(true) {
		s.decided(w, i) // may start an op and move s.ops
		o = &s.ops[i]
	}
	if o.q.AllIn() && !o.wbPhase {
		s.close(w, i)
	}
}

// writeBack starts a blocking read's write-back (ABD's second phase:
// Attiya, Bar-Noy, Dolev, "Sharing memory robustly in message-passing
// systems", JACM 1995; Cassandra's blocking read repair): when fewer than W
// of the replicas that answered hold every version the get returns, it
// sends those versions to every target not known to hold them and reports
// true; the get returns once W targets hold them, so any later get (R + W
// > N) sees them — no new-old inversion. It reports false when W already
// do.
func (s *Sim) writeBack(w *harness.World, i int32) bool {
	o := &s.ops[i]
	if len(o.merged) == 0 {
		return false
	}
	holders := 0
	for t := range o.targets {
		if o.replied[t] && CoversAll(o.replies[t], o.merged) {
			holders++
		}
	}
	if holders >= s.cfg.W {
		return false
	}
	o.wbPhase, o.wroteBack, o.wbNeed = true, true, s.cfg.W-holders
	for t, to := range o.targets {
		if o.replied[t] && CoversAll(o.replies[t], o.merged) {
			continue
		}
		s.readRepair++
		m := s.newMsg(mRepair, -1, to)
		mm := &s.msgs[m]
		mm.op, mm.gen, mm.key, mm.rg, mm.hint = i, o.gen, o.key, o.rg, o.hint[t]
		mm.vers = append([]Version(nil), o.merged...)
		s.send(w, m)
	}
	return true
}

func (s *Sim) onRepairAck(w *harness.World, m *msg) {
	i := m.op
	if i < 0 || int(i) >= len(s.ops) {
		return
	}
	o := &s.ops[i]
	if o.gen != m.gen || o.closed || !o.wbPhase {
		return
	}
	if o.wbNeed--; o.wbNeed > 0 {
		return
	}
	o.wbPhase = false
	s.readDone(w, i) // may start an op and move s.ops
	if o = &s.ops[i]; o.q.AllIn() {
		s.close(w, i)
	}
}

// decided runs when op i's quorum succeeds.
func (s *Sim) decided(w *harness.World, i int32) {
	o := &s.ops[i]
	if !o.write && s.cfg.BlockingRepair && s.writeBack(w, i) {
		return // it returns when W replicas hold what it read
	}
	if !o.write {
		s.readDone(w, i)
		return
	}
	s.writeDone(w, i)
}

// readDone returns a successful get (or hands an rmw on to its write).
func (s *Sim) readDone(w *harness.World, i int32) {
	o := &s.ops[i]
	if o.required != nil && !Covers(o.merged, o.required) {
		s.staleReads++
	}
	if len(o.merged) > 1 {
		s.sibReads++
	}
	s.versionsReturned += uint64(len(o.merged))
	// The client's context for its next write: every version it saw.
	ctx := make(VC, s.cfg.Nodes)
	for _, v := range o.merged {
		MergeInto(ctx, v.Clock)
	}
	s.readCtx[o.key] = ctx
	if o.rmw && o.req != nil {
		req := o.req
		o.req = nil
		s.startWrite(w, req, ctx)
		return
	}
	s.finish(w, i, nil)
}

// writeDone returns an acknowledged put.
func (s *Sim) writeDone(w *harness.World, i int32) {
	o := &s.ops[i]
	// An acknowledged write: the reference model learns it.
	s.writeAcks++
	if o.outage {
		s.outAcks++
	}
	vc := o.version.Clock
	s.latest[o.key] = vc
	acked := s.acked[o.key]
	keep := acked[:0]
	dominated := false
	for _, a := range acked {
		if Descends(a, vc) {
			dominated = true
		}
		if !Descends(vc, a) {
			keep = append(keep, a)
		}
	}
	if !dominated {
		keep = append(keep, vc)
	}
	s.acked[o.key] = keep
	s.finish(w, i, nil)
}

// close ends op i once every target answered or the deadline passed: a
// read repairs the replicas whose answer missed a version it saw (§5).
func (s *Sim) close(w *harness.World, i int32) {
	o := &s.ops[i]
	if !o.write && !o.wroteBack && len(o.merged) > 0 {
		for t, to := range o.targets {
			if !o.replied[t] || !o.replica[t] || CoversAll(o.replies[t], o.merged) {
				continue
			}
			s.readRepair++
			m := s.newMsg(mRepair, -1, to)
			s.msgs[m].key, s.msgs[m].rg = o.key, o.rg
			s.msgs[m].vers = append([]Version(nil), o.merged...)
			s.send(w, m)
		}
	}
	s.freeOp(i)
}

func (s *Sim) timeout(w *harness.World, _ *harness.Request, arg int64) {
	i, gen := int32(arg>>32), uint32(arg)
	o := &s.ops[i]
	if o.gen != gen || o.closed {
		return
	}
	if o.q.Expire() || o.wbPhase {
		if o.write {
			s.writesFailed++
		} else {
			s.readsFailed++
		}
		o.wbPhase = false
		s.finish(w, i, ErrTimeout)
	}
	s.close(w, i)
}

// --- replicas ------------------------------------------------------------

func (s *Sim) onPut(w *harness.World, m *msg) {
	n := &s.nodes[m.to]
	if m.hint >= 0 {
		s.storeHint(n, m.hint, m.key, m.rg, m.vers[0])
	} else {
		n.store.Put(m.key, s.ring.KeyHash(m.key), int(m.rg), m.vers[0])
	}
	r := s.newMsg(mPutAck, m.to, -1)
	s.msgs[r].op, s.msgs[r].gen = m.op, m.gen
	s.send(w, r)
}

func (s *Sim) storeHint(n *node, to int8, key uint64, rg int32, v Version) {
	k := hintKey{to, key}
	if j, ok := n.hintIdx[k]; ok && !n.hints[j].done {
		h := &n.hints[j]
		var changed bool
		h.vers, changed = AddVersion(h.vers, v, nil)
		if changed {
			h.sent = false
		}
		return
	}
	s.hintsStored++
	n.hintIdx[k] = int32(len(n.hints))
	n.hints = append(n.hints, hint{to: to, key: key, rg: rg, vers: []Version{v}})
	n.hintsLive++
}

func (s *Sim) onGet(w *harness.World, m *msg) {
	n := &s.nodes[m.to]
	vs := append([]Version(nil), n.store.Get(m.key)...)
	// A fallback answers from its hinted replicas too.
	for to := int8(0); n.hintsLive > 0 && int(to) < len(s.nodes); to++ {
		if j, ok := n.hintIdx[hintKey{to, m.key}]; ok && !n.hints[j].done {
			for _, v := range n.hints[j].vers {
				vs, _ = AddVersion(vs, v, nil)
			}
		}
	}
	r := s.newMsg(mGetReply, m.to, -1)
	s.msgs[r].op, s.msgs[r].gen, s.msgs[r].hintIdx, s.msgs[r].vers = m.op, m.gen, m.hintIdx, vs
	s.send(w, r)
}

func (s *Sim) onRepair(w *harness.World, m *msg) {
	st := s.nodes[m.to].store
	if m.kind == mRepair {
		for _, v := range m.vers {
			if m.hint >= 0 { // a blocking read's write-back to a fallback
				s.storeHint(&s.nodes[m.to], m.hint, m.key, m.rg, v)
			} else {
				st.Put(m.key, s.ring.KeyHash(m.key), int(m.rg), v)
			}
		}
		if m.op >= 0 { // a blocking read waits for it
			r := s.newMsg(mRepairAck, m.to, -1)
			s.msgs[r].op, s.msgs[r].gen = m.op, m.gen
			s.send(w, r)
		}
		return
	}
	for _, it := range m.items {
		for _, v := range it.vers {
			st.Put(it.key, s.ring.KeyHash(it.key), int(m.rg), v)
		}
	}
}

// --- hinted handoff ----------------------------------------------------------

// handoff is the periodic scan of every node's hinted replicas (§4.6): a
// hint whose home node is up again is sent home; once acknowledged it is
// deleted. arg -1 is a one-off scan (a recovery), not rescheduled.
func (s *Sim) handoff(w *harness.World, _ *harness.Request, arg int64) {
	now := w.Now()
	for h := range s.nodes {
		n := &s.nodes[h]
		if !n.up || n.hintsLive == 0 {
			continue
		}
		for j := range n.hints {
			ht := &n.hints[j]
			if ht.done || !s.nodes[ht.to].up || (ht.sent && now-ht.sentAt < s.cfg.Timeout) {
				continue
			}
			ht.sent, ht.sentAt = true, now
			m := s.newMsg(mHint, int8(h), ht.to)
			s.msgs[m].key, s.msgs[m].rg, s.msgs[m].hintIdx = ht.key, ht.rg, int32(j)
			s.msgs[m].vers = append([]Version(nil), ht.vers...)
			s.send(w, m)
		}
	}
	if arg >= 0 {
		w.After(s.cfg.Handoff, s.handoffFn, nil, 0)
	}
}

func (s *Sim) onHint(w *harness.World, m *msg) {
	st := s.nodes[m.to].store
	for _, v := range m.vers {
		st.Put(m.key, s.ring.KeyHash(m.key), int(m.rg), v)
	}
	r := s.newMsg(mHintAck, m.to, m.from)
	s.msgs[r].key, s.msgs[r].hintIdx, s.msgs[r].vers = m.key, m.hintIdx, m.vers
	s.send(w, r)
}

func (s *Sim) onHintAck(m *msg) {
	n := &s.nodes[m.to]
	j := m.hintIdx
	if int(j) >= len(n.hints) {
		return
	}
	h := &n.hints[j]
	// Delete the hint only if the home node got every version it holds now
	// (a newer write may have joined it while this one was in flight).
	if h.done || h.key != m.key || h.to != m.from || !CoversAll(m.vers, h.vers) {
		return
	}
	h.done, h.vers = true, nil
	delete(n.hintIdx, hintKey{h.to, h.key})
	n.hintsLive--
	s.hintsDelivered++
	if n.hintsLive == 0 {
		n.hints = n.hints[:0]
	}
}

// --- anti-entropy ----------------------------------------------------------

// antiEntropy is one round (§4.7): each healthy node compares, for every
// range it replicates, its Merkle tree with the next replica's, and the two
// exchange the keys of the leaves that differ. The hash exchange is
// computed here and counted as messages (one each way per tree level
// visited); the key transfers travel the network.
func (s *Sim) antiEntropy(w *harness.World, _ *harness.Request, _ int64) {
	s.aeRounds++
	for rg := 0; rg < s.ring.Ranges(); rg++ {
		pref := s.ring.Pref(rg)[:s.cfg.N]
		for k, a := range pref {
			b := pref[(k+1)%len(pref)]
			if a == b || !s.nodes[a].up || !s.nodes[b].up || s.net.Blocked(int(a), int(b)) || s.net.Blocked(int(b), int(a)) {
				continue
			}
			sa, sb := s.nodes[a].store, s.nodes[b].store
			var levels int
			s.scratch, levels = sa.Part(rg).Diff(sb.Part(rg), s.scratch[:0])
			s.treeMsgs += uint64(2 * levels)
			s.messages += uint64(2 * levels)
			for _, leaf := range s.scratch {
				s.rangesSynced++
				s.sync(w, a, b, rg, leaf)
				s.sync(w, b, a, rg, leaf)
			}
		}
	}
	w.After(s.cfg.AntiEntropy, s.aeFn, nil, 0)
}

func (s *Sim) sync(w *harness.World, from, to int8, rg, leaf int) {
	st := s.nodes[from].store
	keys := st.LeafKeys(rg, leaf)
	if len(keys) == 0 {
		return
	}
	items := make([]item, len(keys))
	for i, k := range keys {
		items[i] = item{k, append([]Version(nil), st.Get(k)...)}
	}
	m := s.newMsg(mSync, from, to)
	s.msgs[m].rg, s.msgs[m].items = int32(rg), items
	s.send(w, m)
}
