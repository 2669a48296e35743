package spanner

import (
	"errors"
	"fmt"
	"github.com/dsbench/dsbench/algorithms/internal/slots"
	"math/rand/v2"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
	"github.com/dsbench/dsbench/workloads"
)

// Config is a Spanner deployment on the shared simulated cluster.
type Config struct {
	TT TTConfig
	// Cluster is the Paxos group's replicas (nodes), their network, CPUs
	// and log disks. Every node is a spanserver with its own TrueTime clock.
	Cluster algorithms.Cluster
	// Groups is the number of Paxos groups (key k lives in group k mod
	// Groups); every group is replicated on every node and led by node
	// g mod nodes, as a spanserver leads some of the groups it serves.
	Groups     int
	CommitWait bool // wait until TT.after(s) before releasing locks and replying
	// ReadsAtLeader sends snapshot reads to their group's leader; otherwise
	// to the client's nearest replica (node client mod nodes).
	ReadsAtLeader bool
	// Staleness is how far in the past a snapshot read reads:
	// t = TT.now().latest − Staleness (0: a fresh read, §4.1.4).
	Staleness time.Duration
	// SafeWait makes a replica wait until t_safe ≥ t before serving a read
	// at t (§4.1.3); false serves at once (a broken variant the snapshot
	// checker catches).
	SafeWait bool
	// Lease is the leader lease: a replica that has heard nothing from its
	// group's leader for Lease (plus its rank's stagger) runs for leader;
	// the leader heartbeats every Lease/4 (failover.go).
	Lease time.Duration
}

func (c Config) nodes() int { return c.Cluster.Net.Nodes }

func (c Config) check() error {
	if err := c.TT.check(); err != nil {
		return err
	}
	switch {
	case c.Groups < 1 || c.Groups > maxGroups:
		return fmt.Errorf("spanner: groups=%d out of range (valid: 1 … %d)", c.Groups, maxGroups)
	case c.nodes() < 1 || c.nodes() > maxNodes:
		return fmt.Errorf("spanner: nodes=%d out of range (valid: 1 … %d)", c.nodes(), maxNodes)
	case c.Staleness < 0:
		return errors.New("spanner: staleness must not be negative")
	case c.Lease < minLeaseFactor*c.TT.top():
		return fmt.Errorf("spanner: lease=%v is below %d × the top of ε (%v) (valid: lease ≥ %v): a new leader could give a timestamp below one its predecessor gave",
			c.Lease, minLeaseFactor, c.TT.top(), minLeaseFactor*c.TT.top())
	}
	return c.Cluster.Net.Check()
}

const (
	maxGroups = 1 << 12
	maxNodes  = 1 << 10
)

// Message kinds on the cluster.
const (
	kWrite     simnet.Kind = iota // client → leader: a read-write transaction
	kRead                         // client → a replica (or the leader): a snapshot read
	kAccept                       // leader → replica: Paxos accept of one log slot (s inside)
	kAccepted                     // replica → leader: the slot is on its disk
	kCommit                       // leader → replica: commit index and a safe-time promise
	kSafeReq                      // replica → leader: promise no write at or below t
	kSafeReply                    // leader → replica: the promise (slots ≤ A hold every write ≤ t)
	kReply                        // server → client
	kPrepare                      // candidate → replica: Paxos phase 1 at a higher ballot
	kPromise                      // replica → candidate: promised; the end of its log
	kCatchup                      // replica → leader: resend the slots after mine
	// spanner/txn (txn.go)
	kReadLock   // client → participant leader: read a key under a read lock
	kReadOK     // participant leader → client: the read lock is held
	kPrepareReq // client → participant leader: its buffered write; the coordinator named
	kPrepared   // participant leader → coordinator leader: prepared at a timestamp
	kCommitReq  // client → coordinator leader: commit (with the coordinator's own write)
	kOutcome    // coordinator leader → participant leader: committed at s
	kWound      // participant leader → coordinator leader of a younger lock holder
	kAbort      // coordinator leader → client: the attempt was wounded
	kRelease    // client → participant leader: drop an aborted attempt's locks and prepare
	kRORead     // client → its nearest node: a read-only transaction over its groups
	kStatus     // participant leader → coordinator leader: the outcome of a prepared attempt?
	kResolve    // client → coordinator leader: the outcome of an attempt a crash hit?
	kTxnFirst   = kReadLock
)

var kindNames = []string{"write", "read", "accept", "accepted", "commit", "safe_req", "safe_reply", "reply",
	"prepare", "promise", "catchup",
	"read_lock", "read_ok", "prepare_req", "prepared", "commit_req", "outcome", "wound", "abort", "release", "ro_read",
	"status", "resolve"}

