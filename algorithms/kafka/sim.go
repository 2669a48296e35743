package kafka

import (
	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/dsbench/dsbench/algorithms/internal/slots"

	"math"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
)

// Sim is a replicated topic on a cluster of brokers in virtual time, on the
// shared simulated cluster (harness/simnet): brokers are the cluster's
// nodes; producers and consumers are its clients, whose requests cross the
// network (FromClient, ToClient) and are charged to the brokers' CPUs.
//
// Brokers (broker.go): partition p has replicas brokers p, p+1, … mod
// nodes, the first its preferred leader. Followers fetch from the leader;
// the leader tracks each follower's log end and keeps the in-sync replica
// set (ISR) — a follower not caught up for replica_lag_max leaves it, one
// that catches up rejoins — and its high watermark (HW), the offset every
// ISR member has reached. Consumers read only below the HW. acks=1 answers
// a produce at append, acks=all once the HW passes it (and refuses records
// while the ISR is below min_insync_replicas). Brokers heartbeat a
// controller (the lowest-numbered live broker); it fences a broker whose
// heartbeats stop for session_timeout and elects new leaders for its
// partitions from the ISR — or, with unclean_election, from any live
// replica — and tells the replicas (LeaderAndIsr). A follower of a new
// leader truncates what the leader does not have (leader epochs, as in
// KIP-101); a broker that restarts first truncates its logs to its HW.
//
// Consumers (group.go) belong to groups independent consumer groups, each
// running Kafka's poll loop and eager rebalances.
//
// A produce op completes at its acknowledgement. Every acknowledged and
// every consumed record is recorded, so the run can say which acknowledged
// records no consumer will ever see (acked_lost).
//
// Sim is single-threaded, like the World.
type Sim struct {
	cfg    Config
	pt     *Partitioner
	w      *harness.World
	net    *simnet.Net[msg]
	perMsg time.Duration

	brokers []broker
	meta    []partMeta // the controller's metadata (KRaft's metadata log)
	ctl     ctlState
	exposed []int64 // highest HW any leader of the partition exposed

	groups []*group
	cons   []*consumer

	prods   []prodSlot
	pfree   slots.Free
	attempt uint32
	bufs    [][]Record // fetch responses' records
	bfree   slots.Free
	held    []heldFetch
	hfree   slots.Free
	recs    []recState // by the record's Seq − recBase
	recBase uint64     // records below it are resolved and forgotten
	e2e     []*hdr.Histogram

	last                    time.Duration
	totalLag                int64
	lagArea                 float64
	lagSince                time.Duration
	lagTotalMax, lagPartMax int64
	partLagArea             []float64
	partLagSince            []time.Duration
	msgs                    []uint64
	unavailSince            []time.Duration // −1: available
	unavail                 time.Duration
	st                      stats

	// OnConsume, if set, sees every processed record (tests).
	OnConsume func(group, partition int, offset int64, rec Record)

	pollFn, procFn, leaveFn, joinFn, refetchFn, expireFn, resumeFn harness.EventFunc
	prodTimeoutFn, prodRetryFn, hbFn, ctlCheckFn, isrCheckFn       harness.EventFunc
	rfetchTimeoutFn, expireCtlFn, fetchTimeoutFn                   harness.EventFunc
}

type stats struct {
	ops, produced, acked, consumed, dups, lost  uint64
	orderViolations, fetches, wrongOps          uint64
	isrShrinks, isrExpands, elections, unclean  uint64
	notEnough, notLeader, retries, truncated    uint64
	offsetResets, fenced, failed, controllerMov uint64
}

// recState is what the checker knows of one record (by Seq).
type recState struct {
	at    time.Duration // the produce op's start
	off   int64         // offset of its last append by a leader
	part  int32
	acked bool
	done  bool   // its produce op failed: nothing more to check
	seen  uint64 // groups that processed it
}

// Message kinds.
const (
	kProduceReq simnet.Kind = iota
	kProduceResp
	kFetchReq
	kFetchResp
	kTipReq
	kTipResp
	kReplicaFetch
	kReplicaFetchResp
	kLeaderAndIsr
	kHeartbeat
)

var kindNames = []string{"produce", "produce_resp", "fetch", "fetch_resp", "tip", "tip_resp",
	"replica_fetch", "replica_fetch_resp", "leader_and_isr", "heartbeat"}

