package coordination

import (
	"errors"
	"fmt"
	"github.com/dsbench/dsbench/algorithms/internal/slots"
	"github.com/dsbench/dsbench/harness/history"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
	"github.com/dsbench/dsbench/workloads"
)

// Chubby (M. Burrows, "The Chubby lock service for loosely-coupled
// distributed systems", OSDI 2006) on the shared simulated cluster: a cell of
// `nodes` replicas, one of which is the master.
//
//   - Clients (outside the cell) talk to the master only (FromClient /
//     ToClient). Every request is one RPC: CreateSession, KeepAlive, and the
//     ops (read = GetContentsAndStat, write = SetContents, Acquire, Release).
//   - Writes, lock grants and releases, session creations and expiries are
//     log entries the master replicates (chubbycell.go): it logs each with an
//     fsync and sends it to every replica, which logs it (fsync) and acks; the
//     entry is committed once a majority has it on disk, then answered.
//     Reads are served by the master alone (§2.2).
//   - Sessions (§2.8): a client's first op creates its session; the client
//     then keeps one KeepAlive outstanding at the master. The master holds it
//     until the session's lease is close to expiring, then answers, extending
//     the lease by `lease`; the client sends the next KeepAlive on receipt.
//     Cache invalidations ride on the KeepAlive reply (the master answers the
//     held KeepAlive early to deliver them), and the client's next KeepAlive
//     acknowledges them. A session whose lease passes with no KeepAlive
//     expires at the master: its locks are released.
//   - The client keeps a conservative local lease. When it runs out with no
//     reply the session is in jeopardy: the cache is dropped and the client
//     waits up to `grace` more for a master; past that the session is lost
//     and its waiting ops fail.
//   - Master fail-over (chubbyelect.go) is an election among the replicas
//     once their master lease runs out; the new master rebuilds its state
//     from the replicated database and extends every session's lease, so a
//     fail-over shorter than lease + grace loses no session.

// ErrSessionLost is the error of an op whose Chubby session expired: the
// master stayed away longer than the lease plus the grace period, or the
// session's lease ran out at the master.
var ErrSessionLost = errors.New("coordination/chubby: session expired (no master within lease + grace, or the lease ran out at the master)")

// ChubbyConfig is a Chubby cell on the shared simulated cluster.
type ChubbyConfig struct {
	// Cluster is the cell: nodes = replicas (node 0 is the first master),
	// their network, CPUs and log disks, and the crash schedule.
	Cluster     algorithms.Cluster
	Lease       time.Duration // session lease, renewed by each KeepAlive reply
	Grace       time.Duration // how long a client in jeopardy waits beyond its lease for a master
	MasterLease time.Duration // replicas elect no new master while they heard from one within this
	Heartbeat   time.Duration // the master renews its lease at the replicas this often; clients retry a replica this often while looking for a master
	Hold        time.Duration // a lock holder's work before it writes and releases
	Stall       float64       // probability a holder's client pauses (a GC pause) right after acquiring
	StallFor    time.Duration // how long a paused client sends nothing
	Sequencer   bool          // the resource server checks lock sequencers
	Cache       bool          // clients cache files, invalidated by the master
}

func (c ChubbyConfig) nodes() int { return c.Cluster.Net.Nodes }

func (c ChubbyConfig) check() error {
	switch {
	case c.nodes() < 1 || c.nodes() > maxServers:
		return fmt.Errorf("coordination/chubby: nodes=%d out of range (valid: 1 … %d)", c.nodes(), maxServers)
	case c.Lease <= 0:
		return fmt.Errorf("coordination/chubby: lease=%v (valid: > 0)", c.Lease)
	case c.MasterLease <= 0 || c.Heartbeat <= 0:
		return fmt.Errorf("coordination/chubby: master_lease=%v heartbeat=%v (valid: both > 0)", c.MasterLease, c.Heartbeat)
	case c.Heartbeat >= c.MasterLease:
		return fmt.Errorf("coordination/chubby: heartbeat=%v must be shorter than master_lease=%v (the master renews its lease before it runs out)", c.Heartbeat, c.MasterLease)
	case c.Stall < 0 || c.Stall > 1:
		return fmt.Errorf("coordination/chubby: stall=%v (valid: 0 … 1)", c.Stall)
	}
	return c.Cluster.Net.Check()
}

