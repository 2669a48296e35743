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
	// limit cuts a trial whose election takes longer (its sample is the
	// limit, counted in cut) and ends the run when no leader settles within
	// it; 0: no limit. Without randomness (150ms..150ms) candidates can tie
	// forever; the paper's took more than 10 s.
	limit   time.Duration
	cut     int
	trialNo int64 // the trial under way, for its watchdog

	// the trial under way
	phase      trialPhase
	settleFrom time.Duration // settling began
	crashed    int
	crashAt    time.Duration
	oldTerm    int64
	restarts   func(node int)
	crash      func(node int)
	beat       func(node int) // the protocol broadcasts a heartbeat now
	up         func(node int) bool
	stepFn     harness.EventFunc
	watchFn    harness.EventFunc
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
	e.stepFn, e.watchFn = e.step, e.watch
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
	e.finish(c.w.Now() - e.crashAt)
}

// finish records a trial's sample, restarts the crashed leader, and
// settles for the next trial or ends the run.
func (e *elections) finish(sample time.Duration) {
	c := e.c
	e.samples = append(e.samples, sample)
	e.restarts(e.crashed)
	e.crashed = -1
	e.trialNo++
	e.settleFrom = c.w.Now()
	if len(e.samples) >= e.trials {
		e.phase = trialDone
		c.w.EndRun()
		return
	}
	e.phase = trialSettling
	c.w.After(e.settle, e.stepFn, nil, 0)
}

// step drives the trials. Once a leader has settled it broadcasts a
// heartbeat to every follower at once (restarting its heartbeat period) and
// is crashed at a uniform point of the heartbeat interval that follows, so
// the followers' timers start together — the paper's "synchronized
// broadcast of heartbeat RPCs … before terminating" that encourages split
// votes — and the downtime can be as short as the minimum election timeout
// less one heartbeat interval.
func (e *elections) step(w *harness.World, _ *harness.Request, _ int64) {
	c := e.c
	switch e.phase {
	case trialSettling:
		if c.leader < 0 {
			if e.limit > 0 && w.Now()-e.settleFrom > e.limit {
				e.phase = trialDone // no leader within the limit: stop here
				w.EndRun()
				return
			}
			w.After(e.hb, e.stepFn, nil, 0) // not settled yet: look again
			return
		}
		e.crashed, e.oldTerm = c.leader, c.leaderTerm
		e.beat(e.crashed)
		e.phase = trialArmed
		w.After(time.Duration(w.Rand().Int64N(int64(e.hb))), e.stepFn, nil, 0)
	case trialArmed:
		if c.leader != e.crashed || c.leaderTerm != e.oldTerm {
			e.crashed = -1 // the leader changed meanwhile: settle again
			e.phase = trialSettling
			w.After(e.settle, e.stepFn, nil, 0)
			return
		}
		e.crashAt = w.Now()
		e.phase = trialElecting
		e.crash(e.crashed)
		if e.limit > 0 {
			w.After(e.limit, e.watchFn, nil, e.trialNo)
		}
	}
}

// watch cuts trial no at the limit if it is still electing.
func (e *elections) watch(_ *harness.World, _ *harness.Request, no int64) {
	if e.phase == trialElecting && no == e.trialNo {
		e.cut++
		e.finish(e.limit)
	}
}

// metrics adds the election figures: election_ms_p50/p99/max/mean over
// the trials (nearest-rank percentiles), elections measured, elections_cut
// (trials cut at the limit, counted at the limit) and split votes.
func (e *elections) metrics(m map[string]float64) {
	m["split_votes"] = float64(e.splitVotes)
	if e.trials == 0 {
		return
	}
	m["elections"] = float64(len(e.samples))
	m["elections_cut"] = float64(e.cut)
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
