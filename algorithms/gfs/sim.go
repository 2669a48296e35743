package gfs

import (
	"errors"
	"github.com/dsbench/dsbench/algorithms/internal/slots"
	"slices"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
)

// Errors of failed ops.
var (
	ErrFailed   = errors.New("gfs: the op failed after every retry")
	ErrTooLarge = errors.New("gfs: a record append is larger than a quarter of a chunk")
	ErrLost     = errors.New("gfs: record append failed and append_retries=false")
)

// GFS ops.
const (
	opRead uint8 = iota
	opWrite
	opAppend
)

// Mutation kinds in a replica's log.
const (
	mutWrite uint8 = iota
	mutAppend
	mutPad
)

// Message kinds.
const (
	mLookup         simnet.Kind = iota // client → master: where is a chunk (and who holds its lease)
	mLookupReply                       // master → client
	mRead                              // client → chunkserver: read a range (the data comes back as a stream)
	mReadErr                           // chunkserver → client: no such replica
	mPushAck                           // last chunkserver of a push chain → client: every replica holds the data
	mWrite                             // client → primary: apply the data pushed as id
	mWriteReply                        // primary → client
	mApply                             // primary → secondary: apply mutation serial
	mApplied                           // secondary → primary
	mGrant                             // master → replica: version, lease holder, expiry, replica list
	mHeartbeat                         // chunkserver → master: alive; lease extensions wanted; chunk report after a restart
	mHeartbeatReply                    // master → chunkserver: leases extended
	mClone                             // master → chunkserver: copy a chunk from a replica
	mCloneReq                          // new replica → source: send me the chunk
	mCloneDone                         // new replica → master
	mDelete                            // master → chunkserver: drop a stale replica
	mSync                              // primary → a replica a clone added: the chunk's state now
)

var kindNames = []string{"lookup", "lookup_reply", "read", "read_err", "push_ack", "write", "write_reply", "apply", "applied",
	"grant", "heartbeat", "heartbeat_reply", "clone", "clone_req", "clone_done", "delete", "sync"}

// Reply codes.
const (
	codeOK uint8 = iota
	codeNotPrimary
	codeNoData
	codeFailed
	codeChunkFull
	codeNoReplica
)

// msg is every message's payload (copied by value).
type msg struct {
	op      int32 // client index, or pending mutation index (mApply/mApplied)
	gen     uint32
	chunk   int32
	file    int32 // append file (lookup), or list index (heartbeat)
	idx     int32 // chunk index within the append file (lookup); grant: the replica a clone added (−1 none)
	id      uint64
	rec     uint64
	off, n  int64
	serial  uint64
	ver     uint32
	exp     time.Duration
	code    uint8
	mut     uint8
	lease   bool
	primary int16
	nrep    uint8
	reps    [maxReps]int16
}

// entry is one mutation in a replica's log (Config.Record).
type entry struct {
	id, rec uint64
	serial  uint64
	mut     uint8
	off, n  int64
}

type replica struct {
	ver     uint32
	length  int64
	serial  uint64
	log     []entry          // Record
	regions map[int64]region // Record: write offset → the write there
	// Volatile (lost on a crash): the lease, if this replica is primary.
	primary  bool
	leaseExp time.Duration
	nrep     uint8
	reps     [maxReps]int16 // the chunk's replicas, from the grant
	mutated  bool           // since the last heartbeat: ask for an extension
}

type region struct {
	id     uint64
	serial uint64
}

// pushed is data a client pushed, held until a mutation applies it or it
// ages out (the paper's LRU buffer cache).
type pushed struct {
	n  int64
	at time.Duration
}

type server struct {
	reps map[int32]*replica
	buf  map[uint64]pushed // pushed data by id (volatile)
	prim []int32           // chunks it holds a lease on (volatile)
}

// chunk is the master's record of a chunk.
type chunk struct {
	ver      uint32
	nrep     uint8
	reps     [maxReps]int16
	primary  int16
	leaseExp time.Duration
	// grantedAt is when the current lease was granted.
	grantedAt time.Duration
	leased    bool // in the master's list of leases
	length    int64
	under     bool // queued for re-replication
	cloning   int16
}

// pend is a mutation at its primary, waiting for its secondaries.
type pend struct {
	client int32
	cgen   uint32
	gen    uint32
	home   int16 // the primary
	chunk  int32
	need   int
	failed bool
	active bool
	off    int64
	serial uint64
	id     uint64
	mut    uint8
}