// Message kinds.
const (
	rCreate    simnet.Kind = iota // client → master: CreateSession
	rKeepAlive                    // client → master: KeepAlive (payload: client | sid<<24)
	rRead                         // client → master: GetContentsAndStat (payload: op ref)
	rWrite                        // client → master: SetContents
	rAcquire                      // client → master: Acquire
	rRelease                      // client → master: Release (a release op, or a holder's own)
	cSession                      // master → client: the session exists
	cKeepAlive                    // master → client: lease extended (+ invalidations, or the fail-over event)
	cExpired                      // master → client: no such session
	cReply                        // master → client: a read, write or release is answered
	cGrant                        // master → client: the lock is yours
	cRedirect                     // replica → client: the master I know (payload: client | master+1<<24)
	pAccept                       // master → replica: log this entry (epoch, index)
	pAccepted                     // replica → master: logged
	pHeartbeat                    // master → replica: master lease renewal
	pVoteReq                      // candidate → replica: vote for me (epoch, last logged index)
	pVote                         // replica → candidate: granted
)

var chubbyKinds = []string{"create_session", "keepalive", "read", "write", "acquire", "release",
	"session_reply", "keepalive_reply", "expired", "reply", "grant", "redirect",
	"accept", "accepted", "heartbeat", "vote_request", "vote"}

// Client events (World timers: clients are outside the cell).
const (
	evLease  = iota // the client's local lease ran out: jeopardy
	evGrace         // the grace period ran out: the session is lost
	evSearch        // look for the master at the next replica
	evWork          // a holder's hold (or pause) is over: write to the resource and release
	evWake          // a paused client resumes its KeepAlives
	evReset         // the master's connection reset (it crashed)
)

// ref names an op slot and the tag of its current use: slots are reused, and
// a late reply must not reach the slot's next op.
type ref int64

func mkref(i int32, tag uint32) ref { return ref(int64(tag)<<32 | int64(uint32(i))) }
func (r ref) idx() int32            { return int32(uint32(r)) }
func (r ref) tag() uint32           { return uint32(uint64(r) >> 32) }

// Op kinds are zookeeper's (zab.go): kRead, kWrite, kAcquire, kRelease.

type cop struct {
	req       *harness.Request
	tag       uint32
	kind      uint8
	client    int32 // dense client index
	key       uint64
	got       int64 // read: version returned
	cacheable bool
	need      int    // write: invalidation acks outstanding
	gen       uint64 // holder: the sequencer it was granted; release: its holder's
	released  bool   // holder: a release op gave the lock back
	holder    ref    // release: the holder it releases
	waiting   bool   // write: at the master (queued, invalidating or replicating)
	abandoned bool   // write: its client gave up; the slot is freed when the master is done
	hist      int    // the op's id in the client history + 1 (0: not recorded)
	wid       int64  // write: its unique value in the history
}

// chubbyClient is one client process: its session, as it sees it.
type chubbyClient struct {
	id        uint32
	sid       uint32 // current session (0: none)
	master    int32  // the replica it believes is master (−1: none)
	creating  bool   // a CreateSession is outstanding
	searching bool   // the master's connection reset: looking for a master
	jeopardy  bool   // the local lease ran out
	lost      bool   // the session was lost; ops fail until a master is found
	kaOut     bool   // a KeepAlive is outstanding
	next      int32  // the next replica to try while searching
	leaseEnd  time.Duration
	opened    time.Duration // when its current session was created
	paused    time.Duration // a pause (GC) lasts until then
	gen       uint32        // bumped on every lease change: older lease timers are void
	sgen      uint32        // bumped on every search step
	waiting   []ref         // ops to send once connected
	out       []ref         // ops sent and not answered
}

