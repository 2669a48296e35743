package consensus

import (
	"errors"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/history"
	"github.com/dsbench/dsbench/workloads"
)

// entry is one log entry: a client command (cmd > 0) or a no-op (cmd =
// noop); 0 means "not learned". A command is id<<1 | write: the op's id and
// whether it writes its key (the value written is the id) or reads it.
//
// low is the client side's lowest unanswered command id when the entry was
// sent: every command below it was answered or given up. State machines use
// it to forget the commands they applied (RIFL's garbage collection of
// completion records; the Raft thesis §6.3 client sessions): a command sent
// twice (re-sent to a new leader) and chosen twice is applied once.
type entry struct {
	cmd int64
	key uint64
	low int64
}

// noop is the command a new leader proposes to fill a slot no acceptor of
// its quorum had accepted anything in (Paxos), or to commit its term (Raft).
const noop int64 = -1

func (e entry) id() int64     { return e.cmd >> 1 }
func (e entry) isWrite() bool { return e.cmd > 0 && e.cmd&1 == 1 }

// pending is one client command not yet answered.
type pending struct {
	req      *harness.Request
	e        entry
	hist     int  // its history id (when recording)
	proposed bool // sent to some leader at least once
}

// ErrTimeout fails an op whose command was not applied within the op
// timeout (a cluster that cannot elect a leader or reach a quorum).
var ErrTimeout = errors.New("consensus: command not applied before the timeout")

// core is what every protocol shares: the client side (commands
// outstanding, requests to the leader, re-sending after a leader change,
// replies), one key-value state machine per node applied in log order, the
// incremental safety check over every node's learned log (with truncation
// once every node has applied a slot), the history for --check, and the
// election bookkeeping (elections.go).
type core struct {
	w       *harness.World
	n       int
	nextCmd int64
	out     map[int64]*pending // by command id
	order   []int64            // outstanding command ids in issue order (may hold answered ones)

	logs    []slotLog // per node: what it learned, from base on
	agreed  slotLog   // the first value learned for each slot
	applied []int64   // per node: every slot ≤ applied is applied to sm
	sm      []machine // per node: the state machine
	floor   int64     // every node applied every slot ≤ floor; logs hold slots > floor

	conflicts, disagree, ackMismatch uint64
	chosen, duplicates               uint64

	leader      int   // effective leader (-1: none)
	leaderTerm  int64 // its ballot / term
	firstLeader bool
	noLeaderAt  time.Duration
	unavailable time.Duration

	leaderChanges, phase1Runs, retried, recovered, ops, answered, timedOut uint64

	// timeout fails a command not answered that long after its op started
	// (0: never), so a cluster that can never commit ends the run.
	timeout  time.Duration
	expireFn harness.EventFunc

	hist *history.Log
	el   *elections

	// protocol hooks
	request func(node int, e entry)          // a client sends e to node (the leader it knows)
	reply   func(node int, cmd, value int64) // node answers the client of cmd
	skip    func(node int, cmd int64) bool   // node already holds cmd in its log
	trim    func(floor int64)                // the protocol may drop state for slots ≤ floor
}

// slotLog is a log of entries from slot base+1 on.
type slotLog struct {
	base int64
	e    []entry
}

func (l *slotLog) get(slot int64) entry {
	if i := slot - l.base - 1; i >= 0 && i < int64(len(l.e)) {
		return l.e[i]
	}
	return entry{}
}

func (l *slotLog) set(slot int64, e entry) {
	i := slot - l.base - 1
	if i < 0 {
		return
	}
	for int64(len(l.e)) <= i {
		l.e = append(l.e, entry{})
	}
	l.e[i] = e
}

// truncate drops slots ≤ floor, copying what is left so the memory is freed.
func (l *slotLog) truncate(floor int64) {
	if floor <= l.base {
		return
	}
	k := min(floor-l.base, int64(len(l.e)))
	l.e = append([]entry(nil), l.e[k:]...)
	l.base = floor
}

