package coordination

import (
	"errors"
	"fmt"
	"github.com/dsbench/dsbench/algorithms/internal/slots"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
	"github.com/dsbench/dsbench/workloads"
)

// ZKConfig is a ZooKeeper ensemble on the shared simulated cluster.
type ZKConfig struct {
	// Cluster is the ensemble (nodes = servers; server 0 leads): its
	// network, per-server FIFO CPU charging cpu_send/cpu_recv per message,
	// and the log disk (fsync, group commit).
	Cluster algorithms.Cluster
	// TxnCPU is the leader's work per transaction beyond its messages
	// (request processing, zxid assignment, serialization, apply); ReadCPU
	// a server's work to serve one read from its replica.
	TxnCPU, ReadCPU workloads.DurationDist
	Sync            bool // reads sync through the leader first
	Watch           bool // reads leave a one-shot data watch (getData with watch=true)
	// SessionTimeout is how long after a lock holder crashes the leader
	// expires its session, deleting its ephemeral nodes.
	SessionTimeout time.Duration
	Hold           time.Duration // how long an acquired lock is held before it is released
	HolderCrash    float64       // probability that a lock holder crashes while holding
	// FinalizeWait is how long a LOOKING server whose vote a quorum shares
	// waits for a better vote before deciding (ZooKeeper's finalizeWait).
	FinalizeWait time.Duration
}

const maxServers = 255

func (c ZKConfig) servers() int { return c.Cluster.Net.Nodes }

func (c ZKConfig) check() error {
	switch n := c.servers(); {
	case n < 1 || n > maxServers:
		return fmt.Errorf("coordination/zookeeper: nodes=%d out of range (valid: 1 … %d)", n, maxServers)
	case c.TxnCPU == nil || c.ReadCPU == nil:
		return errors.New("coordination/zookeeper: no txn_cpu or read_cpu distribution")
	case c.HolderCrash < 0 || c.HolderCrash > 1:
		return fmt.Errorf("coordination/zookeeper: holder_crash=%v (valid: 0 … 1)", c.HolderCrash)
	case c.HolderCrash > 0 && c.SessionTimeout <= 0:
		return fmt.Errorf("coordination/zookeeper: holder_crash=%v with session_timeout=%v: a crashed holder's lock would never be freed (valid: session_timeout > 0)", c.HolderCrash, c.SessionTimeout)
	}
	return c.Cluster.Net.Check()
}

// Message kinds: server ↔ server on the cluster's links, client ↔ server
// on its client links. Every message a server receives or sends costs its
// CPU cpu_recv or cpu_send.
const (
	hReq          simnet.Kind = iota // client → its server: an op (or a lock-recipe step)
	hFwd                             // follower → leader: a write to order
	hPropose                         // leader → follower: PROPOSAL(zxid)
	hAck                             // follower → leader: ACK(zxid), once logged
	hCommit                          // leader → follower: COMMIT(zxid)
	hSync                            // server → leader: sync
	hSyncReply                       // leader → server: sync done (after every earlier COMMIT on the link)
	hVote                            // election: a LOOKING server's vote (round, zxid, id)
	hLeaderInfo                      // election: a server that follows or leads tells a LOOKING one its leader
	hFollowInfo                      // recovery: follower → new leader, its last logged zxid
	hNewLeader                       // recovery: leader → follower, the history to log (DIFF or TRUNC)
	hNewLeaderAck                    // recovery: follower → leader, the history is on disk
	hUpToDate                        // recovery: leader → follower, serve clients
	cLost                            // server → client: not serving (no leader): CONNECTIONLOSS
	cReadReply                       // server → client
	cWriteReply                      // server → client: the write was applied at the client's server
	cCheckReply                      // server → client: lock check, held or watching the predecessor
	cNotifyData                      // server → client: a data watch fired
	cNotifyLock                      // server → client: the predecessor's exists watch fired
)

var zkKinds = []string{"request", "forward", "proposal", "ack", "commit", "sync", "sync_reply",
	"vote", "leader_info", "follow_info", "new_leader", "new_leader_ack", "up_to_date", "connection_loss",
	"read_reply", "write_reply", "check_reply", "notify_data", "notify_lock"}

// Client-side timers.
const (
	tHold   = iota // a holder's hold time is over
	tExpire        // the leader expires a crashed holder's session
)