// Chubby is the coordination/chubby target. Single-threaded, like the World.
type Chubby struct {
	cfg      ChubbyConfig
	n        int
	majority int32
	nt       *simnet.Net[int64]

	clients []chubbyClient
	byID    map[uint32]int32

	locks    map[uint64]*lockState
	version  map[uint64]int64       // the database: file versions
	acked    map[uint64]int64       // highest version acknowledged to a writer
	pendInv  map[uint64]int         // writes started or queued per file: uncachable while > 0
	writeQ   map[uint64][]ref       // writes waiting for the file's earlier write
	cachers  map[uint64][]int32     // clients the master believes cache a file
	isCacher map[clientKey]struct{} // the same, as a set (client = dense index)
	cache    map[clientKey]int64    // client caches: file → version
	held     map[clientKey]int32    // the clients' view of the locks they hold

	ops  []cop
	free slots.Free
	tags uint32

	// overtake, set only by a test, lets a write start while the file's
	// earlier write waits for invalidations: the broken variant that
	// stale_cache_reads must catch.
	overtake bool

	// With run --check: the clients' history of reads and writes (locks are
	// not registers), and which write made each file version.
	hist     *history.Log
	writeSeq int64
	widOf    map[[2]uint64]int64

	reads, hits, writes, invalidations, acquires, staleCache               uint64
	resourceWrites, fenced, unsafe, expirations, blockedOps, lostOps, idle uint64
	rpcs, keepalives, creates, sessionsLost, expiredLocks                  uint64

	clientFn, kaFn, expireFn, loggedFn harness.EventFunc

	cell // the replicas, their log and the master's sessions (chubbycell.go, chubbyelect.go)
}

type lockState struct {
	held     bool
	gen      uint64 // lock generation: bumped on every grant (the sequencer's number)
	holderOp int32
	holder   ref
	client   int32
	queue    []ref
}

// NewChubby builds the cell; it is put on the World at Setup.
func NewChubby(cfg ChubbyConfig) (*Chubby, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	n := cfg.nodes()
	c := &Chubby{
		cfg: cfg, n: n, majority: int32(n/2 + 1), byID: map[uint32]int32{},
		locks: map[uint64]*lockState{}, version: map[uint64]int64{}, acked: map[uint64]int64{},
		pendInv: map[uint64]int{}, writeQ: map[uint64][]ref{}, cachers: map[uint64][]int32{}, isCacher: map[clientKey]struct{}{},
		cache: map[clientKey]int64{}, held: map[clientKey]int32{},
	}
	c.clientFn, c.kaFn, c.expireFn, c.loggedFn = c.atClientTimer, c.kaDue, c.expireDue, c.logged
	c.initCell()
	return c, nil
}

// Setup builds the cell on w.
func (c *Chubby) Setup(w *harness.World) {
	nt, err := algorithms.NewNet[int64](w, c.cfg.Cluster, chubbyKinds)
	if err != nil {
		panic(err) // validated when the target was built
	}
	c.nt = nt
	for s := range c.n {
		nt.Handle(s, func(m *simnet.Msg[int64]) { c.atNode(s, m.From, m.Kind, m.Payload) })
	}
	nt.HandleClients(func(m *simnet.Msg[int64]) { c.atClient(m.From, m.Kind, m.Payload) })
	c.setupCell()
}

func (c *Chubby) alloc() int32 {
	i := slots.Take(&c.free, &c.ops)
	c.tags++
	c.ops[i] = cop{tag: c.tags}
	return i
}

func (c *Chubby) release(i int32) { c.ops[i] = cop{}; c.free.Put(i) }

// op returns the op r names, or nil if its slot moved on.
func (c *Chubby) op(r ref) *cop {
	i := r.idx()
	if i < 0 || int(i) >= len(c.ops) || c.ops[i].tag != r.tag() || c.ops[i].tag == 0 {
		return nil
	}
	return &c.ops[i]
}

func (c *Chubby) refOf(i int32) ref { return mkref(i, c.ops[i].tag) }

func (c *Chubby) clientOf(id uint32) int32 {
	if k, ok := c.byID[id]; ok {
		return k
	}
	k := int32(len(c.clients))
	c.byID[id] = k
	c.clients = append(c.clients, chubbyClient{id: id, master: int32(c.master)})
	if c.master < 0 || !c.serving {
		c.clients[k].master = -1
	}
	c.sess = append(c.sess, session{})
	return k
}

