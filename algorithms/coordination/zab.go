package coordination

import (
	"errors"
	"fmt"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// ZKConfig is a ZooKeeper ensemble in virtual time.
type ZKConfig struct {
	Servers int                    // ensemble size; server 0 is the leader
	Delay   workloads.DurationDist // one-way delay of every link (client↔server, server↔server)
	CPU     workloads.DurationDist // a server's handling time per message (each server is one FIFO CPU)
	Sync    bool                   // reads sync through the leader first
	Watch   bool                   // reads leave a one-shot data watch (getData with watch=true)
	// SessionTimeout is how long after a lock holder crashes the leader
	// expires its session, deleting its ephemeral nodes.
	SessionTimeout time.Duration
	Hold           time.Duration // how long an acquired lock is held before it is released
	Crash          float64       // probability that a lock holder crashes while holding
}

const maxServers = 255

func (c ZKConfig) check() error {
	switch {
	case c.Servers < 1 || c.Servers > maxServers:
		return fmt.Errorf("coordination/zookeeper: servers=%d out of range (valid: 1 … %d)", c.Servers, maxServers)
	case c.Delay == nil || c.CPU == nil:
		return errors.New("coordination/zookeeper: no delay or cpu distribution")
	case c.Crash < 0 || c.Crash > 1:
		return fmt.Errorf("coordination/zookeeper: crash=%v (valid: 0 … 1)", c.Crash)
	case c.Crash > 0 && c.SessionTimeout <= 0:
		return fmt.Errorf("coordination/zookeeper: crash=%v with session_timeout=%v: a crashed holder's lock would never be freed (valid: session_timeout > 0)", c.Crash, c.SessionTimeout)
	}
	return nil
}

// Message types. Server messages pass through the receiving server's CPU
// queue; client messages are handled on arrival.
const (
	hReq        = iota // client → its server: an op (or a lock-recipe step)
	hFwd               // follower → leader: a write to order
	hPropose           // leader → follower: PROPOSAL(zxid)
	hAck               // follower → leader: ACK(zxid)
	hCommit            // leader → follower: COMMIT(zxid)
	hSync              // server → leader: sync
	hSyncReply         // leader → server: sync done (after every earlier COMMIT on the link)
	cReadReply         // server → client
	cWriteReply        // server → client: the write was applied at the client's server
	cCheckReply        // server → client: lock check, held or watching the predecessor
	cNotifyData        // server → client: a data watch fired
	cNotifyLock        // server → client: the predecessor's exists watch fired
	tHold              // timer: a holder's hold time is over
	tExpire            // timer: the leader expires a crashed holder's session
)

func pack(typ, server int, payload int64) int64 { return payload<<16 | int64(server)<<4 | int64(typ) }
func unpack(a int64) (typ, server int, payload int64) {
	return int(a & 15), int(a >> 4 & 0xfff), a >> 16
}

// Transaction types.
const (
	txSet = iota
	txCreateSeq
	txDelete
	txCloseSession
)

type txn struct {
	typ     uint8
	acks    int32
	origin  int32 // server that answers the client (−1: none)
	op      int32 // op to answer at origin (−1: none)
	key     uint64
	seq     uint64
	session int64
}

// Op kinds inside the simulator.
const (
	kRead = iota
	kWrite
	kAcquire
	kRelease     // delete the client's held lock node
	kReleaseIdle // release with nothing held: answered by the server at once
	kUnlock      // the holder's own delete at the end of its hold
)

type zop struct {
	req      *harness.Request
	kind     uint8
	checking bool // acquire: the create is done, checking/waiting
	released bool // a held lock released early by a release op
	server   int32
	client   uint32
	key      uint64
	want     int64 // read: version committed when the read was sent
	got      int64 // read: version returned
	armed    bool  // read: this read armed a new data watch
	seq      uint64
	session  int64
}

type clientKey struct {
	client uint32
	key    uint64
}

// ZK is the coordination/zookeeper target. Single-threaded, like the World.
type ZK struct {
	cfg      ZKConfig
	n        int
	majority int32
	trees    []*Tree
	busy     []time.Duration // when each server's CPU is next free
	busySum  []time.Duration
	link     []time.Duration // FIFO: last delivery time per server→server link
	up, down []time.Duration // FIFO per client link

	log       []txn
	base      int64 // zxid of log[0]
	nextZxid  int64
	committed int64
	applied   []int64
	seqNext   map[uint64]uint64 // the leader's sequence counter per lock directory
	sessions  int64

	ops   []zop
	free  []int32
	notes []clientKey // data-watch notifications in flight
	noteF []int32

	srvArmed map[clientKey]struct{}
	cliArmed map[clientKey]int64
	holder   map[uint64]int32    // key → the op holding its lock (as the clients see it)
	held     map[clientKey]int32 // (client, key) → the op holding
	fired    []Watcher

	reads, writes, stale, watchEvents, watchLate                uint64
	acquires, notifications, mutexViolations, expirations, idle uint64
	proposals, maxPending                                       uint64
	last                                                        time.Duration

	arriveFn, handleFn, clientFn harness.EventFunc
}

// NewZK builds the ensemble.
func NewZK(cfg ZKConfig) (*ZK, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	n := cfg.Servers
	z := &ZK{
		cfg: cfg, n: n, majority: int32(n/2 + 1),
		busy: make([]time.Duration, n), busySum: make([]time.Duration, n), link: make([]time.Duration, n*n),
		base: 1, nextZxid: 1, applied: make([]int64, n), seqNext: map[uint64]uint64{},
		srvArmed: map[clientKey]struct{}{}, cliArmed: map[clientKey]int64{},
		holder: map[uint64]int32{}, held: map[clientKey]int32{},
	}
	for range n {
		z.trees = append(z.trees, NewTree())
	}
	z.arriveFn, z.handleFn, z.clientFn = z.arrive, z.handle, z.atClient
	return z, nil
}

func (z *ZK) alloc() int32 {
	if n := len(z.free); n > 0 {
		i := z.free[n-1]
		z.free = z.free[:n-1]
		return i
	}
	z.ops = append(z.ops, zop{})
	return int32(len(z.ops) - 1)
}

func (z *ZK) release(i int32) { z.ops[i] = zop{}; z.free = append(z.free, i) }

func (z *ZK) clientLinks(c uint32) {
	for int(c) >= len(z.up) {
		z.up = append(z.up, 0)
		z.down = append(z.down, 0)
	}
}

// fifo returns the delivery time of a message sent now on a link whose last
// delivery was at *last: per-link FIFO, as ZAB's TCP channels are.
func (z *ZK) fifo(w *harness.World, last *time.Duration) time.Duration {
	t := w.Now() + z.cfg.Delay.Next(w.Rand())
	if t < *last {
		t = *last
	}
	*last = t
	return t
}

func (z *ZK) sendSS(w *harness.World, from, to, typ int, payload int64) {
	w.At(z.fifo(w, &z.link[from*z.n+to]), z.arriveFn, nil, pack(typ, to, payload))
}

func (z *ZK) sendCS(w *harness.World, c uint32, to, typ int, payload int64) {
	w.At(z.fifo(w, &z.up[c]), z.arriveFn, nil, pack(typ, to, payload))
}

func (z *ZK) sendSC(w *harness.World, c uint32, typ int, payload int64) {
	w.At(z.fifo(w, &z.down[c]), z.clientFn, nil, pack(typ, 0, payload))
}

// arrive queues a message on its server's CPU.
func (z *ZK) arrive(w *harness.World, _ *harness.Request, arg int64) {
	_, s, _ := unpack(arg)
	now := w.Now()
	start := max(now, z.busy[s])
	d := z.cfg.CPU.Next(w.Rand())
	z.busy[s] = start + d
	z.busySum[s] += d
	w.At(z.busy[s], z.handleFn, nil, arg)
}

// Start sends an op from its client to the client's server (client mod servers).
func (z *ZK) Start(w *harness.World, req *harness.Request) {
	i := z.alloc()
	op := &z.ops[i]
	op.req, op.client, op.key = req, req.Op.Client, req.Op.Key
	op.server = int32(int(req.Op.Client) % z.n)
	z.clientLinks(op.client)
	switch req.Op.Kind {
	case workloads.Read, workloads.Scan:
		op.kind = kRead
		op.want = z.trees[0].Version(op.key) // the leader's tree is the committed state
		z.reads++
	case workloads.Acquire:
		op.kind = kAcquire
		z.sessions++
		op.session = z.sessions
	case workloads.Release:
		ck := clientKey{op.client, op.key}
		if h, ok := z.held[ck]; ok {
			op.kind, op.seq = kRelease, z.ops[h].seq
			z.ops[h].released = true
			delete(z.held, ck)
			delete(z.holder, op.key)
		} else {
			op.kind = kReleaseIdle
			z.idle++
		}
	default: // update, insert, rmw, delete and the rest: setData/create on the key
		op.kind = kWrite
		z.writes++
	}
	z.sendCS(w, op.client, int(op.server), hReq, int64(i))
}

// handle runs a message at server s once its CPU gets to it.
func (z *ZK) handle(w *harness.World, _ *harness.Request, arg int64) {
	typ, s, p := unpack(arg)
	z.last = max(z.last, w.Now())
	switch typ {
	case hReq:
		i := int32(p)
		op := &z.ops[i]
		switch {
		case op.kind == kRead && z.cfg.Sync && s != 0:
			z.sendSS(w, s, 0, hSync, p)
		case op.kind == kRead:
			z.serveRead(w, s, i)
		case op.kind == kReleaseIdle:
			z.sendSC(w, op.client, cWriteReply, p)
		case op.kind == kAcquire && op.checking:
			held, _ := z.trees[s].LockCheck(op.key, op.seq, Watcher(i))
			b := int64(0)
			if held {
				b = 1
			}
			z.sendSC(w, op.client, cCheckReply, p<<1|b)
		case s == 0:
			z.propose(w, i)
		default:
			z.sendSS(w, s, 0, hFwd, p)
		}
	case hFwd:
		z.propose(w, int32(p))
	case hPropose:
		z.sendSS(w, s, 0, hAck, p)
	case hAck:
		if p <= z.committed {
			return // a late ack of a committed (maybe trimmed) proposal
		}
		z.tx(p).acks++
		z.tryCommit(w)
	case hCommit:
		z.apply(w, s, p)
	case hSync:
		z.sendSS(w, 0, int(z.ops[p].server), hSyncReply, p)
	case hSyncReply:
		z.serveRead(w, s, int32(p))
	}
}

func (z *ZK) tx(zxid int64) *txn { return &z.log[zxid-z.base] }

// propose is the leader ordering write op i: it assigns the next zxid (and,
// for a sequential create, the parent's next sequence number), logs it, acks
// it itself and sends PROPOSAL to every follower.
func (z *ZK) propose(w *harness.World, i int32) {
	op := &z.ops[i]
	t := txn{origin: op.server, op: i, key: op.key, acks: 1, session: op.session}
	switch op.kind {
	case kWrite:
		t.typ = txSet
	case kAcquire:
		t.typ = txCreateSeq
		z.seqNext[op.key]++
		op.seq = z.seqNext[op.key]
		t.seq = op.seq
	case kRelease, kUnlock:
		t.typ, t.seq = txDelete, op.seq
	}
	z.broadcast(w, t)
}

func (z *ZK) broadcast(w *harness.World, t txn) {
	zxid := z.nextZxid
	z.nextZxid++
	z.log = append(z.log, t)
	z.proposals++
	z.maxPending = max(z.maxPending, uint64(z.nextZxid-1-z.committed))
	for f := 1; f < z.n; f++ {
		z.sendSS(w, 0, f, hPropose, zxid)
	}
	z.tryCommit(w)
}

// tryCommit commits, in zxid order, every proposal a majority has acked.
func (z *ZK) tryCommit(w *harness.World) {
	for z.committed+1 < z.nextZxid && z.tx(z.committed+1).acks >= z.majority {
		z.committed++
		zxid := z.committed
		z.apply(w, 0, zxid)
		for f := 1; f < z.n; f++ {
			z.sendSS(w, 0, f, hCommit, zxid)
		}
	}
}

// apply applies a committed transaction at server s, fires its watches and
// answers the client if s is the server it came through.
func (z *ZK) apply(w *harness.World, s int, zxid int64) {
	if zxid != z.applied[s]+1 {
		panic(fmt.Sprintf("coordination/zookeeper: server %d applies zxid %d after %d", s, zxid, z.applied[s]))
	}
	z.applied[s] = zxid
	t := *z.tx(zxid)
	tree := z.trees[s]
	z.fired = z.fired[:0]
	switch t.typ {
	case txSet:
		_, z.fired = tree.SetData(t.key, z.fired)
		for _, c := range z.fired {
			ck := clientKey{uint32(c), t.key}
			delete(z.srvArmed, ck)
			z.sendSC(w, ck.client, cNotifyData, z.note(ck))
		}
	case txCreateSeq:
		tree.CreateSeq(t.key, t.seq, t.session)
	case txDelete, txCloseSession:
		if t.typ == txDelete {
			_, z.fired = tree.Delete(t.key, t.seq, z.fired)
		} else {
			_, z.fired = tree.CloseSession(t.session, z.fired)
		}
		for _, o := range z.fired {
			z.sendSC(w, z.ops[o].client, cNotifyLock, int64(o))
		}
	}
	if int(t.origin) == s && t.op >= 0 {
		z.sendSC(w, z.ops[t.op].client, cWriteReply, int64(t.op))
	}
	if s == z.n-1 && zxid%1024 == 0 {
		z.trim()
	}
}

// trim drops the log prefix every server has applied.
func (z *ZK) trim() {
	low := z.committed
	for _, a := range z.applied {
		low = min(low, a)
	}
	if k := low - z.base + 1; k > 4096 {
		z.log = append(z.log[:0:0], z.log[k:]...)
		z.base += k
	}
}

func (z *ZK) note(ck clientKey) int64 {
	if n := len(z.noteF); n > 0 {
		i := z.noteF[n-1]
		z.noteF = z.noteF[:n-1]
		z.notes[i] = ck
		return int64(i)
	}
	z.notes = append(z.notes, ck)
	return int64(len(z.notes) - 1)
}

// serveRead answers a read from server s's replica, arming a data watch.
func (z *ZK) serveRead(w *harness.World, s int, i int32) {
	op := &z.ops[i]
	op.got = z.trees[s].Version(op.key)
	if op.got < op.want {
		z.stale++
	}
	if z.cfg.Watch {
		ck := clientKey{op.client, op.key}
		if _, ok := z.srvArmed[ck]; !ok {
			z.srvArmed[ck] = struct{}{}
			z.trees[s].WatchData(op.key, Watcher(op.client))
			op.armed = true
		}
	}
	z.sendSC(w, op.client, cReadReply, int64(i))
}

// atClient handles a message arriving at a client, and the clients' timers.
func (z *ZK) atClient(w *harness.World, _ *harness.Request, arg int64) {
	typ, _, p := unpack(arg)
	z.last = max(z.last, w.Now())
	switch typ {
	case cReadReply:
		i := int32(p)
		op := &z.ops[i]
		ck := clientKey{op.client, op.key}
		if a, ok := z.cliArmed[ck]; ok && op.got > a {
			z.watchLate++ // newer data seen before the watch event: ZooKeeper's ordering broken
		}
		if op.armed {
			z.cliArmed[ck] = op.got
		}
		z.done(w, i)
	case cNotifyData:
		ck := z.notes[p]
		z.noteF = append(z.noteF, int32(p))
		delete(z.cliArmed, ck)
		z.watchEvents++
	case cWriteReply:
		i := int32(p)
		op := &z.ops[i]
		switch op.kind {
		case kAcquire: // the ephemeral sequential node exists: check it
			op.checking = true
			z.sendCS(w, op.client, int(op.server), hReq, p)
		case kUnlock:
			z.release(i)
		default:
			z.done(w, i)
		}
	case cCheckReply:
		i := int32(p >> 1)
		if p&1 == 1 {
			z.grant(w, i)
		} // else: watching the predecessor; cNotifyLock comes when it goes
	case cNotifyLock:
		z.notifications++
		op := &z.ops[p]
		z.sendCS(w, op.client, int(op.server), hReq, p)
	case tHold:
		i := int32(p)
		op := &z.ops[i]
		if op.released { // a release op already deleted the node
			z.release(i)
			return
		}
		if ck := (clientKey{op.client, op.key}); z.held[ck] == i {
			delete(z.held, ck)
		}
		if z.holder[op.key] == i {
			delete(z.holder, op.key)
		}
		op.kind = kUnlock
		z.sendCS(w, op.client, int(op.server), hReq, p)
	case tExpire:
		i := int32(p)
		z.expirations++
		sess := z.ops[i].session
		z.release(i)
		z.broadcast(w, txn{typ: txCloseSession, session: sess, origin: -1, op: -1, acks: 1})
	}
}

// grant: the client's node is the lowest child; the acquire completes.
func (z *ZK) grant(w *harness.World, i int32) {
	op := &z.ops[i]
	if _, ok := z.holder[op.key]; ok {
		z.mutexViolations++
	}
	z.acquires++
	req := op.req
	op.req = nil
	w.Complete(req, harness.Outcome{Shard: op.server})
	if z.cfg.Crash > 0 && w.Rand().Float64() < z.cfg.Crash {
		// The holder dies holding the lock; its ephemeral node stays until
		// the leader expires the session.
		w.After(z.cfg.SessionTimeout, z.clientFn, nil, pack(tExpire, 0, int64(i)))
		return
	}
	z.holder[op.key] = i
	z.held[clientKey{op.client, op.key}] = i
	w.After(z.cfg.Hold, z.clientFn, nil, pack(tHold, 0, int64(i)))
}

func (z *ZK) done(w *harness.World, i int32) {
	req, s := z.ops[i].req, z.ops[i].server
	z.release(i)
	w.Complete(req, harness.Outcome{Shard: s})
}

// Metrics reports the family figures.
func (z *ZK) Metrics() map[string]float64 {
	m := map[string]float64{
		"reads": float64(z.reads), "writes": float64(z.writes), "proposals": float64(z.proposals),
		"stale_reads": float64(z.stale), "watch_events": float64(z.watchEvents), "watch_fired_late": float64(z.watchLate),
		"acquires": float64(z.acquires), "lock_mutex_violations": float64(z.mutexViolations),
		"session_expirations": float64(z.expirations), "release_idle": float64(z.idle),
		"max_outstanding_proposals": float64(z.maxPending),
	}
	if z.reads > 0 {
		m["stale_read_rate"] = float64(z.stale) / float64(z.reads)
	}
	if z.acquires > 0 {
		m["watch_notifications_per_acquire"] = float64(z.notifications) / float64(z.acquires)
	}
	if z.last > 0 {
		m["leader_util"] = float64(z.busySum[0]) / float64(z.last)
		if z.n > 1 {
			var f time.Duration
			for _, b := range z.busySum[1:] {
				f += b
			}
			m["follower_util"] = float64(f) / float64(z.n-1) / float64(z.last)
		}
	}
	return m
}

var (
	_ harness.SimTarget = (*ZK)(nil)
	_ harness.Metricser = (*ZK)(nil)
)
