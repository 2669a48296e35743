package spanner

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// Config is a Spanner deployment in virtual time.
type Config struct {
	TT          TTConfig
	Groups      int                    // Paxos groups; key k lives in group k mod Groups
	Replication workloads.DurationDist // Paxos write latency of one commit in a group
	CommitWait  bool                   // wait until TT.after(s) before acknowledging
}

func (c Config) check() error {
	if err := c.TT.check(); err != nil {
		return err
	}
	switch {
	case c.Groups < 1 || c.Groups > maxGroups:
		return fmt.Errorf("spanner: groups=%d out of range (valid: 1 … %d)", c.Groups, maxGroups)
	case c.Replication == nil:
		return errors.New("spanner: no replication_delay distribution")
	}
	return nil
}

const maxGroups = 1 << 12

// Sim is the spanner/truetime target. Single-threaded, like the World.
type Sim struct {
	cfg    Config
	clocks []*Clock        // one per group leader
	lastTs []time.Duration // last commit timestamp per group (monotonic per leader)

	txns []txn
	free []int32

	locks    map[uint64]*keyLock // key → lock and FIFO of waiting writers
	pending  map[uint64][]int32  // key → writers with s picked, not yet acknowledged
	readWait map[uint64][]int32  // key → readers waiting for a pending writer
	keyAcked map[uint64]time.Duration
	keyRead  map[uint64]time.Duration // key → largest snapshot timestamp a completed read of it used
	maxAcked time.Duration            // largest s of any acknowledged write (−1: none)

	// figures
	writes, reads, roWaits, violations, lockWaits uint64
	cwSum, cwMax, cwExposedSum                    time.Duration
	cwN                                           uint64
	epsSum                                        float64
	epsN                                          uint64

	replFn, finishFn harness.EventFunc
}

type txn struct {
	req      *harness.Request
	key      uint64
	group    int32
	s        time.Duration // commit or read timestamp
	startMax time.Duration // maxAcked when the transaction started
	startRd  time.Duration // keyRead of its key when the transaction started (−1: none)
	picked   time.Duration // true time s was picked
	cwEnd    time.Duration // true time TT.after(s) first holds
	need     int           // readers: pending writers still to wait for
}

type keyLock struct {
	held  bool
	queue []int32
}

// NewSim builds the target; r draws each group leader's clock (poll phase,
// drift rate, per-poll errors).
func NewSim(cfg Config, r *rand.Rand) (*Sim, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	s := &Sim{
		cfg: cfg, lastTs: make([]time.Duration, cfg.Groups),
		locks: map[uint64]*keyLock{}, pending: map[uint64][]int32{},
		readWait: map[uint64][]int32{}, keyAcked: map[uint64]time.Duration{}, keyRead: map[uint64]time.Duration{}, maxAcked: -1,
	}
	for range cfg.Groups {
		s.clocks = append(s.clocks, NewClock(cfg.TT, r))
	}
	for i := range s.lastTs {
		s.lastTs[i] = -1 << 62
	}
	s.replFn, s.finishFn = s.replicated, s.finish
	return s, nil
}

func (s *Sim) alloc() int32 {
	if n := len(s.free); n > 0 {
		i := s.free[n-1]
		s.free = s.free[:n-1]
		return i
	}
	s.txns = append(s.txns, txn{})
	return int32(len(s.txns) - 1)
}

func (s *Sim) release(i int32) { s.txns[i] = txn{}; s.free = append(s.free, i) }

// isWrite reports whether an op kind is a read-write transaction.
func isWrite(k workloads.Kind) bool {
	switch k {
	case workloads.Update, workloads.Insert, workloads.RMW, workloads.Delete:
		return true
	}
	return false
}

// Start runs a read-write transaction (update, insert, rmw, delete) or a
// lock-free snapshot read (every other kind).
func (s *Sim) Start(w *harness.World, req *harness.Request) {
	i := s.alloc()
	t := &s.txns[i]
	t.req, t.key = req, req.Op.Key
	t.group = int32(req.Op.Key % uint64(s.cfg.Groups))
	t.startMax = s.maxAcked
	t.startRd = -1
	if r, ok := s.keyRead[t.key]; ok {
		t.startRd = r
	}
	if !isWrite(req.Op.Kind) {
		s.read(w, i)
		return
	}
	s.writes++
	l := s.locks[t.key]
	if l == nil {
		l = &keyLock{}
		s.locks[t.key] = l
	}
	if l.held {
		s.lockWaits++
		l.queue = append(l.queue, i)
		return
	}
	l.held = true
	s.commit(w, i)
}

// pick draws TT.now() on the group leader and accounts ε.
func (s *Sim) pick(g int32, now time.Duration) time.Duration {
	c := s.clocks[g]
	s.epsSum += float64(c.Epsilon(now))
	s.epsN++
	_, latest := c.Now(now)
	return latest
}

