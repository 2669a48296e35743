package kafka

import (
	"github.com/dsbench/dsbench/algorithms/internal/slots"
	"math/bits"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
)

// broker is one node of the cluster: the partition replicas it holds.
type broker struct {
	id     int
	parts  []*replica // nil where the broker holds no replica
	lastHB []time.Duration
}

// Replica roles.
const (
	roleNone     uint8 = iota // not told its role since it started
	roleLeader                // leads the partition in its epoch
	roleFollower              // fetches from the leader
)

// replica is one copy of a partition on a broker.
type replica struct {
	log     *Log
	hw      int64 // high watermark: consumers read below it
	idx     int   // index in the partition's replica list
	role    uint8
	epoch   int64 // the leader epoch it knows
	version int64 // the ISR version it knows
	leader  int
	epochs  []epochStart // leader-epoch cache: the first offset of each epoch in the log

	// Leader state.
	isr              uint64 // by replica index
	fLEO             []int64
	fCaught, fPrevAt []time.Duration
	fPrevLEO         []int64
	held             []int32 // consumer fetches held (fetch=long)
	rheld            []int32 // follower fetches held (replica_fetch_wait)
	waiting          []ackWait

	// Follower state.
	fetchSeq  int64 // id of the replica fetch in flight
	needTrunc bool  // restarted: truncate to HW when told to follow
}

type epochStart struct {
	epoch int64
	start int64
}

// ackWait is an acks=all produce waiting for the HW to pass its record.
type ackWait struct {
	off int64
	ref int32
	seq int64
}

// partMeta is the controller's record of a partition.
type partMeta struct {
	replicas []int
	leader   int    // −1: offline
	epoch    int64  // leader epoch, bumped at every election
	version  int64  // ISR version, bumped at every ISR change
	isr      uint64 // by replica index
}

// ctlState is the active controller's state.
type ctlState struct {
	id     int   // the controller broker (−1: none)
	gen    int64 // bumped at every controller change: voids the old one's timers
	fenced []bool
	lastHB []time.Duration
	inc    []uint64 // incarnation each broker last heartbeated with
}

// heldFetch is a fetch a leader holds until a record arrives or its wait
// ends.
type heldFetch struct {
	broker  int32
	replica bool // a follower's fetch
	m       msg
	gen     uint32
	live    bool
}

func newReplica(cfg Config, idx, n int) *replica {
	return &replica{
		log: NewLog(cfg.SegmentBytes, cfg.RetentionBytes), idx: idx, leader: -1,
		fLEO: make([]int64, n), fCaught: make([]time.Duration, n), fPrevAt: make([]time.Duration, n), fPrevLEO: make([]int64, n),
	}
}

func (r *replica) lastEpoch() int64 {
	if n := len(r.epochs); n > 0 {
		return r.epochs[n-1].epoch
	}
	return -1
}

// append adds rec (of rec.Epoch) to the log and the epoch cache.
func (r *replica) append(rec Record) (off, dropped int64) {
	off, dropped = r.log.Append(rec)
	if e := int64(rec.Epoch); e > r.lastEpoch() {
		r.epochs = append(r.epochs, epochStart{e, off})
	}
	return off, dropped
}

// truncate cuts the log at to and the epoch cache with it.
func (r *replica) truncate(to int64) int64 {
	n := r.log.Truncate(to)
	for len(r.epochs) > 0 && r.epochs[len(r.epochs)-1].start >= to {
		r.epochs = r.epochs[:len(r.epochs)-1]
	}
	r.hw = min(r.hw, r.log.EndOffset())
	return n
}

// endFor is OffsetsForLeaderEpoch (KIP-101, KIP-279): the largest epoch in
// the cache not above e and the offset where it ends (−1 and the log
// start if there is none).
func (r *replica) endFor(e int64) (int64, int64) {
	k := -1
	for i := len(r.epochs) - 1; i >= 0; i-- {
		if r.epochs[i].epoch <= e {
			k = i
			break
		}
	}
	if k < 0 {
		if len(r.epochs) > 0 {
			return -1, r.epochs[0].start
		}
		return -1, r.log.EndOffset()
	}
	if k+1 < len(r.epochs) {
		return r.epochs[k].epoch, r.epochs[k+1].start
	}
	return r.epochs[k].epoch, r.log.EndOffset()
}