// Response errors.
const (
	errNone uint8 = iota
	errNotLeader
	errNotEnough
	errNotEnoughAfterAppend
	errDiverging  // replica fetch: truncate to msg.off
	errOutOfRange // consumer fetch: the offset is past the log end
)

// msg is the payload of every message. A fetch response's records travel
// by reference to a buffer.
type msg struct {
	part  int32
	from  int32 // consumer id; replica fetch: follower broker; LeaderAndIsr: leader
	ref   int32 // producer slot or record buffer; −1: none
	n     int32 // fetch: records wanted
	err   uint8
	epoch int64 // consumer fetch epoch; leader epoch
	seq   int64 // fetch id; produce attempt
	off   int64 // fetch offset; produce response: the record's offset
	start int64 // fetch response: log start offset; replica fetch: follower's last epoch
	hw    int64 // fetch response: the leader's HW; LeaderAndIsr: ISR mask
	rec   Record
	req   *harness.Request
}

type prodSlot struct {
	req     *harness.Request
	rec     Record
	part    int32
	attempt uint32
	sentAt  time.Duration
}

// NewSim returns the simulated cluster, topic and groups of cfg.
func NewSim(cfg Config) (*Sim, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	pt, err := NewPartitioner(cfg.Partitions, cfg.KeyMode, cfg.NullMode, cfg.BatchBytes)
	if err != nil {
		return nil, err
	}
	P, N := cfg.Partitions, cfg.Cluster.Net.Nodes
	s := &Sim{cfg: cfg, pt: pt}
	s.perMsg = time.Duration(math.Max(1, math.Round(float64(time.Second)/cfg.ConsumeRate)))
	s.brokers = make([]broker, N)
	for b := range s.brokers {
		s.brokers[b] = broker{id: b, parts: make([]*replica, P), lastHB: make([]time.Duration, N)}
	}
	s.meta = make([]partMeta, P)
	for p := 0; p < P; p++ {
		m := &s.meta[p]
		m.leader, m.epoch = -1, 0
		for i := 0; i < cfg.Replicas; i++ {
			b := (p + i) % N
			m.replicas = append(m.replicas, b)
			m.isr |= 1 << i
			s.brokers[b].parts[p] = newReplica(cfg, i, cfg.Replicas)
		}
	}
	s.ctl = ctlState{id: -1, fenced: make([]bool, N), lastHB: make([]time.Duration, N), inc: make([]uint64, N)}
	s.exposed = make([]int64, P)
	s.partLagArea, s.partLagSince, s.msgs = make([]float64, P), make([]time.Duration, P), make([]uint64, P)
	s.unavailSince = make([]time.Duration, P)
	for p := range s.unavailSince {
		s.unavailSince[p] = -1
	}
	per := cfg.Consumers
	if cfg.JoinAt > 0 {
		per++
	}
	for g := 0; g < cfg.Groups; g++ {
		s.groups = append(s.groups, newGroup(g, P))
		s.e2e = append(s.e2e, harness.NewHistogram())
		for i := 0; i < per; i++ {
			c := &consumer{id: len(s.cons), group: g, state: gone}
			s.cons = append(s.cons, c)
			s.groups[g].members = append(s.groups[g].members, c)
		}
	}
	s.pollFn, s.procFn, s.leaveFn, s.joinFn = s.pollEv, s.procEv, s.leaveEv, s.joinEv
	s.refetchFn, s.expireFn, s.resumeFn = s.refetchEv, s.expireEv, s.resumeEv
	s.prodTimeoutFn, s.prodRetryFn, s.hbFn, s.ctlCheckFn, s.isrCheckFn = s.prodTimeoutEv, s.prodRetryEv, s.heartbeatEv, s.ctlCheckEv, s.isrCheckEv
	s.rfetchTimeoutFn, s.expireCtlFn, s.fetchTimeoutFn = s.rfetchTimeoutEv, s.expireCtlEv, s.fetchTimeoutEv
	if _, err := algorithms.NewNet[msg](harness.NewWorld(0, nil), cfg.Cluster, kindNames); err != nil {
		return nil, err
	}
	return s, nil
}