// Start: reads may hit the client's cache; everything else goes to the master.
func (c *Chubby) Start(w *harness.World, req *harness.Request) {
	k := c.clientOf(req.Op.Client)
	cl := &c.clients[k]
	i := c.alloc()
	op := &c.ops[i]
	op.req, op.client, op.key = req, k, req.Op.Key
	ck := clientKey{uint32(k), op.key}
	switch req.Op.Kind {
	case workloads.Read, workloads.Scan:
		op.kind = kRead
		c.reads++
		if c.hist != nil {
			op.hist = c.hist.Invoke(req.Op.Client, op.key, history.Read, 0, w.Now()) + 1
		}
		if v, ok := c.cache[ck]; ok && c.cfg.Cache && c.connected(cl) && !cl.jeopardy {
			c.hits++
			op.got = v
			if v < c.acked[op.key] {
				c.staleCache++ // a write acknowledged before this read is missing from the cache
			}
			c.done(i, nil)
			return
		}
	case workloads.Acquire:
		op.kind = kAcquire
	case workloads.Release:
		h, ok := c.held[ck]
		if !ok {
			c.idle++
			c.done(i, nil)
			return
		}
		delete(c.held, ck)
		c.ops[h].released = true
		op.kind = kRelease
		op.holder, op.gen = c.refOf(h), c.ops[h].gen
	default:
		op.kind = kWrite
		c.writes++
		if c.hist != nil {
			c.writeSeq++
			op.wid = c.writeSeq
			op.hist = c.hist.Invoke(req.Op.Client, op.key, history.Write, op.wid, w.Now()) + 1
		}
	}
	c.submit(k, c.refOf(i))
}

func (c *Chubby) connected(cl *chubbyClient) bool {
	return cl.sid != 0 && cl.master >= 0 && !cl.searching
}

// submit sends an op to the master, or queues it until the client has a
// session and a master.
func (c *Chubby) submit(k int32, r ref) {
	cl := &c.clients[k]
	if cl.lost && cl.searching {
		if op := c.op(r); op != nil && op.req != nil {
			c.lostOps++
		}
		c.fail(r)
		return
	}
	if c.connected(cl) {
		c.sendOp(k, r)
		return
	}
	if cl.searching {
		c.blockedOps++ // waits for the new master
	}
	cl.waiting = append(cl.waiting, r)
	c.connect(k)
}

// connect starts what the client needs to send: a session, or a master.
func (c *Chubby) connect(k int32) {
	cl := &c.clients[k]
	switch {
	case cl.searching || cl.creating:
	case cl.master < 0:
		c.startSearch(k)
	case cl.sid == 0:
		cl.creating = true
		c.rpc(k, int(cl.master), rCreate, int64(k))
	}
}

func (c *Chubby) rpc(k int32, to int, kind simnet.Kind, p int64) {
	c.rpcs++
	switch kind {
	case rKeepAlive:
		c.keepalives++
	case rCreate:
		c.creates++
	}
	c.nt.FromClient(to, kind, p)
}

var opKinds = [...]simnet.Kind{kRead: rRead, kWrite: rWrite, kAcquire: rAcquire, kRelease: rRelease}

func (c *Chubby) sendOp(k int32, r ref) {
	op := c.op(r)
	if op == nil {
		return
	}
	cl := &c.clients[k]
	cl.out = append(cl.out, r)
	kind := opKinds[op.kind]
	if op.kind == kAcquire && op.req == nil {
		kind = rRelease // a holder giving its lock back
	}
	c.rpc(k, int(cl.master), kind, int64(r))
}

// answered drops r from the client's outstanding ops; false if it was not
// there (a duplicate answer).
func (c *Chubby) answered(k int32, r ref) bool {
	cl := &c.clients[k]
	for j, o := range cl.out {
		if o == r {
			cl.out[j] = cl.out[len(cl.out)-1]
			cl.out = cl.out[:len(cl.out)-1]
			return true
		}
	}
	return false
}

func (c *Chubby) flush(k int32) {
	cl := &c.clients[k]
	w := cl.waiting
	cl.waiting = nil
	for _, r := range w {
		c.sendOp(k, r)
	}
}

// RecordHistory makes the cell record its clients' reads and writes for
// run --check (Chubby's files are linearizable registers: the master serves
// them, and a cached copy is invalidated before a write completes).
func (c *Chubby) RecordHistory(l *history.Log) {
	c.hist, c.widOf = l, map[[2]uint64]int64{}
}