func (s *Sim) isrPeriod() time.Duration { return max(s.cfg.ReplicaLagMax/2, time.Microsecond) }

// --- broker messages -------------------------------------------------------

func (s *Sim) onBroker(b int, nm *simnet.Msg[msg]) {
	m := &nm.Payload
	s.last = max(s.last, s.w.Now())
	switch nm.Kind {
	case kProduceReq:
		s.onProduce(b, m)
	case kFetchReq:
		s.onFetch(b, m)
	case kTipReq:
		r := s.brokers[b].parts[m.part]
		if r == nil || r.role != roleLeader {
			m.err = errNotLeader
		} else {
			r.log.Read(r.hw - 1)
		}
		s.net.ToClient(b, kTipResp, *m)
	case kReplicaFetch:
		s.onReplicaFetch(b, m)
	case kReplicaFetchResp:
		s.onReplicaFetchResp(b, m)
	case kLeaderAndIsr:
		s.onLeaderAndIsr(b, m)
	case kHeartbeat:
		s.onHeartbeat(b, m)
	}
}

// onProduce appends a record at the partition's leader and answers (acks=1)
// or waits for the HW (acks=all); acks=0 gets no answer.
func (s *Sim) onProduce(b int, m *msg) {
	p := int(m.part)
	r := s.brokers[b].parts[p]
	reply := func(e uint8) {
		if m.ref >= 0 {
			m.err = e
			s.net.ToClient(b, kProduceResp, *m)
		}
	}
	if r == nil || r.role != roleLeader {
		reply(errNotLeader)
		return
	}
	if s.cfg.Acks == AcksAll && bits.OnesCount64(r.isr) < s.cfg.MinISR {
		reply(errNotEnough)
		return
	}
	rec := m.rec
	rec.Epoch = int32(r.epoch)
	off, dropped := r.append(rec)
	if cr := s.rec(rec.Seq); cr != nil {
		cr.off = off
	}
	s.msgs[p]++
	s.st.produced++
	if dropped > 0 {
		s.retain(p, r.log.StartOffset())
	}
	m.off = off
	switch {
	case m.ref < 0:
	case s.cfg.Acks == AcksAll:
		r.waiting = append(r.waiting, ackWait{off: off, ref: m.ref, seq: m.seq})
	default:
		reply(errNone)
	}
	if s.cfg.brokenHW {
		s.raiseHW(b, p, r.log.EndOffset()) // broken: before any follower has it
	}
	s.releaseHeld(b, p, true)
	s.updateHW(b, p)
}

// updateHW moves a leader's HW to the lowest log end among the ISR.
func (s *Sim) updateHW(b, p int) {
	r := s.brokers[b].parts[p]
	if r.role != roleLeader {
		return
	}
	hw := r.log.EndOffset()
	for i := range r.fLEO {
		if i != r.idx && r.isr&(1<<i) != 0 {
			hw = min(hw, r.fLEO[i])
		}
	}
	s.raiseHW(b, p, hw)
}

// raiseHW moves the leader's HW up to hw: held consumer fetches are
// answered and acks=all produces below it acknowledged (or, if the ISR has
// fallen below min_insync_replicas meanwhile, refused:
// NOT_ENOUGH_REPLICAS_AFTER_APPEND).
func (s *Sim) raiseHW(b, p int, hw int64) {
	r := s.brokers[b].parts[p]
	if hw <= r.hw {
		return
	}
	r.hw = hw
	s.expose(p, hw)
	s.releaseHeld(b, p, false)
	k := 0
	enough := bits.OnesCount64(r.isr) >= s.cfg.MinISR
	for _, a := range r.waiting {
		if a.off >= hw {
			r.waiting[k] = a
			k++
			continue
		}
		e := errNone
		if !enough {
			e = errNotEnoughAfterAppend
		}
		s.net.ToClient(b, kProduceResp, msg{part: int32(p), ref: a.ref, seq: a.seq, off: a.off, err: e})
	}
	r.waiting = r.waiting[:k]
}

// retain counts the records retention deleted on a leader before a group
// fetched them (the group's next fetch resets to the log start,
// auto.offset.reset=earliest).
func (s *Sim) retain(p int, start int64) {
	for _, g := range s.groups {
		if from := max(g.pos[p], g.lostTo[p]); from < start {
			s.st.lost += uint64(start - from)
			g.lostTo[p] = start
		}
	}
}