func packTimer(typ int, p int64) int64 { return p<<1 | int64(typ) }

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
	lost     bool  // failed with CONNECTIONLOSS; late messages about it are ignored
	holder   int32 // release: the op holding the lock it releases
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
	nt       *simnet.Net[int64]
	trees    []*Tree

	log       []txn
	base      int64 // zxid of log[0]
	nextZxid  int64
	committed int64
	applied   []int64
	seqNext   map[uint64]uint64 // the leader's sequence counter per lock directory
	sessions  int64

	ops   []zop
	free  slots.Free
	notes []clientKey // data-watch notifications in flight
	noteF []int32

	srvArmed map[clientKey]struct{}
	cliArmed map[clientKey]int64
	holder   map[uint64]int32    // key → the op holding its lock (as the clients see it)
	held     map[clientKey]int32 // (client, key) → the op holding
	fired    []Watcher

	reads, writes, stale, watchEvents, watchLate                uint64
	acquires, notifications, mutexViolations, expirations, idle uint64
	proposals, maxPending, answered                             uint64
	last                                                        time.Duration

	timerFn, selfAckFn, loggedFn harness.EventFunc

	zab // the leader and its election and recovery (zabelect.go)
}

// NewZK returns the ensemble; it is built on the World at Setup.
func NewZK(cfg ZKConfig) (*ZK, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	n := cfg.servers()
	z := &ZK{
		cfg: cfg, n: n, majority: int32(n/2 + 1),
		base: 1, nextZxid: 1, applied: make([]int64, n), seqNext: map[uint64]uint64{},
		srvArmed: map[clientKey]struct{}{}, cliArmed: map[clientKey]int64{},
		holder: map[uint64]int32{}, held: map[clientKey]int32{},
	}
	for range n {
		z.trees = append(z.trees, NewTree())
	}
	z.timerFn, z.selfAckFn, z.loggedFn = z.timer, z.selfAck, z.logged
	z.initZab()
	return z, nil
}

// Setup builds the ensemble's cluster on w.
func (z *ZK) Setup(w *harness.World) {
	nt, err := algorithms.NewNet[int64](w, z.cfg.Cluster, zkKinds)
	if err != nil {
		panic(err) // validated when the target was built
	}
	z.nt = nt
	for s := range z.n {
		nt.Handle(s, func(m *simnet.Msg[int64]) { z.handle(s, m.From, m.Kind, m.Payload) })
	}
	nt.HandleClients(func(m *simnet.Msg[int64]) { z.atClient(m.Kind, m.Payload) })
	z.setupZab()
}

func (z *ZK) alloc() int32 { return slots.Take(&z.free, &z.ops) }

func (z *ZK) release(i int32) { z.ops[i] = zop{}; z.free.Put(i) }

func (z *ZK) send(from, to int, k simnet.Kind, p int64) { z.nt.Send(from, to, k, p) }

// toClient sends from server s to the op's client (the client's one
// connection: FIFO with fifo=true, the default).
func (z *ZK) toClient(s int, k simnet.Kind, p int64) { z.nt.ToClient(s, k, p) }