// histEnd records op's outcome in the history: a read returns the write
// that made the version it got; a failed write may still be applied.
func (c *Chubby) histEnd(op *cop, err error) {
	if op.hist == 0 {
		return
	}
	id := op.hist - 1
	op.hist = 0
	switch {
	case err == nil && op.kind == kRead:
		var v int64
		if op.got > 0 {
			v = c.widOf[[2]uint64{op.key, uint64(op.got)}]
		}
		c.hist.Return(id, v, c.nt.World().Now())
	case err == nil:
		c.hist.Return(id, 0, c.nt.World().Now())
	case op.kind == kWrite:
		c.hist.Unknown(id)
	default:
		c.hist.Fail(id)
	}
}

// done completes op i to the harness and frees its slot.
func (c *Chubby) done(i int32, err error) {
	req := c.ops[i].req
	if req != nil {
		c.histEnd(&c.ops[i], err)
	}
	c.release(i)
	if req == nil {
		return
	}
	shard := int32(c.master)
	if err != nil || shard < 0 {
		shard = harness.NoShard
	}
	c.nt.World().Complete(req, harness.Outcome{Shard: shard, Err: err})
}

// fail ends op r with ErrSessionLost (a holder's own release just frees it).
// A write the master is working on keeps its slot until the master is done
// with it (the master does not know the client gave up).
func (c *Chubby) fail(r ref) {
	op := c.op(r)
	switch {
	case op == nil:
	case op.kind == kWrite && op.waiting:
		req := op.req
		c.histEnd(op, ErrSessionLost)
		op.req, op.abandoned = nil, true
		if req != nil {
			c.nt.World().Complete(req, harness.Outcome{Shard: harness.NoShard, Err: ErrSessionLost})
		}
	default:
		c.done(r.idx(), ErrSessionLost)
	}
}

func (c *Chubby) lock(k uint64) *lockState {
	l := c.locks[k]
	if l == nil {
		l = &lockState{holderOp: -1, client: -1}
		c.locks[k] = l
	}
	return l
}

func (c *Chubby) clientTimer(k int32, d time.Duration, ev int, gen uint32) {
	c.nt.World().After(d, c.clientFn, nil, int64(k)|int64(ev)<<24|int64(gen)<<32)
}

// atClient handles a message from the cell at a client.
func (c *Chubby) atClient(from int, kind simnet.Kind, p int64) {
	w := c.nt.World()
	switch kind {
	case cSession:
		k, sid := int32(p&(1<<24-1)), uint32(p>>24)
		cl := &c.clients[k]
		if !cl.creating {
			return
		}
		cl.creating, cl.lost, cl.sid, cl.master, cl.opened = false, false, sid, int32(from), w.Now()
		cl.kaOut = false
		c.extend(k, w.Now())
		c.sendKeepAlive(k)
		c.flush(k)
	case cKeepAlive:
		k, sid, b := int32(p&(1<<24-1)), uint32(p>>24&(1<<20-1)), p>>44
		cl := &c.clients[k]
		for _, key := range c.takeBundle(b) {
			delete(c.cache, clientKey{uint32(k), key})
		}
		if sid != cl.sid || cl.sid == 0 {
			return // an older session's
		}
		cl.kaOut = false
		c.extend(k, w.Now())
		if cl.searching {
			// The new master answered: the session survived the fail-over.
			cl.searching, cl.master = false, int32(from)
			c.flush(k)
		}
		if cl.paused > w.Now() {
			c.clientTimer(k, cl.paused-w.Now(), evWake, 0)
			return
		}
		c.sendKeepAlive(k)
	case cExpired:
		k, sid := int32(p&(1<<24-1)), uint32(p>>24)
		cl := &c.clients[k]
		cl.master, cl.searching, cl.kaOut = int32(from), false, false
		if sid == cl.sid && sid != 0 {
			c.sessionLost(k)
		}
		if len(cl.waiting) > 0 {
			c.connect(k)
		}
	case cRedirect:
		k, m := int32(p&(1<<24-1)), int(p>>24)-1
		cl := &c.clients[k]
		if cl.searching && m >= 0 {
			c.rpc(k, m, rKeepAlive, int64(k)|int64(cl.sid)<<24)
		}
	case cReply:
		r := ref(p)
		op := c.op(r)
		if op == nil || !c.answered(op.client, r) {
			return
		}
		switch op.kind {
		case kRead:
			if op.cacheable && c.connected(&c.clients[op.client]) {
				c.cache[clientKey{uint32(op.client), op.key}] = op.got
			}
		case kWrite:
			c.acked[op.key] = max(c.acked[op.key], op.got)
		}
		c.done(r.idx(), nil)
	case cGrant:
		r := ref(p)
		op := c.op(r)
		if op == nil || op.req == nil || !c.answered(op.client, r) {
			return
		}
		c.acquires++
		req := op.req
		op.req = nil
		w.Complete(req, harness.Outcome{Shard: int32(from)})
		c.held[clientKey{uint32(op.client), op.key}] = r.idx()
		cl := &c.clients[op.client]
		if c.cfg.Stall > 0 && w.Rand().Float64() < c.cfg.Stall {
			// A pause: the client sends nothing (no KeepAlives), so the
			// master's lease on its session may run out; the holder
			// wakes believing it still holds the lock.
			cl.paused = max(cl.paused, w.Now()+c.cfg.StallFor)
			c.clientTimer(op.client, c.cfg.StallFor, evWork, uint32(r.idx()))
			return
		}
		c.clientTimer(op.client, c.cfg.Hold, evWork, uint32(r.idx()))
	}
}