// hold parks a fetch at the leader for wait.
func (s *Sim) hold(b int, m *msg, follower bool, wait time.Duration) {
	h := slots.Take(&s.hfree, &s.held)
	hf := &s.held[h]
	hf.broker, hf.replica, hf.m, hf.live = int32(b), follower, *m, true
	r := s.brokers[b].parts[m.part]
	if follower {
		r.rheld = append(r.rheld, h)
	} else {
		r.held = append(r.held, h)
	}
	s.net.After(b, wait, s.expireFn, nil, int64(h)|int64(hf.gen)<<32)
}

func (s *Sim) unhold(h int32) *heldFetch {
	hf := &s.held[h]
	hf.live = false
	hf.gen++
	s.hfree.Put(h)
	return hf
}

// releaseHeld answers the fetches b holds for p: the followers' (a record
// was appended) or the consumers' (the HW moved).
func (s *Sim) releaseHeld(b, p int, followers bool) {
	r := s.brokers[b].parts[p]
	list := &r.held
	if followers {
		list = &r.rheld
	}
	if len(*list) == 0 {
		return
	}
	hs := *list
	*list = nil
	for _, h := range hs {
		if !s.held[h].live {
			continue
		}
		m := s.unhold(h).m
		if followers {
			s.answerReplicaFetch(b, &m)
		} else {
			s.answerFetch(b, &m)
		}
	}
	*list = hs[:0]
}

// expireEv answers a held fetch at the end of its wait.
func (s *Sim) expireEv(_ *harness.World, _ *harness.Request, arg int64) {
	h, gen := int32(arg&0xffffffff), uint32(arg>>32)
	hf := &s.held[h]
	if !hf.live || hf.gen != gen {
		return
	}
	b, follower, m := int(hf.broker), hf.replica, hf.m
	s.unhold(h)
	r := s.brokers[b].parts[m.part]
	list := &r.held
	if follower {
		list = &r.rheld
	}
	for i, x := range *list {
		if x == h {
			*list = append((*list)[:i], (*list)[i+1:]...)
			break
		}
	}
	if follower {
		s.answerReplicaFetch(b, &m)
	} else {
		s.answerFetch(b, &m)
	}
}

// dropHeld forgets every fetch b holds for p (b crashed or lost the
// lead), answering them with err unless b is down.
func (s *Sim) dropHeld(b, p int, err uint8) {
	r := s.brokers[b].parts[p]
	for _, list := range []*[]int32{&r.held, &r.rheld} {
		for _, h := range *list {
			if !s.held[h].live {
				continue
			}
			hf := s.unhold(h)
			m := hf.m
			m.err, m.ref = err, -1
			if !s.net.Up(b) {
				continue
			}
			if hf.replica {
				s.net.Send(b, int(m.from), kReplicaFetchResp, m)
			} else {
				s.net.ToClient(b, kFetchResp, m)
			}
		}
		*list = (*list)[:0]
	}
}

// onFetch answers a consumer's fetch with the records from its offset up
// to the HW (at most m.n), or holds it (fetch=long).
func (s *Sim) onFetch(b int, m *msg) {
	r := s.brokers[b].parts[m.part]
	switch {
	case r == nil || r.role != roleLeader:
		m.err, m.ref = errNotLeader, -1
		s.net.ToClient(b, kFetchResp, *m)
	case m.off > r.log.EndOffset():
		m.err, m.ref, m.hw = errOutOfRange, -1, r.hw
		s.net.ToClient(b, kFetchResp, *m)
	case m.off < r.hw || m.off < r.log.StartOffset() || !s.cfg.LongPoll:
		s.answerFetch(b, m)
	default:
		s.hold(b, m, false, s.cfg.Poll)
	}
}

func (s *Sim) answerFetch(b int, m *msg) {
	r := s.brokers[b].parts[m.part]
	m.start = r.log.StartOffset()
	from := max(m.off, m.start)
	m.ref = -1
	if to := min(r.hw, from+int64(m.n)); from < to {
		m.ref = s.newBuf()
		buf := s.bufs[m.ref]
		for o := from; o < to; o++ {
			rec, _ := r.log.Read(o)
			buf = append(buf, rec)
		}
		s.bufs[m.ref] = buf
	}
	m.off, m.hw = from, r.hw
	s.net.ToClient(b, kFetchResp, *m)
}