// Start sends an op from its client to the client's server (client mod servers).
func (z *ZK) Start(w *harness.World, req *harness.Request) {
	i := z.alloc()
	op := &z.ops[i]
	op.req, op.client, op.key = req, req.Op.Client, req.Op.Key
	op.server = int32(z.route(int(req.Op.Client) % z.n))
	switch req.Op.Kind {
	case workloads.Read, workloads.Scan:
		op.kind = kRead
		op.want = z.trees[z.ref].Version(op.key) // the (latest) leader's tree is the committed state
		z.reads++
	case workloads.Acquire:
		op.kind = kAcquire
		z.sessions++
		op.session = z.sessions
	case workloads.Release:
		ck := clientKey{op.client, op.key}
		if h, ok := z.held[ck]; ok {
			op.kind, op.seq, op.holder = kRelease, z.ops[h].seq, h
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
	z.nt.FromClient(int(op.server), hReq, int64(i))
}

// handle runs a message at server s once its CPU has received it.
func (z *ZK) handle(s, from int, typ simnet.Kind, p int64) {
	w := z.nt.World()
	z.last = max(z.last, w.Now())
	switch typ {
	case hReq:
		i := int32(p)
		op := &z.ops[i]
		switch {
		case op.lost:
			return
		case !z.serving[s]:
			z.refuse(s, i)
		case op.kind == kRead && z.cfg.Sync && s != z.leader:
			z.send(s, z.leader, hSync, p)
		case op.kind == kRead:
			z.serveRead(s, i)
		case op.kind == kReleaseIdle:
			z.toClient(s, cWriteReply, p)
		case op.kind == kAcquire && op.checking:
			held, _ := z.trees[s].LockCheck(op.key, op.seq, Watcher(i))
			b := int64(0)
			if held {
				b = 1
			}
			z.toClient(s, cCheckReply, p<<1|b)
		case s == z.leader:
			z.propose(i)
		default:
			z.send(s, z.leader, hFwd, p)
		}
	case hFwd:
		if s != z.leader || !z.serving[s] || z.ops[p].lost {
			return // forwarded to a leader that lost its role since
		}
		z.propose(int32(p))
	case hPropose:
		// A follower of this epoch logs the proposal and acks once it is
		// on disk.
		if epochOf(p) == z.epoch && z.state[s] == following && z.synced[s] {
			z.nt.Fsync(s, z.loggedFn, nil, p<<8|int64(s))
		}
	case hAck:
		if epochOf(p) == z.epoch && s == z.leader {
			z.ack(zxidOf(p))
		}
	case hCommit:
		if epochOf(p) == z.epoch && zxidOf(p) == z.applied[s]+1 {
			z.apply(s, zxidOf(p))
		}
	case hSync:
		if s == z.leader && !z.ops[p].lost {
			z.send(s, int(z.ops[p].server), hSyncReply, p)
		}
	case hSyncReply:
		if !z.ops[p].lost {
			z.serveRead(s, int32(p))
		}
	default:
		z.handleZab(s, from, typ, p)
	}
}

// logged: follower s has proposal zxid on disk and acks it.
func (z *ZK) logged(_ *harness.World, _ *harness.Request, arg int64) {
	s, p := int(arg&0xff), arg>>8
	if epochOf(p) != z.epoch || z.state[s] != following {
		return
	}
	z.logged_[s] = max(z.logged_[s], zxidOf(p))
	z.send(s, z.leader, hAck, p)
}

// selfAck: the leader has its own proposal on disk.
func (z *ZK) selfAck(_ *harness.World, _ *harness.Request, p int64) {
	if epochOf(p) != z.epoch || z.leader < 0 {
		return
	}
	z.logged_[z.leader] = max(z.logged_[z.leader], zxidOf(p))
	z.ack(zxidOf(p))
}

func (z *ZK) ack(zxid int64) {
	if zxid <= z.committed || zxid >= z.nextZxid {
		return // a late ack of a committed (maybe trimmed) or truncated proposal
	}
	z.tx(zxid).acks++
	z.tryCommit()
}

func (z *ZK) tx(zxid int64) *txn { return &z.log[zxid-z.base] }

// propose is the leader ordering write op i: it does the transaction's
// work (txn_cpu), assigns the next zxid (and, for a sequential create, the
// parent's next sequence number), sends PROPOSAL to every follower and logs
// it, acking itself once it is on disk.
func (z *ZK) propose(i int32) {
	op := &z.ops[i]
	t := txn{origin: op.server, op: i, key: op.key, session: op.session}
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
	z.broadcast(t)
}

func (z *ZK) broadcast(t txn) {
	w := z.nt.World()
	l := z.leader
	z.nt.Work(l, z.cfg.TxnCPU.Next(w.Rand()))
	zxid := z.nextZxid
	z.nextZxid++
	z.log = append(z.log, t)
	z.proposals++
	z.maxPending = max(z.maxPending, uint64(z.nextZxid-1-z.committed))
	p := tag(zxid, z.epoch)
	for f := range z.n {
		if f != l && z.synced[f] {
			z.send(l, f, hPropose, p)
		}
	}
	z.nt.Fsync(l, z.selfAckFn, nil, p)
}

// tryCommit commits, in zxid order, every proposal a majority has acked.
func (z *ZK) tryCommit() {
	for z.committed+1 < z.nextZxid && z.tx(z.committed+1).acks >= z.majority {
		z.committed++
		zxid := z.committed
		l := z.leader
		z.apply(l, zxid)
		for f := range z.n {
			if f != l && z.synced[f] {
				z.send(l, f, hCommit, tag(zxid, z.epoch))
			}
		}
	}
}

// apply applies a committed transaction at server s, fires its watches and
// answers the client if s is the server it came through.
func (z *ZK) apply(s int, zxid int64) {
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
			delete(z.armedAt, ck)
			z.toClient(s, cNotifyData, z.note(ck))
		}
	case txCreateSeq:
		if _, gone := z.closed[t.session]; !gone {
			tree.CreateSeq(t.key, t.seq, t.session)
		}
	case txDelete, txCloseSession:
		if t.typ == txDelete {
			_, z.fired = tree.Delete(t.key, t.seq, z.fired)
		} else {
			_, z.fired = tree.CloseSession(t.session, z.fired)
		}
		for _, o := range z.fired {
			z.toClient(s, cNotifyLock, int64(o))
		}
	}
	if int(t.origin) == s && t.op >= 0 {
		z.toClient(s, cWriteReply, int64(t.op))
	}
	if s == z.leader && zxid%1024 == 0 {
		z.trim()
	}
}