// extend renews the client's local lease from a reply received now: the
// master's lease runs lease from its reply, the client's conservatively a
// little less (§2.8: the reply's time in flight and clock drift).
func (c *Chubby) extend(k int32, now time.Duration) {
	cl := &c.clients[k]
	cl.jeopardy = false
	cl.gen++
	cl.leaseEnd = now + c.cfg.Lease - c.cfg.Lease/clientSlack
	c.clientTimer(k, cl.leaseEnd-now, evLease, cl.gen)
}

// clientSlack: the client's local lease is lease − lease/clientSlack after
// a reply; masterEarly: the master answers a held KeepAlive when
// lease/masterEarly of the session's lease is left.
const (
	clientSlack = 24
	masterEarly = 12
)

func (c *Chubby) sendKeepAlive(k int32) {
	cl := &c.clients[k]
	if cl.kaOut || cl.sid == 0 || cl.master < 0 {
		return
	}
	cl.kaOut = true
	c.rpc(k, int(cl.master), rKeepAlive, int64(k)|int64(cl.sid)<<24)
}

// sessionLost: the client gives its session up; waiting and outstanding ops
// fail, its locks are gone (the master frees them when it expires the
// session), and its cache with them.
func (c *Chubby) sessionLost(k int32) {
	cl := &c.clients[k]
	c.sessionsLost++
	cl.sid, cl.lost, cl.jeopardy, cl.kaOut = 0, true, false, false
	cl.gen++
	for _, r := range append(cl.waiting, cl.out...) {
		if op := c.op(r); op != nil {
			if op.req != nil {
				c.lostOps++
				c.fail(r)
			} else {
				c.release(r.idx()) // a holder's own release
			}
		}
	}
	cl.waiting, cl.out = cl.waiting[:0], cl.out[:0]
	c.dropClientState(k)
}

func (c *Chubby) dropClientState(k int32) {
	for ck := range c.cache {
		if ck.client == uint32(k) {
			delete(c.cache, ck)
		}
	}
	for ck := range c.held {
		if ck.client == uint32(k) {
			delete(c.held, ck)
		}
	}
}

func (c *Chubby) dropCache(k int32) {
	for ck := range c.cache {
		if ck.client == uint32(k) {
			delete(c.cache, ck)
		}
	}
}

