package consensus

import (
	"encoding/binary"
	"fmt"
	"io"
	"log"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

// raftKinds names raftpb message types as simnet kinds (snake_case for
// metric keys).
var raftKinds = func() []string {
	k := make([]string, 24)
	for i := range k {
		k[i] = fmt.Sprintf("type%d", i)
	}
	for i, s := range map[int]string{
		3: "app", 4: "app_resp", 5: "vote", 6: "vote_resp", 7: "snap",
		8: "heartbeat", 9: "heartbeat_resp", 14: "timeout_now", 15: "read_index",
		16: "read_index_resp", 17: "pre_vote", 18: "pre_vote_resp",
	} {
		k[i] = s
	}
	return k
}()

// RaftSim drives one etcd raft RawNode per node from the simulator.
//
// etcd draws each randomized election timeout from crypto/rand, which no
// seed reproduces. So followers and candidates are not ticked: the driver
// keeps their election timers itself, uniform in [T, 2T) ticks from the
// World's source exactly as etcd does, resets them when the node hears from
// a leader of its term or grants a vote, and calls Campaign when one
// expires. The leader is ticked (heartbeats). CheckQuorum and PreVote are
// off (CheckQuorum's lease needs followers' ticks).
type RaftSim struct {
	sim SimConfig

	c      *core
	nt     *simnet.Net[*pb.Message]
	nodes  []*raftNode
	tickFn harness.EventFunc
}

type raftNode struct {
	id      int
	s       *RaftSim
	rn      *raft.RawNode
	st      *raft.MemoryStorage
	applied uint64
	leader  bool
	term    uint64
	elapsed int
	timeout int
}

// NewRaftSim returns a cluster; it is built on the World at Setup.
func NewRaftSim(sim SimConfig) (*RaftSim, error) {
	if err := sim.check(); err != nil {
		return nil, err
	}
	return &RaftSim{sim: sim}, nil
}

// Setup builds the nodes on w (each with a MemoryStorage holding the
// initial configuration of voters 1…n), starts the ticks, has node 0
// campaign at once and schedules the faults.
func (s *RaftSim) Setup(w *harness.World) {
	nc := s.sim.Net
	nc.KindNames = raftKinds
	nt, err := simnet.New[*pb.Message](w, nc)
	if err != nil {
		panic(err) // validated by NewRaftSim
	}
	s.nt, s.c = nt, newCore(w, nc.Nodes, s.sim.Timeout)
	s.c.propose = s.propose
	voters := make([]uint64, nc.Nodes)
	for i := range voters {
		voters[i] = uint64(i + 1)
	}
	for i := 0; i < nc.Nodes; i++ {
		n := &raftNode{id: i, s: s, st: raft.NewMemoryStorage()}
		one := uint64(1)
		if err := n.st.ApplySnapshot(&pb.Snapshot{Metadata: &pb.SnapshotMetadata{
			ConfState: &pb.ConfState{Voters: voters}, Index: &one, Term: &one,
		}}); err != nil {
			panic(err)
		}
		n.applied = 1
		n.start()
		s.nodes = append(s.nodes, n)
		nt.Handle(i, n.receive)
	}
	nt.OnCrash = func(i int) { s.nodes[i].leader = false; s.updateLeader() }
	nt.OnRestart = func(i int) { s.nodes[i].start() }
	s.tickFn = s.tick
	for i := 0; i < nc.Nodes; i++ {
		w.At(s.sim.Tick, s.tickFn, nil, int64(i))
	}
	s.nodes[0].campaign()
	scheduleFaults(w, nt, s.sim)
}

// start (re)creates the node's RawNode over its durable storage.
func (n *raftNode) start() {
	rn, err := raft.NewRawNode(&raft.Config{
		ID: uint64(n.id + 1), ElectionTick: n.s.sim.ElectionTicks, HeartbeatTick: 1,
		Storage: n.st, Applied: n.applied, MaxSizePerMsg: 1 << 20, MaxInflightMsgs: 1 << 12,
		Logger: quietLogger,
	})
	if err != nil {
		panic(err)
	}
	n.rn, n.leader = rn, false
	n.resetTimer()
}

func (n *raftNode) resetTimer() {
	t := n.s.sim.ElectionTicks
	n.elapsed = 0
	n.timeout = t + n.s.c.w.Rand().IntN(t)
}

func (n *raftNode) campaign() {
	n.s.c.phase1Runs++
	n.resetTimer()
	_ = n.rn.Campaign()
	n.process()
}

func (s *RaftSim) tick(w *harness.World, _ *harness.Request, i int64) {
	n := s.nodes[i]
	if s.nt.Up(int(i)) {
		if n.leader {
			n.rn.Tick()
			n.process()
		} else if n.elapsed++; n.elapsed >= n.timeout {
			n.campaign()
		}
	}
	w.After(s.sim.Tick, s.tickFn, nil, i)
}

func (s *RaftSim) propose(node int, cmd int64) {
	n := s.nodes[node]
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(cmd))
	if n.rn.Propose(b[:]) == nil {
		n.process()
	}
}

