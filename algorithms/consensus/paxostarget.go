package consensus

import (
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
)

// PaxosSim is a Multi-Paxos (or Flexible Paxos) cluster as a SimTarget.
type PaxosSim struct {
	sim SimConfig
	cfg PaxosConfig

	c      *core
	nt     *simnet.Net[pmsg]
	px     *paxos
	tickFn harness.EventFunc
}

// NewPaxosSim returns a cluster; it is built on the World at Setup.
func NewPaxosSim(sim SimConfig, cfg PaxosConfig) (*PaxosSim, error) {
	cfg.Nodes = sim.Net.Nodes
	if err := sim.check(); err != nil {
		return nil, err
	}
	if err := checkQuorums(cfg.Nodes, cfg.Q1, cfg.Q2); err != nil && !cfg.unsafeQuorums {
		return nil, err
	}
	cfg.ElectionTicks = sim.ElectionTicks
	return &PaxosSim{sim: sim, cfg: cfg}, nil
}

// Setup builds the nodes and the network on w, starts every node's ticks,
// has node 0 run phase 1 at once (the initial leader), and schedules the
// faults.
func (s *PaxosSim) Setup(w *harness.World) {
	nc := s.sim.Net
	nc.KindNames = paxosKinds
	nt, err := simnet.New[pmsg](w, nc)
	if err != nil {
		panic(err) // validated by NewPaxosSim
	}
	s.nt, s.c = nt, newCore(w, nc.Nodes, s.sim.Timeout)
	s.px = newPaxos(s.c, nt, s.cfg)
	nt.OnCrash = func(n int) { s.px.r[n].crash() }
	nt.OnRestart = func(n int) { s.px.r[n].restart() }
	s.tickFn = s.tick
	for i := 0; i < nc.Nodes; i++ {
		w.At(s.sim.Tick, s.tickFn, nil, int64(i))
	}
	s.px.r[0].startPhase1()
	scheduleFaults(w, nt, s.sim)
}

func (s *PaxosSim) tick(w *harness.World, _ *harness.Request, node int64) {
	if s.nt.Up(int(node)) {
		s.px.r[node].tick()
	}
	w.After(s.sim.Tick, s.tickFn, nil, node)
}

// Start submits the op's command to the cluster.
func (s *PaxosSim) Start(_ *harness.World, req *harness.Request) { s.c.submit(req) }

// Metrics reports the family's figures and runs the safety check.
func (s *PaxosSim) Metrics() map[string]float64 {
	if s.c == nil {
		return nil
	}
	return s.c.metrics(s.nt.Stats(), paxosKinds)
}

var (
	_ harness.SimTarget = (*PaxosSim)(nil)
	_ harness.SimSetup  = (*PaxosSim)(nil)
	_ harness.Metricser = (*PaxosSim)(nil)
)