// --- replication -----------------------------------------------------------

// sendReplicaFetch sends follower f's next fetch of p to its leader, with a
// timeout in case it or its answer is lost.
func (s *Sim) sendReplicaFetch(f, p int) {
	r := s.brokers[f].parts[p]
	r.fetchSeq++
	s.net.Send(f, r.leader, kReplicaFetch, msg{part: int32(p), from: int32(f), ref: -1, n: int32(s.cfg.MaxPollRecords),
		epoch: r.epoch, seq: r.fetchSeq, off: r.log.EndOffset(), start: r.lastEpoch()})
	s.net.After(f, s.cfg.ReplicaFetchWait+s.cfg.RequestTimeout, s.rfetchTimeoutFn, nil, s.rfArg(f, p, r.fetchSeq))
}

func (s *Sim) rfArg(f, p int, seq int64) int64 {
	return (seq*int64(len(s.brokers))+int64(f))*int64(s.cfg.Partitions) + int64(p)
}

// rfetchTimeoutEv sends a follower's fetch again if the one it names is
// still unanswered (or is a retry after an error).
func (s *Sim) rfetchTimeoutEv(_ *harness.World, _ *harness.Request, arg int64) {
	P, N := int64(s.cfg.Partitions), int64(len(s.brokers))
	p, f, seq := int(arg%P), int(arg/P%N), arg/P/N
	r := s.brokers[f].parts[p]
	if r.role == roleFollower && r.fetchSeq == seq {
		s.sendReplicaFetch(f, p)
	}
}

// onReplicaFetch is a leader serving a follower's fetch: it learns the
// follower's log end, keeps the ISR and the HW, and answers with the
// records after the follower's end (or holds the fetch while there are
// none). A follower whose last epoch's records the leader does not hold
// to the same end is told where to truncate (KIP-101, KIP-279).
func (s *Sim) onReplicaFetch(b int, m *msg) {
	p := int(m.part)
	r := s.brokers[b].parts[p]
	if r == nil || r.role != roleLeader || m.epoch != r.epoch {
		m.err, m.ref = errNotLeader, -1
		s.net.Send(b, int(m.from), kReplicaFetchResp, *m)
		return
	}
	if m.start >= 0 {
		e, end := r.endFor(m.start)
		if e != m.start || end < m.off {
			m.err, m.ref, m.off, m.start = errDiverging, -1, end, e
			s.net.Send(b, int(m.from), kReplicaFetchResp, *m)
			return
		}
	}
	now := s.w.Now()
	leo := r.log.EndOffset()
	i := s.ridx(p, int(m.from))
	r.fLEO[i] = m.off
	switch {
	case m.off >= leo:
		r.fCaught[i] = now
	case m.off >= r.fPrevLEO[i]:
		r.fCaught[i] = max(r.fCaught[i], r.fPrevAt[i])
	}
	r.fPrevLEO[i], r.fPrevAt[i] = leo, now
	if r.isr&(1<<i) == 0 && m.off >= r.hw && m.off >= r.epochs[len(r.epochs)-1].start {
		if meta := &s.meta[p]; meta.epoch == r.epoch && meta.leader == b {
			meta.isr |= 1 << i
			meta.version++
			r.isr, r.version = meta.isr, meta.version
			s.st.isrExpands++
		}
	}
	s.updateHW(b, p)
	if m.off < leo || m.off < r.log.StartOffset() {
		s.answerReplicaFetch(b, m)
		return
	}
	s.hold(b, m, true, s.cfg.ReplicaFetchWait)
}

func (s *Sim) answerReplicaFetch(b int, m *msg) {
	r := s.brokers[b].parts[m.part]
	if r.role != roleLeader {
		m.err, m.ref = errNotLeader, -1
		s.net.Send(b, int(m.from), kReplicaFetchResp, *m)
		return
	}
	from := max(m.off, r.log.StartOffset())
	m.ref = -1
	if to := min(r.log.EndOffset(), from+int64(m.n)); from < to {
		m.ref = s.newBuf()
		buf := s.bufs[m.ref]
		for o := from; o < to; o++ {
			rec, _ := r.log.Read(o)
			buf = append(buf, rec)
		}
		s.bufs[m.ref] = buf
	}
	m.off, m.hw = from, r.hw
	if !s.net.Send(b, int(m.from), kReplicaFetchResp, *m) && m.ref >= 0 {
		s.freeBuf(m.ref)
	}
}

