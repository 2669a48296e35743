package coordination

import (
	"errors"
	"fmt"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// ErrSessionLost is the error of an op whose Chubby session expired: the
// master stayed away longer than the lease plus the grace period.
var ErrSessionLost = errors.New("coordination/chubby: session expired (master away beyond lease + grace)")

// ChubbyConfig is a Chubby cell in virtual time.
type ChubbyConfig struct {
	Lease       time.Duration          // session lease, renewed by KeepAlives while the client runs
	Grace       time.Duration          // how long a client in jeopardy waits beyond its lease for a new master
	FailoverAt  time.Duration          // the master fails at this time (0: never)
	Election    time.Duration          // until a new master serves after a failure
	Delay       workloads.DurationDist // one-way client ↔ master delay (FIFO per client)
	Replication workloads.DurationDist // Paxos write among the cell's replicas
	Hold        time.Duration          // a lock holder's work before it writes and releases
	Stall       float64                // probability a holder stalls (a GC pause) right after acquiring
	StallFor    time.Duration          // how long a stalled holder sleeps
	Sequencer   bool                   // the resource server checks lock sequencers
	Cache       bool                   // clients cache files, invalidated by the master
}

func (c ChubbyConfig) check() error {
	switch {
	case c.Delay == nil || c.Replication == nil:
		return errors.New("coordination/chubby: no delay or replication_delay distribution")
	case c.Lease <= 0:
		return fmt.Errorf("coordination/chubby: lease=%v (valid: > 0)", c.Lease)
	case c.FailoverAt > 0 && c.Election <= 0:
		return fmt.Errorf("coordination/chubby: failover_at=%v with election=%v: a fail-over needs an election time (valid: election > 0)", c.FailoverAt, c.Election)
	case c.Stall < 0 || c.Stall > 1:
		return fmt.Errorf("coordination/chubby: stall=%v (valid: 0 … 1)", c.Stall)
	}
	return nil
}

// Chubby message and timer types.
const (
	mRead      = iota // client → master
	mWrite            // client → master: write a small file
	mInvAck           // client → master: a cache invalidation is done
	mWriteDone        // master: the write is replicated
	mAcquire          // client → master
	mGranted          // master: the grant is replicated
	mRelease          // client → master (payload: holder | releaser<<24)
	mExpire           // master: a stalled holder's session lease ran out
	cReply            // master → client: a read, write or release is answered
	cGrant            // master → client: the lock is yours
	cInval            // master → client: drop a cached file
	cWork             // client: the holder's hold (or stall) is over: write to the resource
	tFail             // the master fails
	tRecover          // a new master serves
	tLost             // lease + grace ran out with no master
)

const noOp = 1<<24 - 1

type lockState struct {
	held     bool
	gen      uint64 // lock generation: bumped on every grant (the sequencer's number)
	holderOp int32
	queue    []int32
}

type cop struct {
	req       *harness.Request
	kind      uint8
	client    uint32
	key       uint64
	got       int64 // read: version returned
	cacheable bool
	need      int    // write: invalidation acks outstanding
	gen       uint64 // holder: the sequencer it was granted
	released  bool   // holder: a release op gave the lock back
	stalled   bool
}

// Chubby is the coordination/chubby target. Single-threaded, like the World.
type Chubby struct {
	cfg  ChubbyConfig
	up   bool
	lost bool
	// master generation: 0, then 1 after a fail-over (the Shard of every op)
	master  int32
	blocked []int64 // messages that reached a dead master, replayed by the new one

	locks    map[uint64]*lockState
	version  map[uint64]int64         // the master's file versions
	acked    map[uint64]int64         // highest version acknowledged to a writer
	pendInv  map[uint64]int           // writes whose invalidations are outstanding: uncachable
	cachers  map[uint64][]uint32      // clients the master believes cache a file
	isCacher map[clientKey]struct{}   // the same, as a set
	cache    map[clientKey]int64      // client caches: file → version
	held     map[clientKey]int32      // the clients' view of the locks they hold
	up2, dn  map[uint32]time.Duration // FIFO per client link
	notes    []clientKey
	noteF    []int32

	ops  []cop
	free []int32

	reads, hits, writes, invalidations, acquires, staleCache               uint64
	resourceWrites, fenced, unsafe, expirations, blockedOps, lostOps, idle uint64

	masterFn, clientFn harness.EventFunc
}

// NewChubby builds the cell.
func NewChubby(cfg ChubbyConfig) (*Chubby, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	c := &Chubby{
		cfg: cfg, up: true,
		locks: map[uint64]*lockState{}, version: map[uint64]int64{}, acked: map[uint64]int64{},
		pendInv: map[uint64]int{}, cachers: map[uint64][]uint32{}, isCacher: map[clientKey]struct{}{},
		cache: map[clientKey]int64{}, held: map[clientKey]int32{},
		up2: map[uint32]time.Duration{}, dn: map[uint32]time.Duration{},
	}
	c.masterFn, c.clientFn = c.atMaster, c.atClient
	return c, nil
}

// Setup schedules the fail-over, if any.
func (c *Chubby) Setup(w *harness.World) {
	if c.cfg.FailoverAt <= 0 {
		return
	}
	w.At(c.cfg.FailoverAt, c.masterFn, nil, pack8(tFail, 0))
	w.At(c.cfg.FailoverAt+c.cfg.Election, c.masterFn, nil, pack8(tRecover, 0))
	if c.cfg.Election > c.cfg.Lease+c.cfg.Grace {
		w.At(c.cfg.FailoverAt+c.cfg.Lease+c.cfg.Grace, c.masterFn, nil, pack8(tLost, 0))
	}
}

func pack8(typ int, payload int64) int64 { return payload<<8 | int64(typ) }

func (c *Chubby) alloc() int32 {
	if n := len(c.free); n > 0 {
		i := c.free[n-1]
		c.free = c.free[:n-1]
		return i
	}
	c.ops = append(c.ops, cop{})
	return int32(len(c.ops) - 1)
}

func (c *Chubby) release(i int32) { c.ops[i] = cop{}; c.free = append(c.free, i) }

func (c *Chubby) fifo(w *harness.World, m map[uint32]time.Duration, cl uint32) time.Duration {
	t := w.Now() + c.cfg.Delay.Next(w.Rand())
	if last := m[cl]; t < last {
		t = last
	}
	m[cl] = t
	return t
}

func (c *Chubby) toMaster(w *harness.World, cl uint32, typ int, p int64) {
	w.At(c.fifo(w, c.up2, cl), c.masterFn, nil, pack8(typ, p))
}

func (c *Chubby) toClient(w *harness.World, cl uint32, typ int, p int64) {
	w.At(c.fifo(w, c.dn, cl), c.clientFn, nil, pack8(typ, p))
}

func (c *Chubby) note(ck clientKey) int64 {
	if n := len(c.noteF); n > 0 {
		i := c.noteF[n-1]
		c.noteF = c.noteF[:n-1]
		c.notes[i] = ck
		return int64(i)
	}
	c.notes = append(c.notes, ck)
	return int64(len(c.notes) - 1)
}

// Start: reads may hit the client's cache; everything else goes to the master.
func (c *Chubby) Start(w *harness.World, req *harness.Request) {
	if c.lost && !c.up {
		c.lostOps++
		w.Complete(req, harness.Outcome{Shard: harness.NoShard, Err: ErrSessionLost})
		return
	}
	i := c.alloc()
	op := &c.ops[i]
	op.req, op.client, op.key = req, req.Op.Client, req.Op.Key
	ck := clientKey{op.client, op.key}
	switch req.Op.Kind {
	case workloads.Read, workloads.Scan:
		op.kind = mRead
		c.reads++
		if v, ok := c.cache[ck]; ok && c.cfg.Cache {
			c.hits++
			if v < c.acked[op.key] {
				c.staleCache++ // a write acknowledged before this read is missing from the cache
			}
			c.done(w, i, nil)
			return
		}
		c.toMaster(w, op.client, mRead, int64(i))
	case workloads.Acquire:
		op.kind = mAcquire
		c.toMaster(w, op.client, mAcquire, int64(i))
	case workloads.Release:
		h, ok := c.held[ck]
		if !ok {
			c.idle++
			c.done(w, i, nil)
			return
		}
		delete(c.held, ck)
		c.ops[h].released = true
		op.kind = mRelease
		c.toMaster(w, op.client, mRelease, int64(h)|int64(i)<<24)
	default:
		op.kind = mWrite
		c.writes++
		c.toMaster(w, op.client, mWrite, int64(i))
	}
}

func (c *Chubby) done(w *harness.World, i int32, err error) {
	req := c.ops[i].req
	c.release(i)
	s := c.master
	if err != nil {
		s = harness.NoShard
	}
	w.Complete(req, harness.Outcome{Shard: s, Err: err})
}

func (c *Chubby) lock(k uint64) *lockState {
	l := c.locks[k]
	if l == nil {
		l = &lockState{holderOp: -1}
		c.locks[k] = l
	}
	return l
}

// atMaster handles a message at the master, and the fail-over timers.
func (c *Chubby) atMaster(w *harness.World, _ *harness.Request, arg int64) {
	typ, p := int(arg&255), arg>>8
	switch typ {
	case tFail:
		c.fail()
		return
	case tRecover:
		c.recover(w)
		return
	case tLost:
		c.sessionsLost(w)
		return
	}
	if !c.up {
		switch typ {
		case mRead, mWrite, mAcquire, mRelease:
			c.blockedOps++
		}
		c.blocked = append(c.blocked, arg)
		return
	}
	switch typ {
	case mRead:
		op := &c.ops[p]
		op.got = c.version[op.key]
		// While invalidations are outstanding the file is uncachable.
		if c.cfg.Cache && c.pendInv[op.key] == 0 {
			op.cacheable = true
			ck := clientKey{op.client, op.key}
			if _, ok := c.isCacher[ck]; !ok {
				c.isCacher[ck] = struct{}{}
				c.cachers[op.key] = append(c.cachers[op.key], op.client)
			}
		}
		c.toClient(w, op.client, cReply, p)
	case mWrite:
		op := &c.ops[p]
		c.pendInv[op.key]++
		cs := c.cachers[op.key]
		delete(c.cachers, op.key)
		for _, cl := range cs {
			delete(c.isCacher, clientKey{cl, op.key})
			c.invalidations++
			c.toClient(w, cl, cInval, c.note(clientKey{cl, op.key})|p<<24)
		}
		op.need = len(cs)
		if op.need == 0 {
			w.After(c.cfg.Replication.Next(w.Rand()), c.masterFn, nil, pack8(mWriteDone, p))
		}
	case mInvAck:
		op := &c.ops[p]
		if op.need--; op.need == 0 {
			w.After(c.cfg.Replication.Next(w.Rand()), c.masterFn, nil, pack8(mWriteDone, p))
		}
	case mWriteDone:
		op := &c.ops[p]
		c.version[op.key]++
		op.got = c.version[op.key]
		c.pendInv[op.key]--
		if c.pendInv[op.key] == 0 {
			delete(c.pendInv, op.key)
		}
		c.toClient(w, op.client, cReply, p)
	case mAcquire:
		l := c.lock(c.ops[p].key)
		if l.held {
			l.queue = append(l.queue, int32(p))
			return
		}
		c.grant(w, l, int32(p))
	case mGranted:
		c.toClient(w, c.ops[p].client, cGrant, p)
	case mRelease:
		h, j := int32(p&noOp), int32(p>>24)
		op := &c.ops[h]
		l := c.lock(op.key)
		if l.held && l.holderOp == h {
			c.unlock(w, l)
		}
		switch {
		case j != noOp && c.ops[j].req == nil:
			c.release(j) // failed when the session was lost
		case j != noOp:
			c.toClient(w, c.ops[j].client, cReply, int64(j))
		default:
			c.release(h) // the holder's own release ends its life
		}
	case mExpire:
		op := &c.ops[p]
		l := c.lock(op.key)
		if l.held && l.holderOp == int32(p) && l.gen == op.gen {
			c.expirations++
			c.unlock(w, l)
		}
	}
}

// grant gives l to op i with the next generation number, replicated before
// the client hears of it.
func (c *Chubby) grant(w *harness.World, l *lockState, i int32) {
	l.held, l.holderOp = true, i
	l.gen++
	c.ops[i].gen = l.gen
	w.After(c.cfg.Replication.Next(w.Rand()), c.masterFn, nil, pack8(mGranted, int64(i)))
}

func (c *Chubby) unlock(w *harness.World, l *lockState) {
	l.held, l.holderOp = false, -1
	if len(l.queue) > 0 {
		next := l.queue[0]
		l.queue = l.queue[1:]
		c.grant(w, l, next)
	}
}

// atClient handles a message arriving at a client, and holders' timers.
func (c *Chubby) atClient(w *harness.World, _ *harness.Request, arg int64) {
	typ, p := int(arg&255), arg>>8
	switch typ {
	case cReply:
		op := &c.ops[p]
		switch op.kind {
		case mRead:
			if op.cacheable {
				c.cache[clientKey{op.client, op.key}] = op.got
			}
		case mWrite:
			c.acked[op.key] = max(c.acked[op.key], op.got)
		}
		c.done(w, int32(p), nil)
	case cInval:
		ck := c.notes[p&noOp]
		c.noteF = append(c.noteF, int32(p&noOp))
		delete(c.cache, ck)
		c.toMaster(w, ck.client, mInvAck, p>>24)
	case cGrant:
		i := int32(p)
		op := &c.ops[i]
		c.acquires++
		req := op.req
		op.req = nil
		w.Complete(req, harness.Outcome{Shard: c.master})
		c.held[clientKey{op.client, op.key}] = i
		if c.cfg.Stall > 0 && w.Rand().Float64() < c.cfg.Stall {
			// A pause: no KeepAlives, so the master's lease on the
			// session runs out; the holder wakes believing it still holds.
			op.stalled = true
			if c.cfg.StallFor > c.cfg.Lease {
				w.After(c.cfg.Lease, c.masterFn, nil, pack8(mExpire, p))
			}
			w.After(c.cfg.StallFor, c.clientFn, nil, pack8(cWork, p))
			return
		}
		w.After(c.cfg.Hold, c.clientFn, nil, pack8(cWork, p))
	case cWork:
		i := int32(p)
		op := &c.ops[i]
		if op.released {
			c.release(i)
			return
		}
		c.resourceWrite(op, i)
		if ck := (clientKey{op.client, op.key}); c.held[ck] == i {
			delete(c.held, ck)
		}
		c.toMaster(w, op.client, mRelease, int64(i)|noOp<<24)
	}
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

func (c *Chubby) fail() {
	c.up = false
	// Clients in jeopardy drop their caches; the new master starts with
	// no cachers.
	clear(c.cache)
	clear(c.cachers)
	clear(c.isCacher)
}

// recover: the new master serves, honouring the old sessions (within lease
// + grace), and handles what reached the dead one.
func (c *Chubby) recover(w *harness.World) {
	c.up = true
	c.master++
	if c.lost {
		// Sessions died: their locks are released.
		for _, l := range c.locks {
			l.held, l.holderOp = false, -1
		}
		clear(c.held)
		c.lost = false
	}
	msgs := c.blocked
	c.blocked = nil
	for _, m := range msgs {
		c.atMaster(w, nil, m)
	}
}

// sessionsLost: lease + grace passed with no master; the clients' blocked
// ops fail.
func (c *Chubby) sessionsLost(w *harness.World) {
	c.lost = true
	kept := c.blocked[:0]
	for _, m := range c.blocked {
		typ, p := int(m&255), m>>8
		switch typ {
		case mRead, mWrite, mAcquire:
			if c.ops[p].req != nil {
				c.lostOps++
				c.done(w, int32(p), ErrSessionLost)
				continue
			}
		case mRelease:
			if j := int32(p >> 24); j != noOp && c.ops[j].req != nil {
				// The release op fails; its message stays, so the new
				// master still frees the lock (and the slot, unanswered).
				c.lostOps++
				req := c.ops[j].req
				c.ops[j].req = nil
				w.Complete(req, harness.Outcome{Shard: harness.NoShard, Err: ErrSessionLost})
			}
		}
		kept = append(kept, m)
	}
	c.blocked = kept
}

// Metrics reports the family figures.
func (c *Chubby) Metrics() map[string]float64 {
	m := map[string]float64{
		"reads": float64(c.reads), "cache_hits": float64(c.hits), "writes": float64(c.writes),
		"invalidations": float64(c.invalidations), "acquires": float64(c.acquires),
		"resource_writes": float64(c.resourceWrites), "fenced_stale_writes": float64(c.fenced),
		"unsafe_writes": float64(c.unsafe), "session_expirations": float64(c.expirations),
		"stale_cache_reads": float64(c.staleCache), "failover_blocked_ops": float64(c.blockedOps),
		"ops_failed_session_lost": float64(c.lostOps), "release_idle": float64(c.idle),
	}
	if c.reads > 0 {
		m["cache_hit_rate"] = float64(c.hits) / float64(c.reads)
	}
	return m
}

var (
	_ harness.SimTarget = (*Chubby)(nil)
	_ harness.SimSetup  = (*Chubby)(nil)
	_ harness.Metricser = (*Chubby)(nil)
)