// commit runs a writer that holds its key's lock: pick s, replicate,
// commit-wait.
func (s *Sim) commit(w *harness.World, i int32) {
	t := &s.txns[i]
	now := w.Now()
	ts := max(s.pick(t.group, now), s.lastTs[t.group]+1)
	s.lastTs[t.group] = ts
	t.s, t.picked = ts, now
	if ts <= t.startMax || ts <= t.startRd {
		s.violations++ // a write acknowledged, or a read of this key completed, before this one started has s ≥ ours
	}
	s.pending[t.key] = append(s.pending[t.key], i)
	t.cwEnd = now
	if s.cfg.CommitWait {
		t.cwEnd = s.clocks[t.group].AfterTime(ts, now)
		cw := t.cwEnd - now
		s.cwSum += cw
		s.cwMax = max(s.cwMax, cw)
		s.cwN++
	}
	w.After(s.cfg.Replication.Next(w.Rand()), s.replFn, nil, int64(i))
}

// replicated: the Paxos write is durable; finish once commit wait is over
// too (the two overlap, §4.1.2).
func (s *Sim) replicated(w *harness.World, _ *harness.Request, arg int64) {
	t := &s.txns[arg]
	if t.cwEnd > w.Now() {
		s.cwExposedSum += t.cwEnd - w.Now()
		w.At(t.cwEnd, s.finishFn, nil, arg)
		return
	}
	s.finish(w, nil, arg)
}

func (s *Sim) finish(w *harness.World, _ *harness.Request, arg int64) {
	i := int32(arg)
	t := &s.txns[i]
	s.maxAcked = max(s.maxAcked, t.s)
	if a, ok := s.keyAcked[t.key]; !ok || t.s > a {
		s.keyAcked[t.key] = t.s
	}
	key, ts, req, g := t.key, t.s, t.req, t.group
	s.pending[key] = removeIdx(s.pending[key], i)
	if len(s.pending[key]) == 0 {
		delete(s.pending, key)
	}
	s.release(i)
	w.Complete(req, harness.Outcome{Shard: g})
	// Readers at a snapshot ≥ ts were waiting for this write to be visible.
	if rs := s.readWait[key]; len(rs) > 0 {
		kept := rs[:0]
		for _, r := range rs {
			rt := &s.txns[r]
			if rt.s >= ts {
				rt.need--
			}
			if rt.need == 0 {
				s.completeRead(w, r)
			} else {
				kept = append(kept, r)
			}
		}
		if len(kept) == 0 {
			delete(s.readWait, key)
		} else {
			s.readWait[key] = kept
		}
	}
	l := s.locks[key]
	if len(l.queue) == 0 {
		delete(s.locks, key)
		return
	}
	next := l.queue[0]
	l.queue = l.queue[1:]
	s.commit(w, next)
}

// read is a lock-free snapshot read at s_read = TT.now().latest: it sees
// every write with s ≤ s_read, so it waits for those still in flight.
func (s *Sim) read(w *harness.World, i int32) {
	s.reads++
	t := &s.txns[i]
	t.s = s.pick(t.group, w.Now())
	// The leader never gives a later write a timestamp at or below one it
	// served a snapshot read at (Spanner's leader keeps its timestamps
	// above every read it served, §4.1.3–4.1.4): TT.now().latest drops by
	// up to drift·poll at a poll, and a write picked just after would land
	// inside a snapshot already read, so a repeat of that read would differ.
	s.lastTs[t.group] = max(s.lastTs[t.group], t.s)
	if a, ok := s.keyAcked[t.key]; ok && a > t.s {
		s.violations++ // the read would miss a write acknowledged before it started
	}
	for _, p := range s.pending[t.key] {
		if s.txns[p].s <= t.s {
			t.need++
		}
	}
	if t.need == 0 {
		s.completeRead(w, i)
		return
	}
	s.roWaits++
	s.readWait[t.key] = append(s.readWait[t.key], i)
}

func (s *Sim) completeRead(w *harness.World, i int32) {
	req, g := s.txns[i].req, s.txns[i].group
	if k, ts := s.txns[i].key, s.txns[i].s; ts > s.keyRead[k] {
		s.keyRead[k] = ts
	}
	s.release(i)
	w.Complete(req, harness.Outcome{Shard: g})
}

func removeIdx(xs []int32, x int32) []int32 {
	for j, v := range xs {
		if v == x {
			return append(xs[:j], xs[j+1:]...)
		}
	}
	return xs
}

// Metrics reports the family figures; durations in milliseconds.
func (s *Sim) Metrics() map[string]float64 {
	ms := func(d float64) float64 { return d / 1e6 }
	m := map[string]float64{
		"rw_txns":                         float64(s.writes),
		"ro_txns":                         float64(s.reads),
		"ro_waits":                        float64(s.roWaits),
		"lock_waits":                      float64(s.lockWaits),
		"external_consistency_violations": float64(s.violations),
		"epsilon_theory_mean":             ms(float64(s.cfg.TT.MeanEpsilon())),
	}
	if s.epsN > 0 {
		m["epsilon_mean"] = ms(s.epsSum / float64(s.epsN))
	}
	if s.cwN > 0 {
		m["commit_wait_mean"] = ms(float64(s.cwSum) / float64(s.cwN))
		m["commit_wait_max"] = ms(float64(s.cwMax))
		m["commit_wait_exposed_mean"] = ms(float64(s.cwExposedSum) / float64(s.cwN))
	}
	return m
}

var _ harness.SimTarget = (*Sim)(nil)
var _ harness.Metricser = (*Sim)(nil)