func newCore(w *harness.World, n int, timeout time.Duration) *core {
	c := &core{w: w, n: n, nextCmd: 1, out: make(map[int64]*pending), logs: make([]slotLog, n),
		applied: make([]int64, n), sm: make([]machine, n), leader: -1, noLeaderAt: w.Now(), timeout: timeout}
	for i := range c.sm {
		c.sm[i] = machine{kv: map[uint64]int64{}, done: map[int64]int64{}}
	}
	c.expireFn = c.expire
	return c
}

// startAt makes slot first the last one applied everywhere before the run
// (etcd raft's initial configuration entry).
func (c *core) startAt(first int64) {
	c.floor = first
	c.agreed.base = first
	for i := range c.logs {
		c.logs[i].base = first
		c.applied[i] = first
	}
}

// expire fails command id's op if it is still unanswered. The command may
// still be chosen later; it is then applied (a write's effect is real) but
// answered no more.
func (c *core) expire(_ *harness.World, _ *harness.Request, id int64) {
	p, ok := c.out[id]
	if !ok {
		return
	}
	delete(c.out, id)
	c.timedOut++
	if c.hist != nil {
		c.hist.Unknown(p.hist)
	}
	c.w.Complete(p.req, harness.Outcome{Shard: harness.NoShard, Err: ErrTimeout})
}

// submit starts a client op: a command sent to the leader if one exists.
// Reads, scans and the rest read the key; updates, inserts, RMWs and
// deletes write it (the value written is the op's command id).
func (c *core) submit(req *harness.Request) {
	id := c.nextCmd
	c.nextCmd++
	c.ops++
	write := int64(1)
	switch req.Op.Kind {
	case workloads.Read, workloads.Scan:
		write = 0
	}
	e := entry{cmd: id<<1 | write, key: req.Op.Key}
	req.Tag = id
	p := &pending{req: req, e: e}
	if c.hist != nil {
		kind, val := history.Read, int64(0)
		if write == 1 {
			kind, val = history.Write, id
		}
		p.hist = c.hist.Invoke(req.Op.Client, req.Op.Key, kind, val, c.w.Now())
	}
	if c.timeout > 0 {
		c.w.After(c.timeout, c.expireFn, nil, id)
	}
	c.out[id] = p
	c.order = append(c.order, id)
	p.e.low = c.low() // ≤ id: this command is outstanding
	if c.leader >= 0 {
		p.proposed = true
		c.request(c.leader, p.e)
	}
}

// answer is the client receiving from node the answer to cmd: value is
// what a read returned.
func (c *core) answer(node int, cmd, value int64) {
	id := cmd >> 1
	p, ok := c.out[id]
	if !ok {
		return // answered already (a duplicate) or timed out
	}
	delete(c.out, id)
	c.answered++
	if c.hist != nil {
		c.hist.Return(p.hist, value, c.w.Now())
	}
	c.w.Complete(p.req, harness.Outcome{Shard: int32(node)})
}

// setLeader records the effective leader (the live node in the leader role
// with the highest ballot/term, -1 for none). A new leader is sent every
// outstanding command it does not already hold.
func (c *core) setLeader(node int, term int64) {
	if node == c.leader && (node < 0 || term == c.leaderTerm) {
		return
	}
	now := c.w.Now()
	if c.leader < 0 {
		c.unavailable += now - c.noLeaderAt
	}
	if node < 0 {
		c.noLeaderAt = now
		c.leader = -1
		return
	}
	if c.firstLeader {
		c.leaderChanges++
	}
	c.firstLeader = true
	c.leader, c.leaderTerm = node, term
	if c.el != nil {
		c.el.leaderChanged(node, term)
	}
	c.compact()
	for _, id := range c.order {
		p, ok := c.out[id]
		if !ok || (c.skip != nil && c.skip(node, p.e.cmd)) {
			continue
		}
		if p.proposed {
			c.retried++
		}
		p.proposed = true
		p.e.low = c.low()
		c.request(node, p.e)
	}
}

// low is the lowest command id still outstanding (nextCmd when none).
func (c *core) low() int64 {
	for len(c.order) > 0 {
		if _, ok := c.out[c.order[0]]; ok {
			return c.order[0]
		}
		c.order = c.order[1:]
	}
	return c.nextCmd
}