// cop is the op a client machine is running.
type cop struct {
	req       *harness.Request
	op        uint8
	gen       uint32
	attempt   int
	pos       int64 // read/write: next byte in the file set
	remaining int64
	size      int64
	chunk     int32
	off, n    int64
	file      int32
	idx       int32 // append: chunk index in the file
	rec       uint64
	id        uint64
	expect    uint64 // Record: serial of the last acked write at the read's start
	// redirected: the primary refused (no lease) and the client asked the
	// master again in this step.
	redirected bool
	shard      int32 // the chunkserver that served the op's last step (the report's shard)
}

type loc struct {
	ver      uint32
	primary  int16
	leaseExp time.Duration
	nrep     uint8
	reps     [maxReps]int16
}

type client struct {
	busy   bool
	cur    cop
	cache  map[int32]loc
	append map[int32][2]int32 // file → (index, chunk) of its last chunk
}

type clone struct {
	chunk   int32
	dst     int16
	started time.Duration
}

// Sim is a GFS cluster in virtual time: a master (node Chunkservers), the
// chunkservers (nodes 0 … Chunkservers−1) and the client machines (the
// nodes after the master) on one simulated network with link bandwidths.
type Sim struct {
	cfg     Config
	w       *harness.World
	net     *simnet.Net[msg]
	nodes   int
	master  int
	servers []server
	sw      []int

	// master state
	chunks    []chunk
	dataset   int32 // chunks 0 … dataset−1 hold the file set
	files     [][]int32
	lastHB    []time.Duration
	declared  []time.Duration // when the master last declared each server dead (−1: never)
	dead      []bool
	count     []int // chunks per server
	leases    []int32
	underQ    []int32
	clonesOn  []clone
	lastGrant int16
	lists     [][]int64
	lfree     slots.Free
	snaps     [][]entry // Record: replica logs carried by sync messages

	clients []client
	ready   []*harness.Request // ops waiting for a free client (FIFO)
	rhead   int
	idle    []int32
	pends   []pend
	pfree   slots.Free
	nextID  uint64
	record  map[uint64]uint16 // append record → times applied by a primary

	// Record: acknowledged mutations and the last acked write per region.
	acked     map[uint64]int32 // mutation id → chunk
	lastWrite map[[2]int64]uint64

	hbFn, masterFn, cTimeoutFn, pTimeoutFn, readDoneFn, pushDoneFn, cloneDoneFn, retryFn harness.EventFunc
	chain                                                                                []int

	// brokenApply (tests) makes secondaries acknowledge every fifth
	// mutation without applying it: the replica checker must catch it.
	brokenApply bool
	// noSync (tests) skips the primary's sync of a cloned replica: the
	// mutations between the clone's snapshot and the primary learning of
	// the new replica are lost on it, which the checker must catch.
	noSync bool

	// Counters.
	started                                 bool
	first, last                             time.Duration
	readBytes, writeBytes, appendBytes      int64
	duplicates, padding, masterOps          uint64
	rereplicated, leaseExpiries, leaseGrant uint64
	retries, failed, staleReads, redirects  uint64
	opsDone                                 uint64
}

// New builds a cluster; Setup puts it on a World.
func New(cfg Config) (*Sim, error) {
	if cfg.Clients < 1 {
		cfg.Clients = 1
	}
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	s := &Sim{cfg: cfg, master: cfg.Chunkservers, nodes: cfg.Chunkservers + 1 + cfg.Clients}
	if _, err := s.newNet(harness.NewWorld(0, nil)); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Sim) newNet(w *harness.World) (*simnet.Net[msg], error) {
	c := s.cfg.Cluster.Net
	c.Nodes, c.FaultNodes, c.KindNames = s.nodes, s.cfg.Chunkservers, kindNames
	if f := simnet.SlowFactors(s.cfg.Cluster.Slow, s.cfg.Chunkservers, w.Rand()); f != nil {
		c.Slow = append(f, make([]float64, s.nodes-len(f))...)
	}
	nt, err := simnet.New[msg](w, c)
	if err != nil {
		return nil, err
	}
	s.sw = make([]int, s.nodes)
	for i := range s.sw {
		switch {
		case i < s.cfg.Chunkservers:
			s.sw[i] = i % s.cfg.Racks
		case i == s.master:
			s.sw[i] = 0
		default:
			s.sw[i] = s.cfg.Racks // the clients' switch
		}
	}
	if err := nt.SetFabric(simnet.FabricConfig{NIC: s.cfg.LinkBW, Switch: s.cfg.SwitchBW, SwitchOf: s.sw, Packet: s.cfg.Packet}); err != nil {
		return nil, err
	}
	return nt, nil
}