// msg is the payload of every message.
type msg struct {
	G    int32         // Paxos group
	Txn  int32         // transaction (client messages)
	Slot int64         // accept/accepted: the slot; commit: commit index; safe reply: A
	Ts   time.Duration // accept: s; commit, safe reply: the promised P; safe request: t
	A    int64         // commit: last assigned slot, for the promise P
	B    int32         // server messages: the sender's ballot; client messages: the txn's generation
}

// Sim is the spanner/truetime target. Single-threaded, like the World.
type Sim struct {
	cfg    Config
	n      int
	maj    int32
	clocks []*Clock // one per node
	nt     *simnet.Net[msg]
	groups []group
	reps   []replica // node*Groups + group

	txns  []txn
	free  slots.Free
	locks map[uint64]*keyLock // key → lock and FIFO of waiting writers

	consistency

	// figures
	writes, reads, lockWaits, safeWaits, readsLeader, readsReplica uint64
	cwSum, cwExposedSum                                            time.Duration
	cwHist, stwHist                                                *hdr.Histogram
	rwHist, roHist                                                 *hdr.Histogram // service time (sent → reply) per kind
	epsSum                                                         float64
	epsN                                                           uint64
	done                                                           uint64
	last                                                           time.Duration

	sreqs []safeReq
	sfree slots.Free

	failover

	tx *TxnSim // spanner/txn: 2PC across groups (txn.go); nil for spanner/truetime

	cwFn, leaderLoggedFn, replicaLoggedFn, safeFn harness.EventFunc
}

type txn struct {
	req      *harness.Request
	key      uint64
	group    int32
	node     int32 // the node serving it (a write's leader)
	gen      int32 // generation of this slot of txns: a message about an earlier txn is stale
	write    bool
	replied  bool          // the reply is on its way to the client
	s        time.Duration // commit or read timestamp
	slot     int64
	startMax time.Duration // maxAcked when the transaction started
	startRd  time.Duration // keyRead of its key when it started (−1: none)
	arrived  time.Duration // reads: arrival at the serving node
	picked   time.Duration // writes: when s was picked
	cwEnd    time.Duration // writes: true time TT.after(s) first holds
	paxosAt  time.Duration // writes: when a majority had the slot on disk
	cwDone   bool
	paxosOK  bool
	stale    bool // reads: at a timestamp in the past (not checked for external consistency)
}

type keyLock struct {
	held  bool
	queue []int32
}

// NewSim builds the target; r draws each node's TrueTime clock (poll phase,
// drift rate, per-poll errors). The cluster is built on the World at Setup.
func NewSim(cfg Config, r *rand.Rand) (*Sim, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	n := cfg.nodes()
	s := &Sim{
		cfg: cfg, n: n, maj: int32(n/2 + 1), locks: map[uint64]*keyLock{},
		groups:  make([]group, cfg.Groups),
		reps:    make([]replica, n*cfg.Groups),
		cwHist:  hdr.New(1, int64(time.Hour), 3),
		stwHist: hdr.New(1, int64(time.Hour), 3),
		rwHist:  hdr.New(1, int64(time.Hour), 3),
		roHist:  hdr.New(1, int64(time.Hour), 3),
	}
	s.consistency.init()
	for range n {
		s.clocks = append(s.clocks, NewClock(cfg.TT, r))
	}
	for g := range s.groups {
		s.groups[g] = group{leader: g % n, lastTs: -1 << 62, base: 1}
	}
	s.cwFn, s.leaderLoggedFn, s.replicaLoggedFn, s.safeFn = s.commitWaited, s.leaderLogged, s.replicaLogged, s.safeLater
	s.electFn, s.heartbeatFn = s.electionTimer, s.heartbeat
	return s, nil
}

// Setup builds the cluster on w.
func (s *Sim) Setup(w *harness.World) {
	s.setupNet(w, func(m *simnet.Msg[msg]) { s.atClient(m.Payload.Txn) })
	s.setupFailover()
}

// setupNet builds the cluster on w, the servers' messages going to handle
// and the clients' to atClient (spanner/truetime and spanner/txn differ
// only there); crash=leader is group 0's leader.
func (s *Sim) setupNet(w *harness.World, atClient func(*simnet.Msg[msg])) {
	nt, err := algorithms.NewNet[msg](w, s.cfg.Cluster, kindNames)
	if err != nil {
		panic(err) // validated when the target was built
	}
	s.nt = nt
	for node := range s.n {
		nt.Handle(node, func(m *simnet.Msg[msg]) { s.handle(node, m.From, m.Kind, &m.Payload) })
	}
	nt.HandleClients(atClient)
	nt.Leader = func() int { return s.groups[0].leader }
}

func (s *Sim) alloc() int32 { return slots.Take(&s.free, &s.txns) }