// onReplicaFetchResp is a follower appending what its leader sent.
func (s *Sim) onReplicaFetchResp(f int, m *msg) {
	p := int(m.part)
	r := s.brokers[f].parts[p]
	defer func() {
		if m.ref >= 0 {
			s.freeBuf(m.ref)
		}
	}()
	if r.role != roleFollower || m.epoch != r.epoch || m.seq != r.fetchSeq {
		return
	}
	switch m.err {
	case errNotLeader:
		r.fetchSeq++ // the timeout is void; retry after the backoff
		s.net.After(f, s.cfg.RetryBackoff, s.rfetchTimeoutFn, nil, s.rfArg(f, p, r.fetchSeq))
		return
	case errDiverging:
		to := m.off
		if m.start != r.lastEpoch() {
			_, mine := r.endFor(m.start)
			to = min(to, mine)
		}
		s.st.truncated += uint64(r.truncate(to))
		s.sendReplicaFetch(f, p)
		return
	}
	if m.off > r.log.EndOffset() {
		// The leader no longer holds our end (retention): start over at
		// its log start.
		r.log.Reset(m.off)
		r.epochs = r.epochs[:0]
	}
	if m.ref >= 0 && m.off == r.log.EndOffset() {
		for _, rec := range s.bufs[m.ref] {
			r.append(rec)
		}
	}
	r.hw = max(r.hw, min(m.hw, r.log.EndOffset()))
	s.sendReplicaFetch(f, p)
}

// isrCheckEv is a leader's periodic ISR check: followers not caught up for
// replica_lag_max leave the ISR (the leader writes the change to the
// controller's metadata, conditionally on its epoch — a deposed leader's
// write fails).
func (s *Sim) isrCheckEv(_ *harness.World, _ *harness.Request, arg int64) {
	b := int(arg)
	now := s.w.Now()
	for p, r := range s.brokers[b].parts {
		if r == nil || r.role != roleLeader {
			continue
		}
		meta := &s.meta[p]
		shrunk := false
		for i := range r.fLEO {
			if i == r.idx || r.isr&(1<<i) == 0 || now-r.fCaught[i] <= s.cfg.ReplicaLagMax {
				continue
			}
			if meta.epoch != r.epoch || meta.leader != b {
				break
			}
			meta.isr &^= 1 << i
			meta.version++
			r.isr, r.version = meta.isr, meta.version
			s.st.isrShrinks++
			shrunk = true
		}
		if shrunk {
			s.updateHW(b, p)
		}
	}
	s.net.After(b, s.isrPeriod(), s.isrCheckFn, nil, arg)
}

func (s *Sim) ridx(p, b int) int {
	for i, x := range s.meta[p].replicas {
		if x == b {
			return i
		}
	}
	return -1
}

// onLeaderAndIsr is a broker told its role for a partition.
func (s *Sim) onLeaderAndIsr(b int, m *msg) {
	p := int(m.part)
	r := s.brokers[b].parts[p]
	if r == nil || m.epoch < r.epoch || (m.epoch == r.epoch && m.seq <= r.version && r.role != roleNone) {
		return // stale
	}
	newEpoch := m.epoch > r.epoch || r.role == roleNone
	r.epoch, r.version = m.epoch, m.seq
	leader := int(m.from)
	switch {
	case !newEpoch && leader != b:
		// an ISR change: nothing for a follower to do
	case leader == b && !newEpoch:
		r.isr = uint64(m.hw)
		s.updateHW(b, p)
	case leader == b:
		s.becomeLeader(b, p, uint64(m.hw))
	default:
		s.becomeFollower(b, p, leader)
	}
}