// Setup puts the brokers on w's cluster, elects the first leaders (the
// preferred replicas, told by the first controller), forms the groups (the
// initial assignment is not counted as a rebalance) and schedules the
// membership changes and faults.
func (s *Sim) Setup(w *harness.World) {
	nt, err := algorithms.NewNet[msg](w, s.cfg.Cluster, kindNames)
	if err != nil {
		panic(err) // checked by NewSim
	}
	s.w, s.net = w, nt
	for b := range s.brokers {
		b := b
		nt.Handle(b, func(m *simnet.Msg[msg]) { s.onBroker(b, m) })
	}
	nt.HandleClients(s.onClient)
	nt.OnCrash, nt.OnRestart = s.onCrash, s.onRestart
	nt.Leader = func() int { return s.meta[0].leader }
	s.startController(0)
	for b := range s.brokers {
		s.net.After(b, s.cfg.Heartbeat, s.hbFn, nil, int64(b))
		if s.cfg.Replicas > 1 {
			s.net.After(b, s.isrPeriod(), s.isrCheckFn, nil, int64(b))
		}
	}
	for _, g := range s.groups {
		for i := 0; i < s.cfg.Consumers; i++ {
			g.members[i].state = barrier
		}
		s.assign(w, g, 0)
	}
	if s.cfg.LeaveAt > 0 {
		w.At(s.cfg.LeaveAt, s.leaveFn, nil, int64(s.cfg.Consumers-1))
	}
	if s.cfg.JoinAt > 0 {
		w.At(s.cfg.JoinAt, s.joinFn, nil, int64(s.cfg.Consumers))
	}
	if err := nt.Schedule(s.cfg.Cluster.Faults); err != nil {
		panic(err) // checked by ConfigFrom
	}
}

// Start serves one op from a client: produce-like kinds send the record to
// the partition's leader; fetch-like kinds read the tip of the key's
// partition from its leader.
func (s *Sim) Start(w *harness.World, req *harness.Request) {
	now := w.Now()
	s.last = max(s.last, now)
	s.st.ops++
	k := uint8(req.Op.Kind)
	switch {
	case isProduce(k):
	case isFetch(k):
		s.st.fetches++
		var b [20]byte
		p := PartitionForKey(KeyBytes(b[:0], req.Op.Key), s.cfg.Partitions)
		if l := s.meta[p].leader; l >= 0 {
			s.net.FromClient(l, kTipReq, msg{part: int32(p), ref: -1, req: req})
		} else {
			w.Complete(req, harness.Outcome{Shard: int32(p), Err: ErrNotLeader})
		}
		return
	default:
		s.st.wrongOps++
		w.Complete(req, harness.Outcome{Shard: harness.NoShard, Err: ErrKind})
		return
	}
	size := recordSize(s.pt.Keyed(), req.Op.Key, k, req.Op.Size)
	p := s.pt.Partition(req.Op.Key, size, w.Rand())
	rec := Record{Key: req.Op.Key, Seq: req.Op.Seq, Size: uint32(size)}
	r := s.rec(rec.Seq)
	if r != nil {
		*r = recState{at: now, off: -1, part: int32(p)}
	}
	if s.cfg.Acks == Acks0 {
		// The producer does not wait: the record counts as acknowledged.
		if r != nil {
			r.acked = true
		}
		s.st.acked++
		if l := s.meta[p].leader; l >= 0 {
			s.net.FromClient(l, kProduceReq, msg{part: int32(p), ref: -1, rec: rec})
		}
		w.Complete(req, harness.Outcome{Shard: int32(p)})
		return
	}
	i := s.newProd(req, rec, p)
	s.sendProduce(i)
}

// rec returns the checker's state of record seq (nil: resolved and
// forgotten).
func (s *Sim) rec(seq uint64) *recState {
	if seq < s.recBase {
		return nil
	}
	for uint64(len(s.recs)) <= seq-s.recBase {
		s.recs = append(s.recs, recState{off: -1, part: -1})
	}
	return &s.recs[seq-s.recBase]
}