func (c *core) compact() {
	if len(c.order) < 2*len(c.out)+64 {
		return
	}
	k := 0
	for _, id := range c.order {
		if _, ok := c.out[id]; ok {
			c.order[k] = id
			k++
		}
	}
	c.order = c.order[:k]
}

// learn records that node learned slot chosen with e, and checks it
// against what the other nodes learned for that slot.
func (c *core) learn(node int, slot int64, e entry) {
	if slot <= c.floor {
		return // applied everywhere and checked already
	}
	l := &c.logs[node]
	switch old := l.get(slot); {
	case old.cmd == 0:
		l.set(slot, e)
	case old != e:
		c.conflicts++
		return
	default:
		return
	}
	switch a := c.agreed.get(slot); {
	case a.cmd == 0:
		c.agreed.set(slot, e)
		if e.cmd > 0 {
			c.chosen++
		}
	case a != e:
		c.disagree++
	}
}

// learned reports what node learned for slot (cmd 0: nothing; slots ≤
// floor are applied everywhere and no longer kept).
func (c *core) learned(node int, slot int64) entry { return c.logs[node].get(slot) }

// machine is one node's state machine: a key-value register per key, and
// the results of the commands it applied since the last low watermark.
type machine struct {
	kv   map[uint64]int64
	done map[int64]int64 // command id → result, for ids ≥ low
	low  int64
}

// exec applies e and returns its result; dup reports a command applied
// before (its first result is returned).
func (m *machine) exec(e entry) (result int64, dup bool) {
	id := e.id()
	if e.low > m.low {
		m.low = e.low
		if len(m.done) > 4096 {
			for k := range m.done {
				if k < m.low {
					delete(m.done, k)
				}
			}
		}
	}
	if r, ok := m.done[id]; ok {
		return r, true
	}
	if id < m.low {
		return 0, true // given up or answered long ago: applied before
	}
	if e.isWrite() {
		m.kv[e.key] = id
	} else {
		result = m.kv[e.key]
	}
	m.done[id] = result
	return result, false
}

// apply applies every learned slot after node's applied prefix, in order,
// to its state machine; the leader answers the clients of the commands it
// applies. It returns the new applied prefix.
func (c *core) apply(node int, leader bool) int64 {
	m := &c.sm[node]
	for {
		s := c.applied[node] + 1
		e := c.learned(node, s)
		if e.cmd == 0 {
			break
		}
		c.applied[node] = s
		if e.cmd == noop {
			continue
		}
		v, dup := m.exec(e)
		if dup && leader {
			c.duplicates++
		}
		if leader {
			if _, ok := c.out[e.id()]; ok {
				if a := c.agreed.get(s); a != e {
					c.ackMismatch++
				}
				c.reply(node, e.cmd, v)
			}
		}
	}
	c.maybeTrim()
	return c.applied[node]
}

// trimStep is how far the floor must move before the logs are truncated.
const trimStep = 4096

// maybeTrim truncates every log below the slot every node has applied:
// those slots were checked when learned and no node will ask for them.
func (c *core) maybeTrim() {
	f := c.applied[0]
	for _, a := range c.applied[1:] {
		f = min(f, a)
	}
	if f < c.floor+trimStep {
		return
	}
	c.floor = f
	for i := range c.logs {
		c.logs[i].truncate(f)
	}
	c.agreed.truncate(f)
	if c.trim != nil {
		c.trim(f)
	}
}

// safety returns the number of violations seen: slots on which two nodes
// learned different values, a node learning two values for one slot, and
// a leader answering a command at a slot where another value was chosen.
func (c *core) safety() uint64 { return c.disagree + c.conflicts + c.ackMismatch }

// unavailableSeconds closes the unavailability interval at the end of the run.
func (c *core) unavailableSeconds() float64 {
	u := c.unavailable
	if c.leader < 0 {
		u += c.w.Now() - c.noLeaderAt
	}
	return u.Seconds()
}