func (s *Sim) becomeLeader(b, p int, isr uint64) {
	r := s.brokers[b].parts[p]
	s.dropHeld(b, p, errNotLeader)
	s.failWaiting(b, p)
	r.role, r.leader, r.isr = roleLeader, b, isr
	now := s.w.Now()
	for i := range r.fLEO {
		r.fLEO[i], r.fCaught[i], r.fPrevLEO[i], r.fPrevAt[i] = -1, now, -1, now
	}
	leo := r.log.EndOffset()
	if n := len(r.epochs); n > 0 && r.epochs[n-1].start == leo {
		r.epochs[n-1].epoch = r.epoch
	} else {
		r.epochs = append(r.epochs, epochStart{r.epoch, leo})
	}
	r.needTrunc = false
	s.updateHW(b, p)
	s.availability(p)
}

func (s *Sim) becomeFollower(b, p, leader int) {
	r := s.brokers[b].parts[p]
	s.dropHeld(b, p, errNotLeader)
	s.failWaiting(b, p)
	r.role, r.leader = roleFollower, leader
	s.availability(p)
	if leader < 0 {
		r.role = roleNone
		return
	}
	if r.needTrunc {
		// A broker that rejoins after a crash truncates to its HW before
		// fetching (records above it may never have been committed).
		s.st.truncated += uint64(r.truncate(r.hw))
		r.needTrunc = false
	}
	s.sendReplicaFetch(b, p)
}

// failWaiting answers a deposed leader's waiting acks=all produces with
// NOT_LEADER_OR_FOLLOWER.
func (s *Sim) failWaiting(b, p int) {
	r := s.brokers[b].parts[p]
	for _, a := range r.waiting {
		s.net.ToClient(b, kProduceResp, msg{part: int32(p), ref: a.ref, seq: a.seq, err: errNotLeader})
	}
	r.waiting = r.waiting[:0]
}

// --- crashes ---------------------------------------------------------------

func (s *Sim) onCrash(b int) {
	for p, r := range s.brokers[b].parts {
		if r == nil {
			continue
		}
		s.dropHeld(b, p, errNotLeader)
		r.waiting = r.waiting[:0]
		s.availability(p)
	}
	if b == s.ctl.id {
		s.w.After(s.cfg.SessionTimeout, s.expireCtlFn, nil, s.ctl.gen)
	}
}

// onRestart brings a broker back with its logs and HWs (a process crash
// keeps the page cache) but no roles: it heartbeats the controller, which
// tells it its roles; it truncates each log to its HW before following.
func (s *Sim) onRestart(b int) {
	for p, r := range s.brokers[b].parts {
		if r == nil {
			continue
		}
		r.role, r.leader, r.needTrunc = roleNone, -1, true
		s.availability(p)
	}
	s.net.After(b, 0, s.hbFn, nil, int64(b))
	if s.cfg.Replicas > 1 {
		s.net.After(b, s.isrPeriod(), s.isrCheckFn, nil, int64(b))
	}
	if s.ctl.id < 0 {
		s.startController(b)
	}
}

// --- the controller --------------------------------------------------------

// startController makes b the active controller. At time 0 it installs
// the preferred leaders directly (the cluster is up before the run).
func (s *Sim) startController(b int) {
	s.ctl.id = b
	s.ctl.gen++
	now := s.w.Now()
	for i := range s.ctl.lastHB {
		s.ctl.lastHB[i] = now
		s.ctl.inc[i] = s.net.Incarnation(i)
	}
	if now == 0 && s.meta[0].epoch == 0 {
		for p := range s.meta {
			m := &s.meta[p]
			m.leader, m.epoch, m.version = m.replicas[0], 1, 1
			for _, x := range m.replicas {
				s.onLeaderAndIsr(x, &msg{part: int32(p), from: int32(m.leader), epoch: m.epoch, seq: m.version, hw: int64(m.isr)})
			}
			s.availability(p)
		}
	} else {
		s.st.controllerMov++
		for p := range s.meta {
			if s.meta[p].leader < 0 {
				s.elect(p)
			}
		}
	}
	s.net.After(b, s.cfg.Heartbeat, s.ctlCheckFn, nil, s.ctl.gen)
}

// expireCtlEv: the controller's session ran out (it crashed); the lowest
// live broker takes over.
func (s *Sim) expireCtlEv(_ *harness.World, _ *harness.Request, gen int64) {
	if gen != s.ctl.gen {
		return
	}
	s.ctl.id = -1
	for b := range s.brokers {
		if s.net.Up(b) {
			s.startController(b)
			return
		}
	}
}