// Setup builds the network on w, places the file set's chunks and starts
// the heartbeats and the master's timer.
func (s *Sim) Setup(w *harness.World) {
	nt, err := s.newNet(w)
	if err != nil {
		panic(err) // checked by New
	}
	s.w, s.net = w, nt
	cfg := s.cfg
	n := cfg.Chunkservers
	s.servers = make([]server, n)
	for i := range s.servers {
		s.servers[i] = server{reps: map[int32]*replica{}, buf: map[uint64]pushed{}}
		nt.Handle(i, s.onServer)
	}
	nt.Handle(s.master, s.onMaster)
	s.clients = make([]client, cfg.Clients)
	for i := range s.clients {
		s.clients[i] = client{cache: map[int32]loc{}, append: map[int32][2]int32{}}
		nt.Handle(s.master+1+i, s.onClient)
		s.idle = append(s.idle, int32(cfg.Clients-1-i))
	}
	s.lastHB, s.dead, s.count = make([]time.Duration, n), make([]bool, n), make([]int, n)
	s.declared = make([]time.Duration, n)
	for i := range s.declared {
		s.declared[i] = -1
	}
	s.files = make([][]int32, cfg.AppendFiles)
	s.record = map[uint64]uint16{}
	s.lastGrant = -1
	if cfg.Record {
		s.acked, s.lastWrite = map[uint64]int32{}, map[[2]int64]uint64{}
	}
	s.hbFn, s.masterFn, s.cTimeoutFn, s.pTimeoutFn = s.heartbeat, s.masterTick, s.clientTimeout, s.primaryTimeout
	s.readDoneFn, s.pushDoneFn, s.cloneDoneFn, s.retryFn = s.readDone, s.pushDone, s.cloneDone, s.retry
	nt.OnCrash, nt.OnRestart = s.crashed, s.restarted
	nt.Leader = func() int {
		if s.lastGrant >= 0 && nt.Up(int(s.lastGrant)) {
			return int(s.lastGrant)
		}
		return -1
	}
	s.dataset = int32(cfg.Dataset / cfg.ChunkSize)
	for c := int32(0); c < s.dataset; c++ {
		s.newChunk(cfg.ChunkSize)
	}
	for i := 0; i < n; i++ {
		w.At(time.Duration(w.Rand().Int64N(int64(cfg.Heartbeat))), s.hbFn, nil, int64(i))
	}
	w.After(cfg.Heartbeat, s.masterFn, nil, 0)
	if err := nt.Schedule(cfg.Cluster.Faults); err != nil {
		panic(err) // checked by ConfigFrom
	}
}

// --- master -------------------------------------------------------------

// place picks Replicas distinct live chunkservers for a new chunk, spread
// over as many racks as it can, the emptiest first among a random order.
func (s *Sim) place(exclude []int16, want int) []int16 {
	n := s.cfg.Chunkservers
	order := s.w.Rand().Perm(n)
	slices.SortStableFunc(order, func(a, b int) int { return s.count[a] - s.count[b] })
	var out []int16
	usedRack := make([]bool, s.cfg.Racks+1)
	for _, e := range exclude {
		usedRack[s.sw[e]] = true
	}
	for pass := 0; pass < 2 && len(out) < want; pass++ {
		for _, c := range order {
			if len(out) == want {
				break
			}
			if !s.alive(c) || slices.Contains(exclude, int16(c)) || slices.Contains(out, int16(c)) {
				continue
			}
			if pass == 0 && usedRack[s.sw[c]] {
				continue
			}
			usedRack[s.sw[c]] = true
			out = append(out, int16(c))
		}
	}
	return out
}

// newChunk creates a chunk of length bytes on fresh replicas.
func (s *Sim) newChunk(length int64) int32 {
	id := int32(len(s.chunks))
	c := chunk{ver: 1, primary: -1, length: length, cloning: -1}
	for _, r := range s.place(nil, s.cfg.Replicas) {
		c.reps[c.nrep] = r
		c.nrep++
		s.count[r]++
		s.servers[r].reps[id] = s.newReplica(1, length)
	}
	s.chunks = append(s.chunks, c)
	return id
}

func (s *Sim) newReplica(ver uint32, length int64) *replica {
	r := &replica{ver: ver, length: length}
	if s.cfg.Record {
		r.regions = map[int64]region{}
	}
	return r
}

func (s *Sim) onMaster(m *simnet.Msg[msg]) {
	p := &m.Payload
	switch m.Kind {
	case mLookup:
		s.masterOps++
		s.answerLookup(m.From, p)
	case mHeartbeat:
		s.onHeartbeat(m.From, p)
	case mCloneDone:
		s.onCloneDone(m.From, p)
	}
}