// trimRecs forgets the oldest records once resolved — seen by every group,
// failed, or no record at all (an op of another kind) — so the checker's
// memory follows the consumers' lag, not the run's length.
func (s *Sim) trimRecs() {
	all := uint64(1)<<len(s.groups) - 1
	k := 0
	for k < len(s.recs) {
		r := &s.recs[k]
		if !(r.part < 0 && k+1 < len(s.recs)) && !(r.acked && r.seen == all) && !r.done {
			break
		}
		k++
	}
	if k >= 4096 {
		n := copy(s.recs, s.recs[k:])
		s.recs = s.recs[:n]
		s.recBase += uint64(k)
	}
}

func (s *Sim) newProd(req *harness.Request, rec Record, p int) int32 {
	i := slots.Take(&s.pfree, &s.prods)
	s.prods[i] = prodSlot{req: req, rec: rec, part: int32(p), sentAt: s.w.Now()}
	return i
}

// sendProduce sends slot i's record to its partition's leader (from the
// controller's metadata), or retries after retry_backoff if there is none.
func (s *Sim) sendProduce(i int32) {
	sl := &s.prods[i]
	s.attempt++
	sl.attempt = s.attempt
	arg := int64(i) | int64(sl.attempt)<<32
	l := s.meta[sl.part].leader
	if l < 0 {
		s.w.After(s.cfg.RetryBackoff, s.prodRetryFn, nil, arg)
		return
	}
	s.net.FromClient(l, kProduceReq, msg{part: sl.part, ref: i, seq: int64(sl.attempt), rec: sl.rec})
	s.w.After(s.cfg.RequestTimeout, s.prodTimeoutFn, nil, arg)
}

// prodTimeoutEv sends a produce again when its answer did not come.
func (s *Sim) prodTimeoutEv(_ *harness.World, _ *harness.Request, arg int64) {
	s.prodRetryEv(nil, nil, arg)
}

func (s *Sim) prodRetryEv(_ *harness.World, _ *harness.Request, arg int64) {
	i, att := int32(arg&0xffffffff), uint32(arg>>32)
	sl := &s.prods[i]
	if sl.req == nil || sl.attempt != att {
		return
	}
	if s.w.Now()-sl.sentAt >= s.cfg.DeliveryTimeout {
		s.finishProduce(i, ErrTimeout)
		return
	}
	s.st.retries++
	s.sendProduce(i)
}

func (s *Sim) finishProduce(i int32, err error) {
	sl := &s.prods[i]
	if err != nil {
		s.st.failed++
		if r := s.rec(sl.rec.Seq); r != nil {
			r.done = true
		}
	}
	s.w.Complete(sl.req, harness.Outcome{Shard: sl.part, Err: err})
	s.prods[i] = prodSlot{}
	s.pfree.Put(i)
}

func (s *Sim) newBuf() int32 { return slots.Take(&s.bfree, &s.bufs) }

func (s *Sim) freeBuf(i int32) {
	s.bufs[i] = s.bufs[i][:0]
	s.bfree.Put(i)
}

// onClient handles an answer reaching a client.
func (s *Sim) onClient(nm *simnet.Msg[msg]) {
	m := &nm.Payload
	s.last = max(s.last, s.w.Now())
	switch nm.Kind {
	case kProduceResp:
		s.onProduceResp(m)
	case kTipResp:
		var err error
		if m.err != errNone {
			err = ErrNotLeader
		}
		s.w.Complete(m.req, harness.Outcome{Shard: m.part, Err: err})
	case kFetchResp:
		s.onFetchResp(m)
	}
}

func (s *Sim) onProduceResp(m *msg) {
	sl := &s.prods[m.ref]
	if sl.req == nil || int64(sl.attempt) != m.seq {
		return // an earlier attempt's answer, after a timeout
	}
	switch m.err {
	case errNone:
		if r := s.rec(sl.rec.Seq); r != nil {
			r.acked = true
		}
		s.st.acked++
		s.finishProduce(m.ref, nil)
		return
	case errNotEnough, errNotEnoughAfterAppend:
		s.st.notEnough++
	default:
		s.st.notLeader++
	}
	if s.w.Now()-sl.sentAt >= s.cfg.DeliveryTimeout {
		err := ErrNotLeader
		if m.err == errNotEnough || m.err == errNotEnoughAfterAppend {
			err = ErrNotEnoughReplicas
		}
		s.finishProduce(m.ref, err)
		return
	}
	s.attempt++
	sl.attempt = s.attempt // void the pending timeout
	s.w.After(s.cfg.RetryBackoff, s.prodRetryFn, nil, int64(m.ref)|int64(sl.attempt)<<32)
}