func (n *raftNode) receive(m *simnet.Msg[*pb.Message]) {
	msg := m.Payload
	switch msg.GetType() {
	case pb.MessageType_MsgApp, pb.MessageType_MsgHeartbeat, pb.MessageType_MsgSnap:
		if msg.GetTerm() >= n.term {
			n.elapsed = 0 // heard from a current leader
		}
	}
	_ = n.rn.Step(msg)
	n.process()
}

// process handles every Ready: persist, send, apply, advance.
func (n *raftNode) process() {
	s, c := n.s, n.s.c
	changed := false
	for n.rn.HasReady() {
		rd := n.rn.Ready()
		if rd.HardState != nil && !raft.IsEmptyHardState(rd.HardState) {
			_ = n.st.SetHardState(rd.HardState)
			if t := rd.HardState.GetTerm(); t != n.term {
				n.term, changed = t, true
			}
		}
		if rd.Snapshot != nil && !raft.IsEmptySnap(rd.Snapshot) {
			_ = n.st.ApplySnapshot(rd.Snapshot)
		}
		if len(rd.Entries) > 0 {
			_ = n.st.Append(rd.Entries)
		}
		if rd.SoftState != nil {
			n.leader = rd.SoftState.RaftState == raft.StateLeader
			changed = true
		}
		for _, m := range rd.Messages {
			if m.GetType() == pb.MessageType_MsgVoteResp && !m.GetReject() {
				n.resetTimer() // granted a vote: do not start a rival election
			}
			s.nt.Send(n.id, int(m.GetTo())-1, simnet.Kind(m.GetType()), m)
		}
		for _, e := range rd.CommittedEntries {
			idx := e.GetIndex()
			cmd := noop
			if e.GetType() == pb.EntryType_EntryNormal && len(e.Data) == 8 {
				cmd = int64(binary.LittleEndian.Uint64(e.Data))
			}
			c.learn(n.id, int64(idx), cmd)
			if n.leader {
				c.applied(n.id, int64(idx), cmd)
			}
			n.applied = idx
		}
		n.rn.Advance(rd)
	}
	if changed {
		s.updateLeader()
	}
}

// updateLeader tells the core which live node leads with the highest term.
func (s *RaftSim) updateLeader() {
	best, term := -1, uint64(0)
	for _, n := range s.nodes {
		if n.leader && s.nt.Up(n.id) && n.term >= term {
			best, term = n.id, n.term
		}
	}
	s.c.setLeader(best, int64(term))
}

// Start submits the op's command to the cluster.
func (s *RaftSim) Start(_ *harness.World, req *harness.Request) { s.c.submit(req) }

// Metrics reports the family's figures and runs the safety check.
func (s *RaftSim) Metrics() map[string]float64 {
	if s.c == nil {
		return nil
	}
	return s.c.metrics(s.nt.Stats(), raftKinds)
}

var (
	_ harness.SimTarget = (*RaftSim)(nil)
	_ harness.SimSetup  = (*RaftSim)(nil)
	_ harness.Metricser = (*RaftSim)(nil)
)

// quietLogger keeps etcd raft's election chatter off the terminal (no
// package below cmd prints).
var quietLogger = &raft.DefaultLogger{Logger: log.New(io.Discard, "", 0)}