// answerLookup answers a client: the chunk (an append file's chunk idx, created
// if it is the next one), its replicas and, for a mutation, the lease
// holder (granting a lease if none is valid).
func (s *Sim) answerLookup(from int, p *msg) {
	r := msg{op: p.op, gen: p.gen, chunk: p.chunk, file: p.file, idx: p.idx, primary: -1}
	if p.file >= 0 {
		f := s.files[p.file]
		switch {
		case p.idx >= 0 && int(p.idx) < len(f):
		case int(p.idx) == len(f) || len(f) == 0:
			p.idx = int32(len(f))
			s.files[p.file] = append(f, s.newChunk(0))
		default: // the client does not know the file's last chunk
			p.idx = int32(len(f) - 1)
		}
		r.idx = p.idx
		r.chunk = s.files[p.file][p.idx]
	}
	c := &s.chunks[r.chunk]
	if c.nrep == 0 {
		r.code = codeNoReplica
		s.net.Send(s.master, from, mLookupReply, r)
		return
	}
	if p.lease {
		s.ensureLease(r.chunk)
		if c.primary < 0 {
			r.code = codeNoReplica
			s.net.Send(s.master, from, mLookupReply, r)
			return
		}
	}
	r.ver, r.primary, r.exp, r.nrep, r.reps = c.ver, c.primary, c.leaseExp, c.nrep, c.reps
	s.net.Send(s.master, from, mLookupReply, r)
}

// ensureLease grants a lease on chunk ci if none is valid: a live replica
// becomes primary, the chunk's version goes up and every replica is told.
func (s *Sim) ensureLease(ci int32) {
	c := &s.chunks[ci]
	now := s.w.Now()
	if c.primary >= 0 && now < c.leaseExp {
		// A client asks because the lease has less than a step's time
		// left: extend it if its holder is alive (heartbeats on time).
		if c.leaseExp-now < s.margin() && s.alive(int(c.primary)) {
			c.leaseExp = now + s.cfg.Lease
			s.grant(ci)
		}
		return
	}
	if c.primary >= 0 {
		s.expire(ci)
	}
	var live []int16
	for _, r := range c.reps[:c.nrep] {
		if s.alive(int(r)) {
			live = append(live, r)
		}
	}
	if len(live) == 0 {
		return
	}
	c.primary = live[s.w.Rand().IntN(len(live))]
	c.grantedAt = now
	c.ver++
	c.leaseExp = now + s.cfg.Lease
	s.leaseGrant++
	s.lastGrant = c.primary
	if !c.leased {
		c.leased = true
		s.leases = append(s.leases, ci)
	}
	s.grant(ci)
}

// alive: the master counts server i as up — not declared dead, and its
// last heartbeat at most two periods ago. Only such servers get leases,
// new chunks and clones.
func (s *Sim) alive(i int) bool {
	return !s.dead[i] && s.w.Now()-s.lastHB[i] <= 2*s.cfg.Heartbeat
}

// bufTTL is how long a chunkserver keeps pushed data no mutation used.
func (s *Sim) bufTTL() time.Duration { return 4*s.cfg.Timeout + 4*s.cfg.Heartbeat }

// margin is the lease time a client wants left before it uses a cached
// lease (Config.Timeout, at most a quarter of the lease); with less, it
// asks the master, which extends a live holder's lease.
func (s *Sim) margin() time.Duration { return min(s.cfg.Timeout, s.cfg.Lease/4) }

// grant tells every replica of ci the chunk's version, lease and replicas.
func (s *Sim) grant(ci int32) { s.grantAdded(ci, -1) }

// grantAdded is grant naming a replica a clone just added: the primary
// brings it up to date (sync) before forwarding it any mutation.
func (s *Sim) grantAdded(ci int32, added int16) {
	c := &s.chunks[ci]
	g := msg{chunk: ci, ver: c.ver, primary: c.primary, exp: c.leaseExp, nrep: c.nrep, reps: c.reps, idx: int32(added)}
	for _, r := range c.reps[:c.nrep] {
		s.net.Send(s.master, int(r), mGrant, g)
	}
}

// expire ends ci's lease at the master; a lease whose holder went silent
// (missed heartbeats, or was declared dead since the grant) counts as an
// expiry: the master had to wait it out.
func (s *Sim) expire(ci int32) {
	c := &s.chunks[ci]
	h := c.primary
	if h < 0 {
		return
	}
	if !s.alive(int(h)) || s.declared[h] >= c.grantedAt {
		s.leaseExpiries++
	}
	c.primary = -1
}

