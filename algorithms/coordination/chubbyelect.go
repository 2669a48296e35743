package coordination

import (
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
)

// Master election among the cell's replicas (Chubby §2.2, §2.9):
//
//   - The master sends every replica a heartbeat each `heartbeat`; a replica
//     that heard one promises not to help elect another master for
//     `master_lease` (the master lease).
//   - A replica whose master lease ran out waits a random backoff in
//     [0, heartbeat) (so that one replica usually stands alone) and stands:
//     it takes the next epoch it owns (epochs are unique per replica: epoch
//     mod nodes is the candidate) and asks every replica for its vote. A
//     replica votes for a higher epoch once its own master lease has run out,
//     if the candidate's log is at least as long as its own (so the winner
//     holds every committed entry: a majority logged it, and a majority
//     voted). A vote is a promise too: the voter stands itself no sooner
//     than a master lease later.
//   - With a majority of votes the candidate is master. It logs an epoch
//     entry; once a majority has it on disk it rebuilds its state from the
//     database (rebuild in chubbycell.go) and serves. An election that does
//     not win within a heartbeat is retried after a new backoff.
//
// failover_ms is the time from the master's crash to the new master
// serving. Clients notice the crash when the master's connection resets
// (one network delay after it), then try the replicas in turn, one each
// heartbeat, until the master answers.

func (c *Chubby) initCell() {
	n := c.n
	c.cell = cell{master: 0, serving: true, epoch: int64(n), base: 1, next: 1,
		disk: make([]int64, n), promised: make([]int64, n), heard: make([]time.Duration, n),
		votes: make([]int32, n), cand: make([]bool, n), lostAt: -1}
	for s := range n {
		c.promised[s] = int64(n) // epoch n: node 0's first
	}
	c.heartbeatFn, c.watchFn, c.candFn, c.selfLoggedFn = c.beat, c.watch, c.candTimeout, c.selfLogged
}

func (c *Chubby) setupCell() {
	nt := c.nt
	nt.Leader = func() int {
		if c.serving {
			return c.master
		}
		return -1
	}
	nt.OnCrash = c.crashed
	nt.OnRestart = c.restarted
	for s := range c.n {
		c.armWatch(s)
	}
	c.beat(nt.World(), nil, int64(c.epoch))
	if err := nt.Schedule(c.cfg.Cluster.Faults); err != nil {
		panic(err) // validated when the target was built
	}
}

// beat: the master renews its lease at every replica, every heartbeat.
func (c *Chubby) beat(_ *harness.World, _ *harness.Request, e int64) {
	if e != c.epoch || c.master < 0 {
		return
	}
	c.nt.Broadcast(c.master, pHeartbeat, e)
	c.nt.After(c.master, c.cfg.Heartbeat, c.heartbeatFn, nil, e)
}

// armWatch sets replica s's watchdog for when its master lease runs out,
// plus a random backoff.
func (c *Chubby) armWatch(s int) {
	w := c.nt.World()
	backoff := time.Duration(w.Rand().Int64N(int64(c.cfg.Heartbeat)))
	at := max(c.heard[s]+c.cfg.MasterLease, w.Now()) + backoff
	c.nt.After(s, at-w.Now(), c.watchFn, nil, int64(s))
}

// watch: replica s's watchdog. If it heard from a master (or voted) within
// the master lease it sleeps again; otherwise it stands.
func (c *Chubby) watch(w *harness.World, _ *harness.Request, arg int64) {
	s := int(arg)
	if s == c.master {
		return // a master watches no one; it re-arms if it steps down
	}
	if w.Now()-c.heard[s] < c.cfg.MasterLease {
		c.armWatch(s)
		return
	}
	c.stand(s)
}

func (c *Chubby) stand(s int) {
	n := int64(c.n)
	e := (c.promised[s]/n+1)*n + int64(s)
	c.promised[s] = e
	c.cand[s] = true
	c.votes[s] = 1
	c.elections++
	c.nt.Broadcast(s, pVoteReq, e) // the request carries the candidate's last logged entry, disk[s]
	c.nt.After(s, c.cfg.Heartbeat, c.candFn, nil, e<<8|int64(s))
	if c.votes[s] >= c.majority {
		c.win(s, e)
	}
}

// candTimeout: the election of epoch e did not win in time; try again after
// a backoff.
func (c *Chubby) candTimeout(w *harness.World, _ *harness.Request, arg int64) {
	s, e := int(arg&255), arg>>8
	if !c.cand[s] || c.promised[s] != e {
		return
	}
	c.cand[s] = false
	c.heard[s] = w.Now() - c.cfg.MasterLease // stand again after a fresh backoff
	c.armWatch(s)
}

// atReplica handles the replication and election messages at replica s.
func (c *Chubby) atReplica(s, from int, kind simnet.Kind, p int64) {
	now := c.nt.World().Now()
	switch kind {
	case pHeartbeat, pAccept:
		e := p
		if kind == pAccept {
			e = p >> 40
		}
		if e < c.promised[s] {
			return // an old master's
		}
		c.promised[s] = e
		c.heard[s] = now
		c.cand[s] = false
		if kind == pAccept {
			c.nt.Fsync(s, c.loggedFn, nil, p<<8|int64(s))
		}
	case pAccepted:
		if s == c.master {
			c.ack(p)
		}
	case pVoteReq:
		e := p
		if e <= c.promised[s] || now-c.heard[s] < c.cfg.MasterLease || c.disk[from] < c.disk[s] || s == c.master {
			return
		}
		c.promised[s] = e
		c.cand[s] = false
		c.heard[s] = now // a vote is a promise: stand no sooner than a master lease from now
		c.nt.Send(s, from, pVote, e)
	case pVote:
		if !c.cand[s] || c.promised[s] != p {
			return
		}
		if c.votes[s]++; c.votes[s] >= c.majority {
			c.win(s, p)
		}
	}
}

// win: s is master of epoch e. It logs the epoch entry and serves once that
// commits; what the old master proposed and never committed is dropped (its
// clients resend).
func (c *Chubby) win(s int, e int64) {
	c.cand[s] = false
	c.master, c.epoch, c.serving = s, e, false
	c.log = c.log[:0]
	c.base = c.commit + 1
	c.next = c.base
	c.beat(c.nt.World(), nil, e)
	c.propose(entry{typ: eEpoch})
}

// crashed: node s went down. A master's clients see its connection reset one
// network delay later; the replicas notice when their master lease runs out.
func (c *Chubby) crashed(s int) {
	c.cand[s] = false
	if s != c.master {
		return
	}
	w := c.nt.World()
	if c.serving && c.lostAt < 0 {
		c.lostAt = w.Now()
	}
	c.master, c.serving = -1, false
	delay := c.nt.Config().Delay
	for k := range c.clients {
		if int(c.clients[k].master) == s {
			c.clientTimer(int32(k), delay.Next(w.Rand()), evReset, uint32(s))
		}
	}
}

// restarted: node s is back as a replica; its promises and log are on disk.
func (c *Chubby) restarted(s int) {
	c.heard[s] = c.nt.World().Now()
	c.armWatch(s)
}