func (s *Sim) heartbeatEv(_ *harness.World, _ *harness.Request, arg int64) {
	b := int(arg)
	if c := s.ctl.id; c >= 0 {
		s.net.Send(b, c, kHeartbeat, msg{from: int32(b), seq: int64(s.net.Incarnation(b)), ref: -1})
	}
	s.net.After(b, s.cfg.Heartbeat, s.hbFn, nil, arg)
}

func (s *Sim) onHeartbeat(c int, m *msg) {
	if c != s.ctl.id {
		return
	}
	x := int(m.from)
	s.ctl.lastHB[x] = s.w.Now()
	if inc := uint64(m.seq); inc > s.ctl.inc[x] {
		// x restarted since its last heartbeat: its old incarnation is
		// gone (its roles with it).
		s.ctl.inc[x] = inc
		if !s.ctl.fenced[x] {
			s.fence(x)
		}
	}
	if s.ctl.fenced[x] {
		s.unfence(x)
	}
}

// ctlCheckEv fences the brokers whose heartbeats stopped.
func (s *Sim) ctlCheckEv(_ *harness.World, _ *harness.Request, gen int64) {
	if gen != s.ctl.gen {
		return
	}
	now := s.w.Now()
	for x := range s.brokers {
		if x != s.ctl.id && !s.ctl.fenced[x] && now-s.ctl.lastHB[x] > s.cfg.SessionTimeout {
			s.fence(x)
		}
	}
	s.net.After(s.ctl.id, s.cfg.Heartbeat, s.ctlCheckFn, nil, gen)
}

// fence takes broker x out: new leaders for the partitions it led, and out
// of the ISRs it was in (an ISR never empties: its last member stays).
func (s *Sim) fence(x int) {
	s.ctl.fenced[x] = true
	s.st.fenced++
	for p := range s.meta {
		m := &s.meta[p]
		i := s.ridx(p, x)
		switch {
		case i < 0:
		case m.leader == x:
			s.elect(p)
		case m.isr&(1<<i) != 0 && m.isr&^(1<<i) != 0:
			m.isr &^= 1 << i
			m.version++
			s.tell(p)
		}
	}
}

// unfence brings broker x back: partitions with no leader get one, and x
// is told its role in each of its partitions.
func (s *Sim) unfence(x int) {
	s.ctl.fenced[x] = false
	for p := range s.meta {
		if s.ridx(p, x) < 0 {
			continue
		}
		if s.meta[p].leader < 0 {
			s.elect(p)
			if s.meta[p].leader >= 0 {
				continue // elect told every replica
			}
		}
		s.tellOne(p, x)
	}
}

// elect picks p's leader: the first live ISR member; with none, any live
// replica if unclean election is on (the ISR becomes that replica), or no
// leader (the partition is offline until an ISR member returns).
func (s *Sim) elect(p int) {
	m := &s.meta[p]
	live := func(b int) bool { return !s.ctl.fenced[b] }
	leader := -1
	for i, b := range m.replicas {
		if m.isr&(1<<i) != 0 && live(b) {
			leader = b
			break
		}
	}
	if leader >= 0 {
		for i, b := range m.replicas {
			if m.isr&(1<<i) != 0 && s.ctl.fenced[b] && m.isr&^(1<<i) != 0 {
				m.isr &^= 1 << i
			}
		}
	} else if s.cfg.Unclean {
		for i, b := range m.replicas {
			if live(b) {
				leader = b
				m.isr = 1 << i
				s.st.unclean++
				break
			}
		}
	}
	if leader == m.leader {
		return
	}
	m.leader = leader
	m.epoch++
	m.version++
	if leader >= 0 {
		s.st.elections++
	}
	s.tell(p)
	s.availability(p)
}

// tell sends p's state to every replica; tellOne to one.
func (s *Sim) tell(p int) {
	for _, b := range s.meta[p].replicas {
		s.tellOne(p, b)
	}
}

func (s *Sim) tellOne(p, b int) {
	m := &s.meta[p]
	s.net.Send(s.ctl.id, b, kLeaderAndIsr, msg{part: int32(p), from: int32(m.leader), ref: -1, epoch: m.epoch, seq: m.version, hw: int64(m.isr)})
}