func (s *Sim) onHeartbeat(from int, p *msg) {
	now := s.w.Now()
	s.lastHB[from] = now
	list := s.lists[p.file]
	if p.mut == 1 { // a chunk report (after a restart, or asked for): (chunk, version) pairs
		s.dead[from] = false
		for i := 0; i+1 < len(list); i += 2 {
			ci, ver := int32(list[i]), uint32(list[i+1])
			c := &s.chunks[ci]
			k := slices.Index(c.reps[:c.nrep], int16(from))
			if k >= 0 && ver < c.ver {
				// Listed but stale (it missed a version change while
				// down): drop it from the replicas and re-replicate.
				s.dropReplica(ci, k)
				k = -1
			}
			if k < 0 {
				// Stale, or dropped while its server was down: garbage.
				s.net.Send(s.master, from, mDelete, msg{chunk: ci})
			}
		}
		// A server that reports has restarted or was cut off: it holds no
		// lease any more (a restart loses them; a cut-off primary's ran
		// out unextended), so its leases end now.
		for _, ci := range s.leases {
			if c := &s.chunks[ci]; c.primary == int16(from) && (p.idx == 1 || now >= c.leaseExp) {
				c.primary = -1
			}
		}
		s.freeList(p.file)
		return
	}
	if s.dead[from] {
		// Back from a partition: ask for its chunks (the master dropped
		// them when it declared it dead).
		s.freeList(p.file)
		s.net.Send(s.master, from, mHeartbeatReply, msg{file: -1, mut: 1})
		return
	}
	// Lease extensions, piggybacked.
	n := 0
	for _, ci := range list {
		c := &s.chunks[ci]
		if c.primary == int16(from) && now < c.leaseExp {
			c.leaseExp = now + s.cfg.Lease
			list[n] = ci
			n++
		}
	}
	s.lists[p.file] = list[:n]
	if n == 0 {
		s.freeList(p.file)
		return
	}
	s.net.Send(s.master, from, mHeartbeatReply, msg{file: p.file, exp: now + s.cfg.Lease})
}

// masterTick runs every heartbeat: it declares silent chunkservers dead,
// lets unextended leases lapse, and starts re-replications.
func (s *Sim) masterTick(w *harness.World, _ *harness.Request, _ int64) {
	now := w.Now()
	for i := range s.dead {
		if !s.dead[i] && now-s.lastHB[i] > s.cfg.HeartbeatTimeout {
			s.declareDead(i)
		}
	}
	keep := s.leases[:0]
	for _, ci := range s.leases {
		c := &s.chunks[ci]
		if c.primary >= 0 && now >= c.leaseExp {
			s.expire(ci)
		}
		if c.primary >= 0 {
			keep = append(keep, ci)
		} else {
			c.leased = false
		}
	}
	s.leases = keep
	s.replicate()
	w.After(s.cfg.Heartbeat, s.masterFn, nil, 0)
}

// declareDead drops server i from every chunk's replicas and queues the
// chunks left under-replicated.
func (s *Sim) declareDead(i int) {
	s.dead[i] = true
	s.declared[i] = s.w.Now()
	for ci := range s.chunks {
		if k := slices.Index(s.chunks[ci].reps[:s.chunks[ci].nrep], int16(i)); k >= 0 {
			s.dropReplica(int32(ci), k)
		}
	}
}

// dropReplica removes replica k from chunk ci's list, tells the lease
// holder and queues the chunk for re-replication.
func (s *Sim) dropReplica(ci int32, k int) {
	c := &s.chunks[ci]
	i := c.reps[k]
	copy(c.reps[k:], c.reps[k+1:c.nrep])
	c.nrep--
	c.reps[c.nrep] = 0
	s.count[i]--
	if c.primary >= 0 && c.primary != i && s.w.Now() < c.leaseExp {
		s.grant(ci) // the primary's replica list changed
	}
	s.queueUnder(ci)
}

func (s *Sim) queueUnder(ci int32) {
	c := &s.chunks[ci]
	if !c.under && int(c.nrep) < s.cfg.Replicas && c.nrep > 0 {
		c.under = true
		s.underQ = append(s.underQ, ci)
	}
}

// replicate drops clones that took too long and starts new ones, the
// chunks with the fewest replicas first.
func (s *Sim) replicate() {
	now := s.w.Now()
	keep := s.clonesOn[:0]
	for _, cl := range s.clonesOn {
		c := &s.chunks[cl.chunk]
		limit := 10*s.cfg.Timeout + time.Duration(4*float64(c.length)/s.cfg.LinkBW*1e9)
		if now-cl.started > limit || s.dead[cl.dst] {
			c.cloning = -1
			s.queueUnder(cl.chunk)
			continue
		}
		keep = append(keep, cl)
	}
	s.clonesOn = keep
	for len(s.clonesOn) < s.cfg.Clones && len(s.underQ) > 0 {
		best := 0
		for i, ci := range s.underQ {
			if s.chunks[ci].nrep < s.chunks[s.underQ[best]].nrep {
				best = i
			}
		}
		ci := s.underQ[best]
		s.underQ = slices.Delete(s.underQ, best, best+1)
		c := &s.chunks[ci]
		c.under = false
		if int(c.nrep) >= s.cfg.Replicas || c.nrep == 0 || c.cloning >= 0 {
			continue
		}
		dst := s.place(c.reps[:c.nrep], 1)
		if len(dst) == 0 {
			continue
		}
		src := c.reps[s.w.Rand().IntN(int(c.nrep))]
		c.cloning = dst[0]
		s.clonesOn = append(s.clonesOn, clone{chunk: ci, dst: dst[0], started: now})
		s.net.Send(s.master, int(dst[0]), mClone, msg{chunk: ci, primary: src, ver: c.ver})
	}
}