func (s *Sim) release(i int32) {
	s.txns[i] = txn{gen: s.txns[i].gen + 1}
	s.free.Put(i)
}

// isWrite reports whether an op kind is a read-write transaction.
func isWrite(k workloads.Kind) bool {
	switch k {
	case workloads.Update, workloads.Insert, workloads.RMW, workloads.Delete:
		return true
	}
	return false
}

// Start sends a read-write transaction (update, insert, rmw, delete) to its
// group's leader, or a snapshot read (every other kind) to the node that
// serves reads for its client.
func (s *Sim) Start(w *harness.World, req *harness.Request) {
	i := s.alloc()
	t := &s.txns[i]
	t.req, t.key = req, req.Op.Key
	t.group = int32(req.Op.Key % uint64(s.cfg.Groups))
	t.startMax, t.startRd = s.started(t.key)
	g := &s.groups[t.group]
	node, k := g.leader, kWrite
	if isWrite(req.Op.Kind) {
		t.write = true
		s.writes++
	} else {
		s.reads++
		k = kRead
		if !s.cfg.ReadsAtLeader {
			node = int(req.Op.Client) % s.n
		}
	}
	t.node = int32(node)
	if node < 0 || !s.nt.Up(node) {
		s.fail(i) // no leader (an election is under way) or the server is down: connection refused
		return
	}
	s.nt.FromClient(node, k, msg{G: t.group, Txn: i, B: t.gen})
}

// handle runs a message at node once its CPU has received it.
func (s *Sim) handle(node, from int, k simnet.Kind, m *msg) {
	s.last = max(s.last, s.nt.World().Now())
	switch k {
	case kWrite, kRead:
		if t := &s.txns[m.Txn]; t.req == nil || t.gen != m.B {
			return // failed when its server crashed, which has restarted since
		}
		if k == kWrite {
			s.lock(m.Txn)
		} else {
			s.read(node, m.Txn)
		}
		return
	case kPrepare:
		s.prepare(node, from, m.G, m.B)
		return
	case kPromise:
		s.promised(node, m.G, m.B, m.Slot)
		return
	}
	if k >= kTxnFirst {
		s.tx.handle(node, from, k, m)
		return
	}
	if !s.fromLeader(node, from, m.G, m.B, k) {
		return // a message of an older ballot, or to a node that no longer leads
	}
	switch k {
	case kAccept:
		s.accept(node, m.G, m.Slot)
	case kAccepted:
		s.ack(m.G, from, m.Slot)
	case kCommit:
		r := s.rep(node, m.G)
		r.commit = max(r.commit, m.Slot)
		s.apply(node, m.G)
		s.promise(node, m.G, m.A, m.Ts)
		if (r.have < r.commit || r.rejoined && r.have < m.A) && !r.catching {
			r.catching, r.rejoined = true, false
			s.nt.Send(node, from, kCatchup, msg{G: m.G, Slot: r.have, B: r.ballot})
		}
	case kSafeReq:
		s.safeRequest(node, from, m.G, m.Ts)
	case kSafeReply:
		s.promise(node, m.G, m.Slot, m.Ts)
	case kCatchup:
		s.catchup(node, from, m.G, m.Slot)
	}
}

// atClient: a reply reached its client; the transaction is over.
func (s *Sim) atClient(i int32) {
	w := s.nt.World()
	s.last = max(s.last, w.Now())
	req, g := s.txns[i].req, s.txns[i].group
	if s.txns[i].write {
		s.rwHist.RecordValue(int64(w.Now() - req.Sent))
	} else {
		s.roHist.RecordValue(int64(w.Now() - req.Sent))
	}
	s.release(i)
	s.done++
	w.Complete(req, harness.Outcome{Shard: g})
}

// lock takes the transaction's key lock at the leader (a FIFO queue per
// key; wound-wait is not modelled) and commits it once held.
func (s *Sim) lock(i int32) {
	key := s.txns[i].key
	l := s.locks[key]
	if l == nil {
		l = &keyLock{}
		s.locks[key] = l
	}
	if l.held {
		s.lockWaits++
		l.queue = append(l.queue, i)
		return
	}
	l.held = true
	s.commit(i)
}

// unlock releases a finished writer's lock and commits the next waiter.
func (s *Sim) unlock(key uint64) {
	l := s.locks[key]
	if len(l.queue) == 0 {
		delete(s.locks, key)
		return
	}
	next := l.queue[0]
	l.queue = l.queue[1:]
	s.commit(next)
}

// pick reads TT.now() on node and accounts ε.
func (s *Sim) pick(node int, now time.Duration) time.Duration {
	c := s.clocks[node]
	s.epsSum += float64(c.Epsilon(now))
	s.epsN++
	_, latest := c.Now(now)
	return latest
}