// --- lag and availability --------------------------------------------------

// advance adds the time since the last change to the lag integrals.
func (s *Sim) advance(p int, now time.Duration) {
	s.partLagArea[p] += float64(s.partLag(p)) * float64(now-s.partLagSince[p])
	s.partLagSince[p] = now
	s.lagArea += float64(s.totalLag) * float64(now-s.lagSince)
	s.lagSince = now
}

// partLag is Σ over groups of (exposed HW − committed) of partition p.
func (s *Sim) partLag(p int) int64 {
	var l int64
	for _, g := range s.groups {
		l += max(0, s.exposed[p]-g.committed[p])
	}
	return l
}

// changeLag runs fn, which moves p's exposed HW or a committed offset, and
// keeps the lag figures.
func (s *Sim) changeLag(p int, fn func()) {
	s.advance(p, s.w.Now())
	before := s.partLag(p)
	fn()
	after := s.partLag(p)
	s.totalLag += after - before
	s.lagTotalMax = max(s.lagTotalMax, s.totalLag)
	s.lagPartMax = max(s.lagPartMax, after)
}

// expose records that a leader of p has moved its HW to hw.
func (s *Sim) expose(p int, hw int64) {
	if hw > s.exposed[p] {
		s.changeLag(p, func() { s.exposed[p] = hw })
	}
}

// availability notes whether partition p has a leader now: elected by
// the controller, up, and told (it has taken the lead in the current
// epoch).
func (s *Sim) availability(p int) {
	now := s.w.Now()
	m := &s.meta[p]
	up := false
	if l := m.leader; l >= 0 && s.net.Up(l) {
		r := s.brokers[l].parts[p]
		up = r.role == roleLeader && r.epoch == m.epoch
	}
	switch {
	case !up && s.unavailSince[p] < 0:
		s.unavailSince[p] = now
	case up && s.unavailSince[p] >= 0:
		s.unavail += now - s.unavailSince[p]
		s.unavailSince[p] = -1
	}
}

// --- metrics ---------------------------------------------------------------

// Lost returns the acknowledged records no consumer has seen and none
// will: neither processed by a group nor held, at the offset a leader gave
// it, by the partition's current leader (or, with none, by a replica the
// controller may elect) above some group's committed offset. And
// Unconsumed returns those a group will still read.
func (s *Sim) Lost() (lost, unconsumed uint64) {
	for i := range s.recs {
		r := &s.recs[i]
		if !r.acked || r.seen != 0 || r.part < 0 {
			continue
		}
		if s.deliverable(s.recBase+uint64(i), r) {
			unconsumed++
		} else {
			lost++
		}
	}
	return lost, unconsumed
}

func (s *Sim) deliverable(seq uint64, r *recState) bool {
	p := int(r.part)
	if r.off < 0 {
		return false // never appended (acks=0 to a dead leader)
	}
	m := &s.meta[p]
	holder := m.leader
	if holder < 0 {
		for i, b := range m.replicas {
			if m.isr&(1<<i) != 0 {
				holder = b
				break
			}
		}
	}
	if holder < 0 {
		return false
	}
	rec, ok := s.brokers[holder].parts[p].log.Read(r.off)
	if !ok || rec.Seq != seq {
		return false
	}
	for _, g := range s.groups {
		if g.committed[p] <= r.off {
			return true
		}
	}
	return false
}

// Committed and EndOffset return partition p's committed offset in group
// 0 and its leader's log end offset.
func (s *Sim) Committed(p int) int64 { return s.groups[0].committed[p] }
func (s *Sim) EndOffset(p int) int64 {
	l := s.meta[p].leader
	if l < 0 {
		return -1
	}
	return s.brokers[l].parts[p].log.EndOffset()
}

// Owner returns the consumer of group 0 that owns partition p (−1: none).
func (s *Sim) Owner(p int) int { return s.groups[0].owner[p] }