func (s *Sim) onCloneDone(from int, p *msg) {
	c := &s.chunks[p.chunk]
	i := slices.IndexFunc(s.clonesOn, func(cl clone) bool { return cl.chunk == p.chunk && cl.dst == int16(from) })
	if i < 0 {
		return
	}
	s.clonesOn = slices.Delete(s.clonesOn, i, i+1)
	c.cloning = -1
	if s.dead[from] || p.ver != c.ver || slices.Contains(c.reps[:c.nrep], int16(from)) || int(c.nrep) >= s.cfg.Replicas {
		s.queueUnder(p.chunk)
		return
	}
	c.reps[c.nrep] = int16(from)
	c.nrep++
	s.count[from]++
	s.rereplicated++
	if c.primary >= 0 && s.w.Now() < c.leaseExp {
		s.grantAdded(p.chunk, int16(from))
	}
	s.queueUnder(p.chunk)
}

func (s *Sim) newList() int32 { return slots.Take(&s.lfree, &s.lists) }

func (s *Sim) freeList(i int32) {
	s.lists[i] = s.lists[i][:0]
	s.lfree.Put(i)
}

// --- chunkservers -------------------------------------------------------

// heartbeat sends server i's heartbeat, asking to extend the leases of the
// chunks it mutated since the last one.
func (s *Sim) heartbeat(w *harness.World, _ *harness.Request, arg int64) {
	i := int(arg)
	sv := &s.servers[i]
	// Pushed data no write request claimed (the write failed) ages out.
	for id, d := range sv.buf {
		if w.Now()-d.at > s.bufTTL() {
			delete(sv.buf, id)
		}
	}
	li := s.newList()
	keep := sv.prim[:0]
	for _, ci := range sv.prim {
		r := sv.reps[ci]
		if r == nil || !r.primary || w.Now() >= r.leaseExp {
			if r != nil {
				r.primary = false
			}
			continue
		}
		keep = append(keep, ci)
		if r.mutated {
			r.mutated = false
			s.lists[li] = append(s.lists[li], int64(ci))
		}
	}
	sv.prim = keep
	if !s.net.Send(i, s.master, mHeartbeat, msg{file: li}) {
		s.freeList(li)
	}
	s.net.After(i, s.cfg.Heartbeat, s.hbFn, nil, arg)
}

func (s *Sim) crashed(i int) {
	if i >= s.cfg.Chunkservers {
		return
	}
	sv := &s.servers[i]
	clear(sv.buf)
	for _, r := range sv.reps {
		r.primary, r.mutated = false, false
	}
	sv.prim = sv.prim[:0]
	for pi := range s.pends {
		if pd := &s.pends[pi]; pd.active && int(pd.home) == i {
			pd.active = false
			s.pfree.Put(int32(pi))
		}
	}
}

// restarted: the chunkserver's disk kept its chunks; it reports them to
// the master (which drops the stale ones) and resumes its heartbeats.
func (s *Sim) restarted(i int) {
	if i >= s.cfg.Chunkservers {
		return
	}
	s.report(i, true)
	s.net.After(i, s.cfg.Heartbeat, s.hbFn, nil, int64(i))
}

// report sends server i's chunks and their versions to the master
// (restarted: it lost its leases, which the master may end at once).
func (s *Sim) report(i int, restarted bool) {
	sv := &s.servers[i]
	li := s.newList()
	ids := make([]int32, 0, len(sv.reps))
	for ci := range sv.reps {
		ids = append(ids, ci)
	}
	slices.Sort(ids)
	for _, ci := range ids {
		s.lists[li] = append(s.lists[li], int64(ci), int64(sv.reps[ci].ver))
	}
	m := msg{file: li, mut: 1}
	if restarted {
		m.idx = 1
	}
	if !s.net.Send(i, s.master, mHeartbeat, m) {
		s.freeList(li)
	}
}