// trim drops the log prefix every server has applied.
func (z *ZK) trim() {
	low := z.committed
	for _, a := range z.applied {
		low = min(low, a) // a crashed server catches up from the log when it returns
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

// serveRead answers a read from server s's replica (read_cpu of work),
// arming a data watch.
func (z *ZK) serveRead(s int, i int32) {
	op := &z.ops[i]
	z.nt.Work(s, z.cfg.ReadCPU.Next(z.nt.World().Rand()))
	op.got = z.trees[s].Version(op.key)
	if op.got < op.want {
		z.stale++
	}
	if z.cfg.Watch {
		ck := clientKey{op.client, op.key}
		if _, ok := z.srvArmed[ck]; !ok {
			z.srvArmed[ck] = struct{}{}
			z.armedAt[ck] = int32(s)
			z.trees[s].WatchData(op.key, Watcher(op.client))
			op.armed = true
		}
	}
	z.toClient(s, cReadReply, int64(i))
}

// atClient handles a message arriving at a client.
func (z *ZK) atClient(typ simnet.Kind, p int64) {
	w := z.nt.World()
	z.last = max(z.last, w.Now())
	switch typ {
	case cReadReply, cWriteReply, cNotifyLock:
		if z.ops[p].lost {
			return
		}
	case cCheckReply:
		if z.ops[p>>1].lost {
			return
		}
	case cLost:
		z.connectionLost(int32(p))
		return
	}
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
		z.done(i)
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
			op.server = int32(z.route(int(op.server)))
			z.nt.FromClient(int(op.server), hReq, p)
		case kUnlock:
			z.release(i)
		default:
			z.done(i)
		}
	case cCheckReply:
		i := int32(p >> 1)
		if p&1 == 1 {
			z.grant(i)
		} // else: watching the predecessor; cNotifyLock comes when it goes
	case cNotifyLock:
		z.notifications++
		op := &z.ops[p]
		op.server = int32(z.route(int(op.server)))
		z.nt.FromClient(int(op.server), hReq, p)
	}
}

// timer runs the clients' timers: a holder's hold ends, or the leader
// expires a crashed holder's session.
func (z *ZK) timer(w *harness.World, _ *harness.Request, arg int64) {
	z.last = max(z.last, w.Now())
	typ, p := int(arg&1), arg>>1
	switch typ {
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
		op.server = int32(z.route(int(op.server)))
		z.nt.FromClient(int(op.server), hReq, p)
	case tExpire:
		i := int32(p)
		z.expirations++
		sess := z.ops[i].session
		z.release(i)
		z.closeSession(sess)
	}
}

// grant: the client's node is the lowest child; the acquire completes.
func (z *ZK) grant(i int32) {
	w := z.nt.World()
	op := &z.ops[i]
	if _, ok := z.holder[op.key]; ok {
		z.mutexViolations++
	}
	z.acquires++
	req := op.req
	op.req = nil
	w.Complete(req, harness.Outcome{Shard: op.server})
	if z.cfg.HolderCrash > 0 && w.Rand().Float64() < z.cfg.HolderCrash {
		// The holder dies holding the lock; its ephemeral node stays until
		// the leader expires the session.
		w.After(z.cfg.SessionTimeout, z.timerFn, nil, packTimer(tExpire, int64(i)))
		return
	}
	z.holder[op.key] = i
	z.held[clientKey{op.client, op.key}] = i
	w.After(z.cfg.Hold, z.timerFn, nil, packTimer(tHold, int64(i)))
}

func (z *ZK) done(i int32) {
	req, s := z.ops[i].req, z.ops[i].server
	z.release(i)
	z.answered++
	z.nt.World().Complete(req, harness.Outcome{Shard: s})
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
		m["leader_util"] = float64(z.nt.CPUBusy(0)) / float64(z.last)
		if z.n > 1 {
			var f time.Duration
			for s := 1; s < z.n; s++ {
				f += z.nt.CPUBusy(s)
			}
			m["follower_util"] = float64(f) / float64(z.n-1) / float64(z.last)
		}
	}
	m["elections"] = float64(z.elections)
	m["connection_loss"] = float64(z.connLoss)
	if len(z.failovers) > 0 {
		var sum, hi time.Duration
		for _, f := range z.failovers {
			sum += f
			hi = max(hi, f)
		}
		m["failovers"] = float64(len(z.failovers))
		m["failover_ms_mean"] = float64(sum) / float64(len(z.failovers)) / float64(time.Millisecond)
		m["failover_ms_max"] = float64(hi) / float64(time.Millisecond)
	}
	for k, v := range algorithms.ClusterMetrics(z.nt, z.answered+z.acquires, z.last) {
		m[k] = v
	}
	return m
}

var (
	_ harness.SimTarget = (*ZK)(nil)
	_ harness.Metricser = (*ZK)(nil)
)
