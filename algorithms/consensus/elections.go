package consensus

import (
	"math"
	"slices"
	"time"

	"github.com/dsbench/dsbench/harness"
)

// elections measures leader elections, and with trials > 0 runs the Raft
// paper's experiment (Ongaro & Ousterhout, ATC'14, §9.3 and Fig. 16): crash
// the leader at a uniformly random point of its heartbeat interval — right
// after it broadcast a heartbeat, as the paper's test script did to
// encourage split votes — and time how long until every live node has heard
// from a new leader; restart the old leader, let the cluster settle, and
// repeat until trials elections are measured, then end the run.
type elections struct {
	c      *core
	trials int
	settle time.Duration
	hb     time.Duration

	heardLeader []int   // per node: the leader it last heard from
	heardTerm   []int64 // and that leader's term/ballot

	splitVotes uint64
	samples    []time.Duration

	// the trial under way
	phase    trialPhase
	crashed  int
	crashAt  time.Duration
	oldTerm  int64
	restarts func(node int)
	crash    func(node int)
	beat     func(node int) // the protocol broadcasts a heartbeat now
	up       func(node int) bool
	stepFn   harness.EventFunc
}

type trialPhase uint8

const (
	trialIdle     trialPhase = iota // no trials
	trialSettling                   // waiting for a stable leader
	trialArmed                      // the crash is scheduled
	trialElecting                   // the leader is down: timing the election
	trialDone
)

func newElections(c *core, n, trials int, hb, settle time.Duration) *elections {
	e := &elections{c: c, trials: trials, hb: hb, settle: settle,
		heardLeader: make([]int, n), heardTerm: make([]int64, n), crashed: -1}
	for i := range e.heardLeader {
		e.heardLeader[i] = -1
	}
	e.stepFn = e.step
	c.el = e
	return e
}

// start begins the trials (if any) once the first leader has settled.
func (e *elections) start() {
	if e.trials > 0 {
		e.phase = trialSettling
		e.c.w.After(e.settle, e.stepFn, nil, 0)
	}
}

// heard records that node accepted a message from leader of term (a
// leader hears itself when it is elected).
func (e *elections) heard(node, leader int, term int64) {
	if term < e.heardTerm[node] {
		return
	}
	e.heardLeader[node], e.heardTerm[node] = leader, term
	if e.phase == trialElecting {
		e.checkElected()
	}
}

// splitVote counts a candidacy whose election timer ran out before it won:
// its term ended with no leader (a split vote or lost messages).
func (e *elections) splitVote() { e.splitVotes++ }

// leaderChanged is called by core.setLeader.
func (e *elections) leaderChanged(int, int64) {
	if e.phase == trialElecting {
		e.checkElected()
	}
}

// checkElected ends the trial when the effective leader is a new one, of a
// later term, and every live node has heard from it.
func (e *elections) checkElected() {
	c := e.c
	if c.leader < 0 || c.leader == e.crashed || c.leaderTerm <= e.oldTerm {
		return
	}
	for i := range e.heardLeader {
		if e.up(i) && (e.heardLeader[i] != c.leader || e.heardTerm[i] != c.leaderTerm) {
			return
		}
	}
	e.samples = append(e.samples, c.w.Now()-e.crashAt)
	e.restarts(e.crashed)
	e.crashed = -1
	if len(e.samples) >= e.trials {
		e.phase = trialDone
		c.w.EndRun()
		return
	}
	e.phase = trialSettling
	c.w.After(e.settle, e.stepFn, nil, 0)
}

// step drives the trials: after settling, schedule the crash at a uniform
// point of the heartbeat interval; at that point, heartbeat and crash.
func (e *elections) step(w *harness.World, _ *harness.Request, _ int64) {
	c := e.c
	switch e.phase {
	case trialSettling:
		if c.leader < 0 {
			w.After(e.hb, e.stepFn, nil, 0) // not settled yet: look again
			return
		}
		e.phase = trialArmed
		w.After(time.Duration(w.Rand().Int64N(int64(e.hb)+1)), e.stepFn, nil, 0)
	case trialArmed:
		if c.leader < 0 {
			e.phase = trialSettling
			w.After(e.settle, e.stepFn, nil, 0)
			return
		}
		e.crashed, e.oldTerm, e.crashAt = c.leader, c.leaderTerm, w.Now()
		e.beat(e.crashed)
		e.phase = trialElecting
		e.crash(e.crashed)
	}
}

// metrics adds the election figures: election_ms_p50/p99/max over the
// trials (nearest-rank percentiles), elections measured and split votes.
func (e *elections) metrics(m map[string]float64) {
	m["split_votes"] = float64(e.splitVotes)
	if e.trials == 0 {
		return
	}
	m["elections"] = float64(len(e.samples))
	if len(e.samples) == 0 {
		return
	}
	s := slices.Clone(e.samples)
	slices.Sort(s)
	q := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		return float64(s[max(i, 0)]) / float64(time.Millisecond)
	}
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	m["election_ms_p50"] = q(0.50)
	m["election_ms_p99"] = q(0.99)
	m["election_ms_max"] = float64(s[len(s)-1]) / float64(time.Millisecond)
	m["election_ms_mean"] = float64(sum) / float64(len(s)) / float64(time.Millisecond)
}