func (s *Sim) onServer(m *simnet.Msg[msg]) {
	i := m.To
	sv := &s.servers[i]
	p := &m.Payload
	switch m.Kind {
	case mGrant:
		r := sv.reps[p.chunk]
		if r == nil || p.ver < r.ver {
			return
		}
		r.ver, r.nrep, r.reps = p.ver, p.nrep, p.reps
		if p.primary == int16(i) && p.idx >= 0 && int(p.idx) != i && r.primary && !s.noSync {
			// A clone added a replica: send it this replica's state (the
			// serialization point) before any mutation; links are FIFO.
			sync := msg{chunk: p.chunk, ver: r.ver, off: r.length, serial: r.serial, file: -1}
			if s.cfg.Record {
				sync.file = int32(len(s.snaps))
				s.snaps = append(s.snaps, slices.Clone(r.log))
			}
			s.net.Send(i, int(p.idx), mSync, sync)
		}
		if p.primary == int16(i) {
			if !r.primary {
				sv.prim = append(sv.prim, p.chunk)
			}
			r.primary, r.leaseExp = true, p.exp
		} else {
			r.primary = false
		}
	case mHeartbeatReply:
		if p.mut == 1 { // the master asks for a chunk report
			s.report(i, false)
			return
		}
		for _, ci := range s.lists[p.file] {
			if r := sv.reps[int32(ci)]; r != nil && r.primary {
				r.leaseExp = max(r.leaseExp, p.exp)
			}
		}
		s.freeList(p.file)
	case mRead:
		r := sv.reps[p.chunk]
		if r == nil || r.ver < p.ver {
			s.net.Send(i, m.From, mReadErr, msg{op: p.op, gen: p.gen})
			return
		}
		if r.regions != nil {
			s.checkRead(r, p)
		}
		s.chain = append(s.chain[:0], i, m.From)
		s.net.Stream(s.chain, p.n, s.readDoneFn, nil, int64(p.op)|int64(p.gen)<<32)
	case mWrite:
		s.onWrite(i, m.From, p)
	case mApply:
		s.onApply(i, m.From, p)
	case mApplied:
		s.onApplied(p)
	case mClone:
		s.net.Send(i, int(p.primary), mCloneReq, msg{chunk: p.chunk, ver: p.ver, primary: int16(i)})
	case mCloneReq:
		r := sv.reps[p.chunk]
		if r == nil || r.ver != p.ver {
			return
		}
		s.chain = append(s.chain[:0], i, int(p.primary))
		s.net.Stream(s.chain, max(r.length, 1), s.cloneDoneFn, nil, int64(p.chunk)|int64(i)<<32|int64(p.primary)<<48)
	case mDelete:
		delete(sv.reps, p.chunk)
	case mSync:
		r := sv.reps[p.chunk]
		if r == nil || p.ver < r.ver {
			return
		}
		r.ver, r.length, r.serial = p.ver, p.off, p.serial
		if p.file >= 0 {
			r.log = s.snaps[p.file]
			s.snaps[p.file] = nil
			clear(r.regions)
			for _, e := range r.log {
				if e.mut == mutWrite {
					r.regions[e.off] = region{id: e.id, serial: e.serial}
				}
			}
		}
	}
}

// cloneDone: the new replica holds the chunk's bytes; it copies the
// source's state (version, length, log) and tells the master.
func (s *Sim) cloneDone(_ *harness.World, _ *harness.Request, arg int64) {
	ci, src, dst := int32(arg&0xffffffff), int(arg>>32&0xffff), int(arg>>48)
	from := s.servers[src].reps[ci]
	if from == nil || !s.net.Up(dst) {
		return
	}
	r := s.newReplica(from.ver, from.length)
	r.serial = from.serial
	if s.cfg.Record {
		r.log = slices.Clone(from.log)
		for k, v := range from.regions {
			r.regions[k] = v
		}
	}
	s.servers[dst].reps[ci] = r
	s.net.Send(dst, s.master, mCloneDone, msg{chunk: ci, ver: r.ver})
}