// atClientTimer runs a client's timers.
func (c *Chubby) atClientTimer(w *harness.World, _ *harness.Request, arg int64) {
	k, ev, gen := int32(arg&(1<<24-1)), int(arg>>24&255), uint32(arg>>32)
	cl := &c.clients[k]
	switch ev {
	case evLease:
		if gen != cl.gen || cl.sid == 0 {
			return
		}
		// Jeopardy: the cache may miss invalidations from here on.
		cl.jeopardy = true
		c.dropCache(k)
		c.clientTimer(k, c.cfg.Grace, evGrace, gen)
	case evGrace:
		if gen == cl.gen && cl.jeopardy {
			c.sessionLost(k)
		}
	case evSearch:
		if gen != cl.sgen || !cl.searching {
			return
		}
		to := int(cl.next)
		cl.next = (cl.next + 1) % int32(c.n)
		// A KeepAlive to a replica: the master answers (the session
		// survived, or it is unknown), the others do not.
		cl.kaOut = true
		c.rpc(k, to, rKeepAlive, int64(k)|int64(cl.sid)<<24)
		cl.sgen++
		c.clientTimer(k, c.cfg.Heartbeat, evSearch, cl.sgen)
	case evWork:
		i := int32(gen)
		op := &c.ops[i]
		if op.released {
			c.release(i)
			return
		}
		c.resourceWrite(op, i)
		if ck := (clientKey{uint32(op.client), op.key}); c.held[ck] == i {
			delete(c.held, ck)
		}
		c.submit(op.client, c.refOf(i))
	case evWake:
		c.sendKeepAlive(k)
	case evReset:
		if int(cl.master) != int(gen) || cl.searching {
			return
		}
		// The master's connection reset: what was outstanding at it is
		// resent to the next master; the cache may miss invalidations.
		c.dropCache(k)
		cl.kaOut = false
		for _, r := range cl.out {
			if op := c.op(r); op != nil && op.req != nil {
				c.blockedOps++
			}
		}
		cl.waiting = append(cl.waiting, cl.out...)
		cl.out = cl.out[:0]
		cl.next = (cl.master + 1) % int32(c.n)
		c.startSearch(k)
	}
}

func (c *Chubby) startSearch(k int32) {
	cl := &c.clients[k]
	cl.searching = true
	cl.master = -1
	cl.sgen++
	c.clientTimer(k, 0, evSearch, cl.sgen)
}

// resourceWrite is the holder writing to a resource the lock protects. The
// resource server checks the sequencer against the lock's current holder
// and generation (Chubby's CheckSequencer); without sequencers it accepts
// anything, and a write from a holder that lost the lock is unsafe.
func (c *Chubby) resourceWrite(op *cop, i int32) {
	l := c.lock(op.key)
	valid := l.held && l.holderOp == i && l.gen == op.gen
	if c.cfg.Sequencer && !valid {
		c.fenced++
		return
	}
	c.resourceWrites++
	if !valid {
		c.unsafe++
	}
}

// Metrics reports the family figures and the cluster's.
func (c *Chubby) Metrics() map[string]float64 {
	m := c.clusterMetrics()
	for k, v := range map[string]float64{
		"reads": float64(c.reads), "cache_hits": float64(c.hits), "writes": float64(c.writes),
		"invalidations": float64(c.invalidations), "acquires": float64(c.acquires),
		"resource_writes": float64(c.resourceWrites), "fenced_stale_writes": float64(c.fenced),
		"unsafe_writes": float64(c.unsafe), "session_expirations": float64(c.expirations),
		"stale_cache_reads": float64(c.staleCache), "failover_blocked_ops": float64(c.blockedOps),
		"ops_failed_session_lost": float64(c.lostOps), "release_idle": float64(c.idle),
		"rpcs": float64(c.rpcs), "keepalives": float64(c.keepalives), "sessions_created": float64(c.creates),
		"sessions_lost": float64(c.sessionsLost), "elections": float64(c.elections),
		"locks_expired": float64(c.expiredLocks),
	} {
		m[k] = v
	}
	if c.reads > 0 {
		m["cache_hit_rate"] = float64(c.hits) / float64(c.reads)
	}
	if c.rpcs > 0 {
		m["keepalive_share"] = float64(c.keepalives) / float64(c.rpcs)
	}
	if len(c.failovers) > 0 {
		var sum, hi time.Duration
		for _, f := range c.failovers {
			sum += f
			hi = max(hi, f)
		}
		m["failovers"] = float64(len(c.failovers))
		m["failover_ms"] = float64(sum) / float64(len(c.failovers)) / float64(time.Millisecond)
		m["failover_ms_max"] = float64(hi) / float64(time.Millisecond)
	}
	return m
}

// clusterMetrics are the cell's cluster figures over the virtual time the
// run has reached.
func (c *Chubby) clusterMetrics() map[string]float64 {
	if c.nt == nil {
		return map[string]float64{}
	}
	return algorithms.ClusterMetrics(c.nt, c.reads+c.writes+c.acquires, c.nt.World().Now())
}

var (
	_ harness.SimTarget       = (*Chubby)(nil)
	_ harness.HistoryRecorder = (*Chubby)(nil)
	_ harness.SimSetup        = (*Chubby)(nil)
	_ harness.Metricser       = (*Chubby)(nil)
)
