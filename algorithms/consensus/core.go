package consensus

import (
	"errors"
	"time"

	"github.com/dsbench/dsbench/harness"
)

// noop is the command a new leader proposes to fill a slot no acceptor of
// its phase-1 quorum had accepted anything in. Real commands are ≥ 1; 0 in a
// log means "not learned".
const noop int64 = -1

// pending is one client command not yet acknowledged.
type pending struct {
	req      *harness.Request
	proposed bool // proposed to some leader at least once
}

type ack struct{ cmd, slot int64 }

// ErrTimeout fails an op whose command was not applied within the op
// timeout (a cluster that cannot elect a leader or reach a quorum).
var ErrTimeout = errors.New("consensus: command not applied before the timeout")

// core is what both protocols share: the client side (commands outstanding,
// routing to the leader, re-proposal after a leader change, acks), the
// family's counters and the safety check over every node's chosen log.
type core struct {
	w       *harness.World
	n       int
	nextCmd int64
	out     map[int64]pending
	order   []int64 // outstanding commands in issue order (may hold acked ones)

	logs      [][]int64 // per node: slot → chosen command (0 = not learned)
	acked     []ack
	conflicts uint64 // a node learned two values for one slot

	leader      int   // effective leader (-1: none)
	leaderTerm  int64 // its ballot / term
	firstLeader bool
	noLeaderAt  time.Duration
	unavailable time.Duration

	leaderChanges, phase1Runs, retried, recovered, ops, timedOut uint64

	// timeout fails a command not applied that long after its op started
	// (0: never), so a cluster that can never commit ends the run.
	timeout  time.Duration
	expireFn harness.EventFunc

	// proto hooks
	propose func(node int, cmd int64) // hand cmd to node, the leader
	skip    func(node int, cmd int64) bool
}

func newCore(w *harness.World, n int, timeout time.Duration) *core {
	c := &core{w: w, n: n, nextCmd: 1, out: make(map[int64]pending), logs: make([][]int64, n), leader: -1, noLeaderAt: w.Now(), timeout: timeout}
	c.expireFn = c.expire
	return c
}

// expire fails command cmd's op if it is still unacknowledged. The command
// may still be chosen later; it is then applied as a duplicate would be
// (no second completion) and is not an acknowledged command.
func (c *core) expire(_ *harness.World, _ *harness.Request, cmd int64) {
	p, ok := c.out[cmd]
	if !ok {
		return
	}
	delete(c.out, cmd)
	c.timedOut++
	c.w.Complete(p.req, harness.Outcome{Shard: harness.NoShard, Err: ErrTimeout})
}

// submit starts a client op: a new command, proposed now if a leader exists.
func (c *core) submit(req *harness.Request) {
	cmd := c.nextCmd
	c.nextCmd++
	c.ops++
	req.Tag = cmd
	p := pending{req: req}
	if c.timeout > 0 {
		c.w.After(c.timeout, c.expireFn, nil, cmd)
	}
	if c.leader >= 0 {
		p.proposed = true
		c.out[cmd] = p
		c.order = append(c.order, cmd)
		c.propose(c.leader, cmd)
		return
	}
	c.out[cmd] = p
	c.order = append(c.order, cmd)
}

// setLeader records the effective leader (the live node in the leader role
// with the highest ballot/term, -1 for none). A new leader gets every
// outstanding command: those it does not already hold are (re-)proposed.
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
	c.compact()
	for _, cmd := range c.order {
		p, ok := c.out[cmd]
		if !ok || (c.skip != nil && c.skip(node, cmd)) {
			continue
		}
		if p.proposed {
			c.retried++
		} else {
			p.proposed = true
			c.out[cmd] = p
		}
		c.propose(node, cmd)
	}
}

func (c *core) compact() {
	if len(c.order) < 2*len(c.out)+64 {
		return
	}
	k := 0
	for _, cmd := range c.order {
		if _, ok := c.out[cmd]; ok {
			c.order[k] = cmd
			k++
		}
	}
	c.order = c.order[:k]
}

// learn records that node learned slot chosen with cmd.
func (c *core) learn(node int, slot, cmd int64) {
	l := c.logs[node]
	for int64(len(l)) <= slot {
		l = append(l, 0)
	}
	c.logs[node] = l
	switch old := l[slot]; {
	case old == 0:
		l[slot] = cmd
	case old != cmd:
		c.conflicts++
	}
}

// learned reports what node learned for slot (0: nothing).
func (c *core) learned(node int, slot int64) int64 {
	if slot < int64(len(c.logs[node])) {
		return c.logs[node][slot]
	}
	return 0
}

// applied is called when the leader applies slot: the op of an outstanding
// command completes, served by that leader.
func (c *core) applied(leader int, slot, cmd int64) {
	if cmd <= 0 {
		return
	}
	p, ok := c.out[cmd]
	if !ok {
		return // a duplicate (re-proposed and chosen twice): applied once
	}
	delete(c.out, cmd)
	c.acked = append(c.acked, ack{cmd, slot})
	c.w.Complete(p.req, harness.Outcome{Shard: int32(leader)})
}

// agreedLog merges every node's chosen log slot by slot and counts the
// slots on which two nodes disagree.
func (c *core) agreedLog() (agreed []int64, disagree uint64) {
	maxLen := 0
	for _, l := range c.logs {
		maxLen = max(maxLen, len(l))
	}
	agreed = make([]int64, maxLen)
	for s := 0; s < maxLen; s++ {
		for _, l := range c.logs {
			if s >= len(l) || l[s] == 0 {
				continue
			}
			if agreed[s] == 0 {
				agreed[s] = l[s]
			} else if agreed[s] != l[s] {
				disagree++
				break
			}
		}
	}
	return agreed, disagree
}

// safety checks the run's invariants and returns the number of violations:
// values learned twice differently by one node, slots on which two nodes'
// chosen logs disagree, and acknowledged commands missing from the chosen
// log at the slot they were acknowledged for.
func (c *core) safety() uint64 {
	agreed, v := c.agreedLog()
	v += c.conflicts
	for _, a := range c.acked {
		if a.slot >= int64(len(agreed)) || agreed[a.slot] != a.cmd {
			v++
		}
	}
	return v
}

// finish closes the unavailability interval at the end of the run.
func (c *core) unavailableSeconds() float64 {
	u := c.unavailable
	if c.leader < 0 {
		u += c.w.Now() - c.noLeaderAt
	}
	return u.Seconds()
}
