package consensus

import (
	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/history"
	"github.com/dsbench/dsbench/harness/simnet"
)

// PaxosSim is a Multi-Paxos (or Flexible Paxos) cluster as a SimTarget.
type PaxosSim struct {
	sim SimConfig
	cfg PaxosConfig

	c    *core
	nt   *simnet.Net[pmsg]
	px   *paxos
	hist *history.Log
}

// NewPaxosSim returns a cluster; it is built on the World at Setup.
func NewPaxosSim(sim SimConfig, cfg PaxosConfig) (*PaxosSim, error) {
	cfg.Nodes = sim.nodes()
	if err := sim.check(); err != nil {
		return nil, err
	}
	if err := checkQuorums(cfg.Nodes, cfg.Q1, cfg.Q2); err != nil && !cfg.Unsafe {
		return nil, err
	}
	cfg.Election, cfg.Heartbeat = sim.Election, sim.Heartbeat
	return &PaxosSim{sim: sim, cfg: cfg}, nil
}

// RecordHistory makes the cluster record its clients' history (--check).
func (s *PaxosSim) RecordHistory(l *history.Log) { s.hist = l }

// EndsRun reports that the elections experiment ends the run itself.
func (s *PaxosSim) EndsRun() bool { return s.sim.Trials > 0 }

// Setup builds the nodes and the network on w, starts every follower's
// election timer at an independent phase, has node 0 run phase 1 at once
// (the initial leader), and schedules the faults.
func (s *PaxosSim) Setup(w *harness.World) {
	nt := newNet[pmsg](w, s.sim, paxosKinds)
	s.nt, s.c = nt, newCore(w, s.cfg.Nodes, s.sim.Timeout)
	s.c.hist = s.hist
	s.px = newPaxos(s.c, nt, s.cfg)
	nt.OnCrash = func(n int) { s.px.r[n].crash() }
	nt.OnRestart = func(n int) { s.px.r[n].restart() }
	for _, r := range s.px.r[1:] {
		r.resetTimer()
	}
	s.px.r[0].startPhase1()
	startElections(s.c, nt, s.sim, func(n int) { s.px.r[n].forceBeat() })
	scheduleFaults(nt, s.sim)
}

// Start sends the op's command to the cluster.
func (s *PaxosSim) Start(_ *harness.World, req *harness.Request) { s.c.submit(req) }

// Metrics reports the family's figures.
func (s *PaxosSim) Metrics() map[string]float64 {
	if s.c == nil {
		return nil
	}
	return s.c.metrics(s.nt, paxosKinds, algorithms.ClusterMetrics(s.nt, s.c.answered, s.c.w.Now()))
}

var (
	_ harness.SimTarget       = (*PaxosSim)(nil)
	_ harness.SimSetup        = (*PaxosSim)(nil)
	_ harness.Metricser       = (*PaxosSim)(nil)
	_ harness.HistoryRecorder = (*PaxosSim)(nil)
	_ harness.RunEnder        = (*PaxosSim)(nil)
)