// commit runs a writer that holds its lock at the leader (§4.1.2): pick
// s ≥ TT.now().latest (and above every timestamp the leader gave or
// promised), append it to the Paxos log, and start commit wait beside the
// replication.
func (s *Sim) commit(i int32) {
	t := &s.txns[i]
	g := &s.groups[t.group]
	now := s.nt.World().Now()
	ts := max(s.pick(g.leader, now), g.lastTs+1)
	g.lastTs = ts
	t.s, t.picked = ts, now
	s.checkWrite(t, g)
	if s.cfg.CommitWait {
		t.cwEnd = s.clocks[g.leader].AfterTime(ts, now)
		s.nt.After(g.leader, t.cwEnd-now, s.cwFn, nil, int64(i))
	} else {
		t.cwDone = true
	}
	// Last: without a disk and with one node, Paxos is done inside
	// propose, and the reply may go at once.
	t.slot = s.propose(t.group, ts, i)
}

// commitWaited: TT.after(s) holds at the leader.
func (s *Sim) commitWaited(_ *harness.World, _ *harness.Request, arg int64) {
	t := &s.txns[arg]
	t.cwDone = true
	s.finish(int32(arg))
}

// committed: Paxos has the write's slot on a majority of disks.
func (s *Sim) committed(i int32) {
	t := &s.txns[i]
	t.paxosOK, t.paxosAt = true, s.nt.World().Now()
	s.finish(i)
}

// finish replies once both the Paxos write and commit wait are done: the
// reply goes at max(Paxos done, TT.after(s)), as in the paper's Figure 3.
func (s *Sim) finish(i int32) {
	t := &s.txns[i]
	if !t.cwDone || !t.paxosOK || t.replied {
		return
	}
	t.replied = true
	if s.cfg.CommitWait {
		s.cwHist.RecordValue(int64(max(1, t.cwEnd-t.picked)))
		s.cwSum += t.cwEnd - t.picked
		s.cwExposedSum += max(0, t.cwEnd-t.paxosAt)
	}
	s.acked(t)
	s.nt.ToClient(int(t.node), kReply, msg{G: t.group, Txn: i})
	s.unlock(t.key)
}

// Metrics reports the family figures; durations in milliseconds.
func (s *Sim) Metrics() map[string]float64 {
	ms := func(d float64) float64 { return d / 1e6 }
	m := algorithms.ClusterMetrics(s.nt, s.done, s.last)
	for k, v := range map[string]float64{
		"rw_txns":                         float64(s.writes),
		"ro_txns":                         float64(s.reads),
		"lock_waits":                      float64(s.lockWaits),
		"safe_time_waits":                 float64(s.safeWaits),
		"reads_leader":                    float64(s.readsLeader),
		"reads_replica":                   float64(s.readsReplica),
		"external_consistency_violations": float64(s.violations),
		"snapshot_violations":             float64(s.snapshotViolations),
		"elections":                       float64(s.elections),
		"txn_failed":                      float64(s.failed),
		"epsilon_theory_mean":             ms(float64(s.cfg.TT.MeanEpsilon())),
	} {
		m[k] = v
	}
	if s.epsN > 0 {
		m["epsilon_mean"] = ms(s.epsSum / float64(s.epsN))
	}
	if n := s.cwHist.TotalCount(); n > 0 {
		m["commit_wait_ms"] = ms(float64(s.cwSum) / float64(n))
		m["commit_wait_ms_p99"] = ms(float64(s.cwHist.ValueAtQuantile(99)))
		m["commit_wait_ms_max"] = ms(float64(s.cwHist.Max()))
		m["commit_wait_exposed_ms"] = ms(float64(s.cwExposedSum) / float64(n))
	}
	for name, h := range map[string]*hdr.Histogram{"rw": s.rwHist, "ro": s.roHist} {
		if h.TotalCount() > 0 {
			m[name+"_latency_ms"] = ms(h.Mean())
			m[name+"_latency_ms_p99"] = ms(float64(h.ValueAtQuantile(99)))
		}
	}
	if len(s.failovers) > 0 {
		var sum, hi time.Duration
		for _, f := range s.failovers {
			sum += f
			hi = max(hi, f)
		}
		m["failover_ms"] = ms(float64(sum) / float64(len(s.failovers)))
		m["failover_ms_max"] = ms(float64(hi))
	}
	if s.stwHist.TotalCount() > 0 {
		m["safe_time_wait_ms"] = ms(s.stwHist.Mean())
		m["safe_time_wait_ms_p99"] = ms(float64(s.stwHist.ValueAtQuantile(99)))
	}
	return m
}

var _ harness.SimTarget = (*Sim)(nil)
var _ harness.SimSetup = (*Sim)(nil)
var _ harness.Metricser = (*Sim)(nil)
