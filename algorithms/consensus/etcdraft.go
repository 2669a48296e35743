package consensus

import (
	"encoding/binary"
	"fmt"
	"io"
	"log"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/history"
	"github.com/dsbench/dsbench/harness/simnet"
	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

// Kinds of the etcd driver's messages: raftpb message types 0…23, then the
// clients' requests and the replies.
const (
	eRequest simnet.Kind = 24
	eReply   simnet.Kind = 25
)

// etcdKinds names raftpb message types as simnet kinds (snake_case for
// metric keys).
var etcdKinds = func() []string {
	k := make([]string, 26)
	for i := range k {
		k[i] = fmt.Sprintf("type%d", i)
	}
	for i, s := range map[int]string{
		3: "app", 4: "app_resp", 5: "vote", 6: "vote_resp", 7: "snap",
		8: "heartbeat", 9: "heartbeat_resp", 14: "timeout_now", 15: "read_index",
		16: "read_index_resp", 17: "pre_vote", 18: "pre_vote_resp", 24: "request", 25: "reply",
	} {
		k[i] = s
	}
	return k
}()

// emsg is a message of the etcd driver's cluster: a raftpb message between
// nodes, or a client's request / a reply.
type emsg struct {
	m        *pb.Message
	cmd, val int64
	low      int64
	key      uint64
}

// EtcdRaftSim drives one etcd raft RawNode per node from the simulator
// (consensus/etcd-raft, the production reference).
//
// etcd draws each randomized election timeout from crypto/rand, which no
// seed reproduces. So followers and candidates are not ticked: the driver
// keeps their election timers itself, uniform in election_timeout from the
// World's source, resets them when the node hears from a leader of its term
// or grants a vote, and calls Campaign when one expires. The leader is
// ticked every heartbeat (HeartbeatTick 1). CheckQuorum and PreVote are off
// (CheckQuorum's lease needs followers' ticks).
type EtcdRaftSim struct {
	sim SimConfig

	c     *core
	nt    *simnet.Net[emsg]
	nodes []*etcdNode
	ts    *timers[emsg]
	hist  *history.Log

	tickFn, syncedFn harness.EventFunc
}

type etcdNode struct {
	id      int
	s       *EtcdRaftSim
	rn      *raft.RawNode
	st      *raft.MemoryStorage
	applied uint64
	leader  bool
	term    uint64
	tickGen int64
	// syncing: a Ready's entries and hard state are being fsynced; its
	// messages, committed entries and Advance wait for the disk, and no
	// other Ready is taken meanwhile (RawNode's contract).
	syncing bool
	pending raft.Ready
}

// NewEtcdRaftSim returns a cluster; it is built on the World at Setup.
func NewEtcdRaftSim(sim SimConfig) (*EtcdRaftSim, error) {
	if err := sim.check(); err != nil {
		return nil, err
	}
	return &EtcdRaftSim{sim: sim}, nil
}

// RecordHistory makes the cluster record its clients' history (--check).
func (s *EtcdRaftSim) RecordHistory(l *history.Log) { s.hist = l }

// EndsRun reports that the elections experiment ends the run itself.
func (s *EtcdRaftSim) EndsRun() bool { return s.sim.Trials > 0 }

// Setup builds the nodes on w (each with a MemoryStorage holding the
// initial configuration of voters 1…n at index 1), starts the followers'
// timers at independent phases, has node 0 campaign at once and schedules
// the faults.
func (s *EtcdRaftSim) Setup(w *harness.World) {
	n := s.sim.nodes()
	nt := newNet[emsg](w, s.sim, etcdKinds)
	s.nt, s.c = nt, newCore(w, n, s.sim.Timeout)
	s.c.hist = s.hist
	s.c.startAt(1) // index 1 is the initial configuration
	s.c.request = func(node int, e entry) {
		nt.FromClient(node, eRequest, emsg{cmd: e.cmd, key: e.key, low: e.low})
	}
	s.c.reply = func(node int, cmd, value int64) { nt.ToClient(node, eReply, emsg{cmd: cmd, val: value}) }
	s.c.trim = s.trim
	nt.HandleClients(func(m *simnet.Msg[emsg]) { s.c.answer(m.From, m.Payload.cmd, m.Payload.val) })
	s.ts = newTimers(nt, s.electionTimeout)
	s.tickFn = s.tick
	voters := make([]uint64, n)
	for i := range voters {
		voters[i] = uint64(i + 1)
	}
	for i := 0; i < n; i++ {
		en := &etcdNode{id: i, s: s, st: raft.NewMemoryStorage()}
		one := uint64(1)
		if err := en.st.ApplySnapshot(&pb.Snapshot{Metadata: &pb.SnapshotMetadata{
			ConfState: &pb.ConfState{Voters: voters}, Index: &one, Term: &one,
		}}); err != nil {
			panic(err)
		}
		en.applied = 1
		s.nodes = append(s.nodes, en)
		nt.Handle(i, en.receive)
	}
	for _, en := range s.nodes {
		en.start()
	}
	nt.OnCrash = func(i int) {
		s.nodes[i].leader = false
		s.ts.lost(i)
		s.updateLeader()
	}
	nt.OnRestart = func(i int) {
		s.ts.lost(i)
		en := s.nodes[i]
		en.syncing, en.pending = false, raft.Ready{} // the write in flight was lost
		en.start()
	}
	s.syncedFn = s.synced
	s.nodes[0].campaign()
	startElections(s.c, nt, s.sim, func(i int) {
		if en := s.nodes[i]; en.leader {
			en.rn.Tick() // HeartbeatTick 1: one tick broadcasts a heartbeat
			en.process()
			en.tickGen++ // the next tick is a whole period from now
			s.nt.After(en.id, s.sim.Heartbeat, s.tickFn, nil, int64(en.id)|en.tickGen<<8)
		}
	})
	scheduleFaults(nt, s.sim)
}

// start (re)creates the node's RawNode over its durable storage.
func (en *etcdNode) start() {
	sim := en.s.sim
	et := int(sim.Election.Min / sim.Heartbeat)
	rn, err := raft.NewRawNode(&raft.Config{
		ID: uint64(en.id + 1), ElectionTick: max(2, et), HeartbeatTick: 1,
		Storage: en.st, Applied: en.applied, MaxSizePerMsg: 1 << 20, MaxInflightMsgs: 1 << 12,
		Logger: quietLogger,
	})
	if err != nil {
		panic(err)
	}
	en.rn, en.leader = rn, false
	en.resetTimer()
}

func (en *etcdNode) resetTimer() { en.s.ts.reset(en.id, en.s.sim.Election.draw(en.s.c.w)) }

func (en *etcdNode) campaign() {
	en.s.c.phase1Runs++
	en.resetTimer()
	_ = en.rn.Campaign()
	en.process()
}

// electionTimeout: the node heard from no leader of its term for a whole
// timeout; a candidate's running out is a lost election (split vote).
func (s *EtcdRaftSim) electionTimeout(i int) {
	en := s.nodes[i]
	if en.leader {
		return
	}
	if en.rn.Status().RaftState == raft.StateCandidate && s.c.el != nil {
		s.c.el.splitVote()
	}
	en.campaign()
}

// tick ticks a leader every heartbeat (its gen stops a stale loop).
func (s *EtcdRaftSim) tick(w *harness.World, _ *harness.Request, arg int64) {
	en := s.nodes[arg&0xff]
	if !en.leader || arg>>8 != en.tickGen {
		return
	}
	en.rn.Tick()
	en.process()
	s.nt.After(en.id, s.sim.Heartbeat, s.tickFn, nil, arg)
}

func (en *etcdNode) receive(m *simnet.Msg[emsg]) {
	if m.Kind == eRequest {
		if en.leader {
			var b [24]byte
			binary.LittleEndian.PutUint64(b[0:], uint64(m.Payload.cmd))
			binary.LittleEndian.PutUint64(b[8:], m.Payload.key)
			binary.LittleEndian.PutUint64(b[16:], uint64(m.Payload.low))
			if en.rn.Propose(b[:]) == nil {
				en.process()
			}
		}
		return
	}
	msg := m.Payload.m
	switch msg.GetType() {
	case pb.MessageType_MsgApp, pb.MessageType_MsgHeartbeat, pb.MessageType_MsgSnap:
		if msg.GetTerm() >= en.term {
			en.resetTimer() // heard from a current leader
			if el := en.s.c.el; el != nil {
				el.heard(en.id, int(msg.GetFrom())-1, int64(msg.GetTerm()))
			}
		}
	}
	_ = en.rn.Step(msg)
	en.process()
}

// process handles every Ready: persist, send, apply, advance — with a disk
// (fsync set) and a Ready that must be synced (new entries, a vote or a term:
// Ready.MustSync), the write is fsynced first and the rest waits for it
// (etcd's Ready contract: messages go out only once what they vouch for is
// durable; group commit batches the writes). A commit index alone needs no
// fsync.
func (en *etcdNode) process() {
	s := en.s
	changed := false
	for !en.syncing && en.rn.HasReady() {
		rd := en.rn.Ready()
		if rd.HardState != nil && !raft.IsEmptyHardState(rd.HardState) {
			if t := rd.HardState.GetTerm(); t != en.term {
				en.term, changed = t, true
			}
		}
		if rd.SoftState != nil {
			changed = true
			en.roleChanged(rd.SoftState.RaftState == raft.StateLeader)
		}
		if rd.MustSync && s.nt.Config().Fsync != nil {
			// A leader's appends and heartbeats may leave while its own
			// write is under way (Raft thesis §10.2.1, as etcd's docs allow);
			// everything else waits for the fsync.
			if en.leader {
				rest := rd.Messages[:0:0]
				for _, m := range rd.Messages {
					if t := m.GetType(); t == pb.MessageType_MsgApp || t == pb.MessageType_MsgHeartbeat {
						s.nt.Send(en.id, int(m.GetTo())-1, simnet.Kind(t), emsg{m: m})
					} else {
						rest = append(rest, m)
					}
				}
				rd.Messages = rest
			}
			en.syncing, en.pending = true, rd
			s.nt.Fsync(en.id, s.syncedFn, nil, int64(en.id))
			break
		}
		en.finish(rd)
	}
	if changed {
		s.updateLeader()
	}
}

// synced: node's fsync is done; finish its Ready and take the next.
func (s *EtcdRaftSim) synced(_ *harness.World, _ *harness.Request, arg int64) {
	en := s.nodes[arg]
	if !en.syncing {
		return
	}
	rd := en.pending
	en.syncing, en.pending = false, raft.Ready{}
	en.finish(rd)
	en.process()
}

// roleChanged starts a new leader's heartbeat loop or a follower's timer.
func (en *etcdNode) roleChanged(leader bool) {
	s, c := en.s, en.s.c
	was := en.leader
	en.leader = leader
	if en.leader && !was {
		s.ts.stop(en.id)
		en.tickGen++
		s.nt.After(en.id, s.sim.Heartbeat, s.tickFn, nil, int64(en.id)|en.tickGen<<8)
		if c.el != nil {
			c.el.heard(en.id, en.id, int64(en.term))
		}
	} else if !en.leader && was {
		en.resetTimer()
	}
}

// finish persists a Ready to the node's storage, sends its messages,
// applies its committed entries and advances.
func (en *etcdNode) finish(rd raft.Ready) {
	s, c := en.s, en.s.c
	if rd.HardState != nil && !raft.IsEmptyHardState(rd.HardState) {
		_ = en.st.SetHardState(rd.HardState)
	}
	if rd.Snapshot != nil && !raft.IsEmptySnap(rd.Snapshot) {
		_ = en.st.ApplySnapshot(rd.Snapshot)
	}
	if len(rd.Entries) > 0 {
		_ = en.st.Append(rd.Entries)
	}
	for _, m := range rd.Messages {
		if m.GetType() == pb.MessageType_MsgVoteResp && !m.GetReject() {
			en.resetTimer() // granted a vote: do not start a rival election
		}
		s.nt.Send(en.id, int(m.GetTo())-1, simnet.Kind(m.GetType()), emsg{m: m})
	}
	for _, e := range rd.CommittedEntries {
		idx := e.GetIndex()
		ent := entry{cmd: noop}
		if e.GetType() == pb.EntryType_EntryNormal && len(e.Data) == 24 {
			ent = entry{
				cmd: int64(binary.LittleEndian.Uint64(e.Data[0:])),
				key: binary.LittleEndian.Uint64(e.Data[8:]),
				low: int64(binary.LittleEndian.Uint64(e.Data[16:])),
			}
		}
		c.learn(en.id, int64(idx), ent)
		en.applied = idx
	}
	if len(rd.CommittedEntries) > 0 {
		c.apply(en.id, en.leader)
	}
	en.rn.Advance(rd)
}

// trim compacts every node's MemoryStorage below the slot all have applied.
func (s *EtcdRaftSim) trim(floor int64) {
	for _, en := range s.nodes {
		_ = en.st.Compact(uint64(floor))
	}
}

// updateLeader tells the core which live node leads with the highest term.
func (s *EtcdRaftSim) updateLeader() {
	best, term := -1, uint64(0)
	for _, en := range s.nodes {
		if en.leader && s.nt.Up(en.id) && en.term >= term {
			best, term = en.id, en.term
		}
	}
	s.c.setLeader(best, int64(term))
}

// Start sends the op's command to the cluster.
func (s *EtcdRaftSim) Start(_ *harness.World, req *harness.Request) { s.c.submit(req) }

// Metrics reports the family's figures.
func (s *EtcdRaftSim) Metrics() map[string]float64 {
	if s.c == nil {
		return nil
	}
	return s.c.metrics(s.nt, etcdKinds, algorithms.ClusterMetrics(s.nt, s.c.answered, s.c.w.Now()))
}

var (
	_ harness.SimTarget       = (*EtcdRaftSim)(nil)
	_ harness.SimSetup        = (*EtcdRaftSim)(nil)
	_ harness.Metricser       = (*EtcdRaftSim)(nil)
	_ harness.HistoryRecorder = (*EtcdRaftSim)(nil)
	_ harness.RunEnder        = (*EtcdRaftSim)(nil)
)

// quietLogger keeps etcd raft's election chatter off the terminal (no
// package below cmd prints).
var quietLogger = &raft.DefaultLogger{Logger: log.New(io.Discard, "", 0)}