// onWrite is the primary ordering a mutation: it checks its lease and the
// pushed data, picks the offset of a record append (padding the chunk and
// sending the client to the next one if the record does not fit), applies
// it under the next serial number and forwards it to the secondaries.
func (s *Sim) onWrite(i, from int, p *msg) {
	sv := &s.servers[i]
	r := sv.reps[p.chunk]
	reply := msg{op: p.op, gen: p.gen, chunk: p.chunk}
	switch {
	case r == nil || !r.primary || s.w.Now() >= r.leaseExp || r.ver != p.ver:
		reply.code = codeNotPrimary
	case sv.buf[p.id].n != p.n:
		reply.code = codeNoData
	}
	if reply.code != codeOK {
		s.net.Send(i, from, mWriteReply, reply)
		return
	}
	off := p.off
	if p.mut == mutAppend {
		if r.length+p.n > s.cfg.ChunkSize {
			pad := s.cfg.ChunkSize - r.length
			s.padding += uint64(pad)
			s.mutate(i, r, p.chunk, mutPad, 0, 0, r.length, pad, -1, 0)
			reply.code = codeChunkFull
			s.net.Send(i, from, mWriteReply, reply)
			return
		}
		off = r.length
		if s.record[p.rec] > 0 {
			s.duplicates++
		}
		s.record[p.rec]++
	}
	delete(sv.buf, p.id)
	pi := s.mutate(i, r, p.chunk, p.mut, p.id, p.rec, off, p.n, p.op, p.gen)
	if pi < 0 {
		reply.off, reply.serial = off, r.serial
		s.net.Send(i, from, mWriteReply, reply)
	}
}

// mutate applies a mutation at the primary and forwards it; it returns the
// pending index, or −1 when nothing waits for the secondaries (there are
// none, or the mutation is a pad no client waits for).
func (s *Sim) mutate(i int, r *replica, ci int32, mut uint8, id, rec uint64, off, n int64, client int32, cgen uint32) int32 {
	r.serial++
	r.mutated = true
	s.apply(r, entry{id: id, rec: rec, serial: r.serial, mut: mut, off: off, n: n})
	pi := slots.Take(&s.pfree, &s.pends)
	pd := &s.pends[pi]
	*pd = pend{client: client, cgen: cgen, gen: pd.gen + 1, home: int16(i), chunk: ci, off: off, serial: r.serial, id: id, mut: mut, active: true}
	a := msg{op: pi, gen: pd.gen, chunk: ci, id: id, rec: rec, off: off, n: n, serial: r.serial, ver: r.ver, mut: mut}
	for _, sec := range r.reps[:r.nrep] {
		if int(sec) != i {
			s.net.Send(i, int(sec), mApply, a)
			pd.need++
		}
	}
	if pd.need == 0 || client < 0 { // nothing waits for the acks (a pad's are ignored)
		pd.active = false
		s.pfree.Put(pi)
		return -1
	}
	s.net.After(i, s.cfg.Timeout, s.pTimeoutFn, nil, int64(pi)|int64(pd.gen)<<32)
	return pi
}

// apply writes a mutation into a replica.
func (s *Sim) apply(r *replica, e entry) {
	r.serial = max(r.serial, e.serial)
	r.length = max(r.length, e.off+e.n)
	if !s.cfg.Record {
		return
	}
	r.log = append(r.log, e)
	if e.mut == mutWrite {
		r.regions[e.off] = region{id: e.id, serial: e.serial}
	}
}

func (s *Sim) onApply(i, from int, p *msg) {
	sv := &s.servers[i]
	r := sv.reps[p.chunk]
	ok := r != nil && r.ver == p.ver && (p.mut == mutPad || sv.buf[p.id].n == p.n)
	if ok && s.brokenApply && p.serial%5 == 0 {
		s.net.Send(i, from, mApplied, msg{op: p.op, gen: p.gen}) // a broken secondary: acks without applying
		return
	}
	if ok {
		delete(sv.buf, p.id)
		s.apply(r, entry{id: p.id, rec: p.rec, serial: p.serial, mut: p.mut, off: p.off, n: p.n})
	}
	code := codeOK
	if !ok {
		code = codeFailed
	}
	s.net.Send(i, from, mApplied, msg{op: p.op, gen: p.gen, code: code})
}

func (s *Sim) onApplied(p *msg) {
	pd := &s.pends[p.op]
	if !pd.active || pd.gen != p.gen {
		return
	}
	if p.code != codeOK {
		pd.failed = true
	}
	pd.need--
	if pd.need == 0 || pd.failed {
		s.finishPend(p.op)
	}
}

func (s *Sim) finishPend(pi int32) {
	pd := &s.pends[pi]
	pd.active = false
	code := codeOK
	if pd.failed || pd.need > 0 {
		code = codeFailed
	}
	s.net.Send(int(pd.home), s.master+1+int(pd.client), mWriteReply, msg{op: pd.client, gen: pd.cgen, chunk: pd.chunk, off: pd.off, serial: pd.serial, code: code})
	s.pfree.Put(pi)
}

// primaryTimeout: a secondary did not answer in time; the mutation fails.
func (s *Sim) primaryTimeout(_ *harness.World, _ *harness.Request, arg int64) {
	pi, gen := int32(arg&0xffffffff), uint32(arg>>32)
	if pd := &s.pends[pi]; pd.active && pd.gen == gen {
		pd.failed = true
		s.finishPend(pi)
	}
}