// Metrics reports the family figures (see NOTES.md).
func (s *Sim) Metrics() map[string]float64 {
	var maxMsgs, sumMsgs uint64
	var bytes int64
	var segs, deleted int
	var maxArea, sumArea float64
	end := s.last
	for p := range s.meta {
		s.advance(p, max(end, s.partLagSince[p]))
		maxMsgs = max(maxMsgs, s.msgs[p])
		sumMsgs += s.msgs[p]
		if l := s.meta[p].leader; l >= 0 {
			lg := s.brokers[l].parts[p].log
			bytes += lg.Appended()
			segs += lg.Segments()
			deleted += lg.Deleted()
		}
		maxArea = max(maxArea, s.partLagArea[p])
		sumArea += s.partLagArea[p]
	}
	unavail := s.unavail
	for p := range s.meta {
		if s.unavailSince[p] >= 0 && end > s.unavailSince[p] {
			unavail += end - s.unavailSince[p]
		}
	}
	lost, unconsumed := s.Lost()
	n := float64(len(s.meta))
	rebalances := 0
	for _, g := range s.groups {
		rebalances += g.rebalances
	}
	out := map[string]float64{
		"rebalances":          float64(rebalances),
		"bytes_appended":      float64(bytes),
		"segments":            float64(segs),
		"segments_deleted":    float64(deleted),
		"produced":            float64(s.st.produced),
		"acked":               float64(s.st.acked),
		"acked_lost":          float64(lost),
		"acked_unconsumed":    float64(unconsumed),
		"consumed":            float64(s.st.consumed),
		"duplicates":          float64(s.st.dups),
		"lost":                float64(s.st.lost),
		"order_violations":    float64(s.st.orderViolations),
		"lag_max":             float64(s.lagTotalMax),
		"lag_partition_max":   float64(s.lagPartMax),
		"lag_final":           float64(s.totalLag),
		"fetches":             float64(s.st.fetches),
		"isr_shrinks":         float64(s.st.isrShrinks),
		"isr_expands":         float64(s.st.isrExpands),
		"leader_elections":    float64(s.st.elections),
		"unclean_elections":   float64(s.st.unclean),
		"unavailable_s":       unavail.Seconds(),
		"not_enough_replicas": float64(s.st.notEnough),
		"not_leader":          float64(s.st.notLeader),
		"produce_retries":     float64(s.st.retries),
		"produce_failed":      float64(s.st.failed),
		"truncated":           float64(s.st.truncated),
		"offset_resets":       float64(s.st.offsetResets),
		"brokers_fenced":      float64(s.st.fenced),
		"controller_moves":    float64(s.st.controllerMov),
	}
	for g, h := range s.e2e {
		if h.TotalCount() == 0 {
			continue
		}
		suf := "_g" + itoa(g)
		out["end_to_end_ms_p50"+suf] = float64(h.ValueAtQuantile(50)) / 1e6
		out["end_to_end_ms_p99"+suf] = float64(h.ValueAtQuantile(99)) / 1e6
		out["end_to_end_ms_max"+suf] = float64(h.Max()) / 1e6
	}
	if sumMsgs > 0 {
		out["partition_max_mean"] = float64(maxMsgs) / (float64(sumMsgs) / n)
	}
	if end > 0 {
		out["lag_mean"] = s.lagArea / float64(end)
	}
	if sumArea > 0 {
		out["lag_skew"] = maxArea / (sumArea / n)
	}
	if s.net != nil {
		for k, v := range algorithms.ClusterMetrics(s.net, s.st.ops, end) {
			out[k] = v
		}
		out["client_messages"] = float64(s.net.Stats().ClientSent)
	}
	return out
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// IntervalMetrics samples the groups' total lag, whether a rebalance is in
// progress and how many partitions have no live leader.
func (s *Sim) IntervalMetrics() map[string]float64 {
	r, off := 0.0, 0.0
	for _, g := range s.groups {
		if g.rebalancing {
			r = 1
		}
	}
	for p := range s.meta {
		if s.unavailSince[p] >= 0 {
			off++
		}
	}
	return map[string]float64{"lag": float64(s.totalLag), "rebalancing": r, "offline_partitions": off}
}

var (
	_ harness.SimTarget         = (*Sim)(nil)
	_ harness.SimSetup          = (*Sim)(nil)
	_ harness.Metricser         = (*Sim)(nil)
	_ harness.IntervalMetricser = (*Sim)(nil)
)
