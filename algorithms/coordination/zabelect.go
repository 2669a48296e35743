package coordination

import (
	"errors"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
)

// ZAB's leader election and recovery (Junqueira, Reed, Serafini, "Zab:
// High-performance broadcast for primary-backup systems", DSN 2011; the
// ZooKeeper paper §4.2), as ZooKeeper implements them:
//
//   - A server that loses its leader (the leader's connection resets one
//     network delay after it crashes, or it has no quorum left) stops
//     serving, fails its clients' pending requests with CONNECTIONLOSS and
//     goes LOOKING.
//   - Fast leader election: every LOOKING server votes for the server with
//     the highest last logged zxid (then the highest id) among the votes it
//     has seen, sending its vote to all; once a quorum's votes agree with
//     its own it waits finalize_wait for a better vote (FastLeaderElection's
//     finalizeWait) and decides. A server that follows or leads answers a
//     LOOKING one with its leader.
//   - Recovery: the new leader starts a new epoch; its history is the
//     ensemble's (it holds every committed transaction); it drops anything
//     proposed beyond it, sends each follower the history it lacks (DIFF or
//     TRUNC: one NEWLEADER message, logged with an fsync and acked), commits
//     the whole history once a quorum acked, and tells them UPTODATE; then
//     everyone serves again.
//
// The time from the leader's crash to the new leader serving is a
// failover (failover_ms). Requests that reach a server that is not serving
// are refused (CONNECTIONLOSS, as ZooKeeper refuses connections while it
// elects).

// ErrConnectionLoss fails an op whose server lost its leader (or refused it
// while electing): ZooKeeper's CONNECTIONLOSS.
var ErrConnectionLoss = errors.New("zookeeper: connection loss (no leader: the ensemble is electing)")

type zkState uint8

const (
	looking zkState = iota
	following
	leading
)

// zab is the ensemble's leadership state.
type zab struct {
	leader  int   // the serving leader (−1: none)
	ref     int   // the latest leader, whose tree is the committed state
	epoch   int64 // the current epoch (bumped by each new leader)
	state   []zkState
	serving []bool  // the server answers clients
	synced  []bool  // leader: follower synced in this epoch
	logged_ []int64 // highest zxid on disk per server
	votes   []fleState
	acked   int // NEWLEADER acks (the leader's own included)

	closed  map[int64]struct{}  // sessions closed (their creates are skipped)
	armedAt map[clientKey]int32 // the server a client's data watch is armed at
	orphans []int64             // sessions to close once a leader serves

	lostAt               time.Duration // when the last leader was lost (−1: none)
	failovers            []time.Duration
	connLoss, elections  uint64
	finalizeFn, detectFn harness.EventFunc
	retryFn, historyFn   harness.EventFunc
	recheckFn            harness.EventFunc
}

type fleState struct {
	round int64
	vote  int64   // zxid<<8 | id
	recv  []int64 // per server: its vote this round (−1: none)
	gen   int64   // the pending finalize timer's generation
}

// tag packs a zxid with its epoch (zxid < 2^40).
func tag(zxid, epoch int64) int64 { return epoch<<40 | zxid }
func zxidOf(p int64) int64        { return p & (1<<40 - 1) }
func epochOf(p int64) int64       { return p >> 40 }

func (z *ZK) initZab() {
	n := z.n
	z.zab = zab{leader: 0, ref: 0, epoch: 1, state: make([]zkState, n), serving: make([]bool, n),
		synced: make([]bool, n), logged_: make([]int64, n), votes: make([]fleState, n),
		closed: map[int64]struct{}{}, armedAt: map[clientKey]int32{}, lostAt: -1}
	for s := range n {
		z.state[s], z.serving[s], z.synced[s] = following, true, true
		z.votes[s].recv = make([]int64, n)
	}
	z.state[0] = leading
	z.finalizeFn, z.detectFn, z.retryFn, z.historyFn, z.recheckFn = z.finalize, z.detect, z.retry, z.historyLogged, z.recheck
}

// setupZab wires crashes and restarts and schedules the cluster's faults.
func (z *ZK) setupZab() {
	nt := z.nt
	nt.Leader = func() int { return z.leader }
	nt.OnCrash = z.crashed
	nt.OnRestart = func(s int) { z.goLooking(s) }
	if err := nt.Schedule(z.cfg.Cluster.Faults); err != nil {
		panic(err) // validated when the target was built
	}
}

// route is the server a client of home talks to: home if it is up, else the
// next one that is (the client reconnects elsewhere).
func (z *ZK) route(home int) int {
	for k := range z.n {
		if s := (home + k) % z.n; z.nt.Up(s) {
			return s
		}
	}
	return home
}

func (z *ZK) quorum() int { return z.n/2 + 1 }

// crashed: server s went down. Its pending client requests fail; a
// leader's followers notice its connection reset one network delay later;
// a leader that has lost its quorum steps down.
func (z *ZK) crashed(s int) {
	z.failPending(s)
	// Its watches die with it; their clients learn of the disconnection
	// and stop expecting those events (ZooKeeper's client re-registers
	// them where it reconnects; the model just forgets them).
	z.trees[s].DropWatches()
	for ck, at := range z.armedAt {
		if int(at) == s {
			delete(z.armedAt, ck)
			delete(z.cliArmed, ck)
			delete(z.srvArmed, ck)
		}
	}
	z.serving[s], z.synced[s] = false, false
	w := z.nt.World()
	if z.state[s] == leading {
		z.state[s] = looking
		if z.leader == s {
			z.leader = -1
			z.lostAt = w.Now()
		}
		for f := range z.n {
			if f != s && z.nt.Up(f) && z.state[f] == following {
				z.nt.After(f, z.cfg.Cluster.Net.Delay.Next(w.Rand()), z.detectFn, nil, int64(f))
			}
		}
		return
	}
	z.state[s] = looking
	if l := z.leader; l >= 0 {
		up := 0
		for f := range z.n {
			if z.nt.Up(f) {
				up++
			}
		}
		if up < z.quorum() {
			// The leader cannot hear a quorum: it abdicates.
			z.leader = -1
			z.lostAt = w.Now()
			z.goLooking(l)
			for f := range z.n {
				if f != l && z.nt.Up(f) {
					z.goLooking(f)
				}
			}
		}
	}
}

// detect: follower f saw its leader's connection reset.
func (z *ZK) detect(_ *harness.World, _ *harness.Request, arg int64) {
	if f := int(arg); z.state[f] == following && z.leader < 0 {
		z.goLooking(f)
	}
}

// failPending fails every client request pending at server s.
func (z *ZK) failPending(s int) {
	for i := range z.ops {
		op := &z.ops[i]
		if op.req != nil && !op.lost && int(op.server) == s {
			z.lose(int32(i))
		}
	}
}

// lose fails op i with CONNECTIONLOSS. Its slot is never reused (late
// messages may still name it). A lock operation's session is closed once a
// leader serves (the client gave it up), so its lock node cannot block the
// waiters behind it.
func (z *ZK) lose(i int32) {
	op := &z.ops[i]
	op.lost = true
	z.connLoss++
	switch op.kind {
	case kAcquire:
		z.closeSession(op.session)
	case kRelease:
		z.closeSession(z.ops[op.holder].session)
	}
	req := op.req
	op.req = nil
	z.nt.World().Complete(req, harness.Outcome{Shard: harness.NoShard, Err: ErrConnectionLoss})
}

// refuse answers a request that reached a server which is not serving.
func (z *ZK) refuse(s int, i int32) { z.toClient(s, cLost, int64(i)) }

// connectionLost is the client of op i told its server is not serving: a
// request fails; a lock holder's own unlock retries in 10 ms.
func (z *ZK) connectionLost(i int32) {
	op := &z.ops[i]
	if op.lost {
		return
	}
	if op.req == nil { // kUnlock: the holder's client retries
		z.nt.World().After(10*time.Millisecond, z.retryFn, nil, int64(i))
		return
	}
	z.lose(i)
}

func (z *ZK) retry(_ *harness.World, _ *harness.Request, arg int64) {
	op := &z.ops[arg]
	op.server = int32(z.route(int(op.server)))
	z.nt.FromClient(int(op.server), hReq, arg)
}

// closeSession closes a session through the serving leader, or once one
// serves.
func (z *ZK) closeSession(sess int64) {
	if _, ok := z.closed[sess]; ok {
		return
	}
	z.closed[sess] = struct{}{}
	if z.leader >= 0 && z.serving[z.leader] {
		z.broadcast(txn{typ: txCloseSession, session: sess, origin: -1, op: -1})
		return
	}
	z.orphans = append(z.orphans, sess)
}

// goLooking: server s stops serving and starts (or joins) an election.
func (z *ZK) goLooking(s int) {
	if !z.nt.Up(s) {
		return
	}
	z.failPending(s)
	z.state[s], z.serving[s], z.synced[s] = looking, false, false
	v := &z.votes[s]
	v.round++
	v.vote = z.logged_[s]<<8 | int64(s)
	for i := range v.recv {
		v.recv[i] = -1
	}
	v.recv[s] = v.vote
	v.gen++
	z.sendVote(s, -1)
}

// sendVote sends s's vote to one server (or to all: to = −1).
func (z *ZK) sendVote(s, to int) {
	v := &z.votes[s]
	p := v.round<<48 | v.vote
	for f := range z.n {
		if f != s && (to < 0 || f == to) {
			z.send(s, f, hVote, p)
		}
	}
}

// handleZab runs the election and recovery messages at server s.
func (z *ZK) handleZab(s, from int, typ simnet.Kind, p int64) {
	switch typ {
	case hVote:
		z.onVote(s, from, p>>48, p&(1<<48-1))
	case hLeaderInfo:
		if z.state[s] == looking && int(p&0xff) == z.leader && z.leader >= 0 {
			z.follow(s, z.leader)
		}
	case hFollowInfo:
		if z.state[s] == leading && epochOf(p) == z.epoch {
			// DIFF or TRUNC: the follower's log becomes the leader's history.
			z.send(s, from, hNewLeader, tag(z.nextZxid-1, z.epoch))
		}
	case hNewLeader:
		if z.state[s] == following && epochOf(p) == z.epoch {
			z.nt.Fsync(s, z.historyFn, nil, p<<8|int64(s)) // logs the history, then acks NEWLEADER
		}
	case hNewLeaderAck:
		if z.state[s] == leading && epochOf(p) == z.epoch && !z.synced[from] {
			z.synced[from] = true
			z.acked++
			if z.serving[s] {
				z.send(s, from, hUpToDate, tag(z.committed, z.epoch))
			} else if z.acked >= z.quorum() {
				z.serve(s)
			}
		}
	case hUpToDate:
		if z.state[s] == following && epochOf(p) == z.epoch {
			z.synced[s] = true
			for z.applied[s] < zxidOf(p) {
				z.apply(s, z.applied[s]+1)
			}
			z.serving[s] = true
		}
	}
}

// onVote is FastLeaderElection's notification handling at s.
func (z *ZK) onVote(s, from int, round, vote int64) {
	if z.state[s] != looking {
		if z.leader >= 0 && z.serving[z.leader] {
			z.send(s, from, hLeaderInfo, int64(z.leader))
		}
		return
	}
	v := &z.votes[s]
	switch {
	case round > v.round:
		v.round = round
		for i := range v.recv {
			v.recv[i] = -1
		}
		v.vote = max(z.logged_[s]<<8|int64(s), vote)
		v.recv[s] = v.vote
		v.gen++
		z.sendVote(s, -1)
	case round < v.round:
		z.sendVote(s, from) // it is behind: tell it ours
		return
	case vote > v.vote:
		v.vote = vote
		v.recv[s] = vote
		v.gen++
		z.sendVote(s, -1)
	}
	v.recv[from] = vote
	agree := 0
	for _, r := range v.recv {
		if r == v.vote {
			agree++
		}
	}
	if agree >= z.quorum() {
		v.gen++
		z.nt.After(s, z.cfg.FinalizeWait, z.finalizeFn, nil, int64(s)|v.gen<<8)
	}
}

// finalize: no better vote came within finalize_wait: s decides.
func (z *ZK) finalize(_ *harness.World, _ *harness.Request, arg int64) {
	s, gen := int(arg&0xff), arg>>8
	v := &z.votes[s]
	if z.state[s] != looking || gen != v.gen {
		return
	}
	l := int(v.vote & 0xff)
	if l == s {
		z.lead(s)
		return
	}
	z.follow(s, l)
}

// lead: s won the election. A new epoch; everything proposed beyond its
// history is dropped; it waits for a quorum to sync.
func (z *ZK) lead(s int) {
	z.elections++
	z.epoch++
	z.state[s] = leading
	z.leader, z.ref = s, s
	for f := range z.synced {
		z.synced[f] = false
	}
	z.synced[s] = true
	z.acked = 1
	last := z.logged_[s]
	if last < z.nextZxid-1 {
		z.log = z.log[:last-z.base+1] // TRUNC: never committed (a quorum would have logged it)
		z.nextZxid = last + 1
	}
	for f := range z.logged_ {
		z.logged_[f] = min(z.logged_[f], last)
	}
	// Followers that decided already announced themselves to an older
	// epoch: ask every live server to follow.
	for f := range z.n {
		if f != s && z.nt.Up(f) && z.state[f] == following {
			z.send(f, s, hFollowInfo, tag(z.logged_[f], z.epoch))
		}
	}
	if z.acked >= z.quorum() {
		z.serve(s)
	}
}

// follow: s follows leader l of the current epoch. If it is not synced
// with a serving leader within five finalize waits (l never led: the
// election moved on), it looks again.
func (z *ZK) follow(s, l int) {
	z.state[s] = following
	if z.leader == l && z.state[l] == leading {
		z.send(s, l, hFollowInfo, tag(z.logged_[s], z.epoch))
	}
	z.votes[s].gen++
	z.nt.After(s, 5*z.cfg.FinalizeWait+time.Millisecond, z.recheckFn, nil, int64(s)|z.votes[s].gen<<8)
}

func (z *ZK) recheck(_ *harness.World, _ *harness.Request, arg int64) {
	s, gen := int(arg&0xff), arg>>8
	if z.state[s] == following && !z.serving[s] && gen == z.votes[s].gen {
		z.goLooking(s)
	}
}

// historyLogged: follower s has the new leader's history on disk.
func (z *ZK) historyLogged(_ *harness.World, _ *harness.Request, arg int64) {
	s, p := int(arg&0xff), arg>>8
	if z.state[s] != following || epochOf(p) != z.epoch || z.leader < 0 {
		return
	}
	z.logged_[s] = zxidOf(p)
	z.send(s, z.leader, hNewLeaderAck, p)
}

// serve: a quorum holds the new leader's history: commit all of it, tell
// the synced followers UPTODATE, serve.
func (z *ZK) serve(l int) {
	for z.committed < z.nextZxid-1 {
		z.committed++
		if z.applied[l] < z.committed {
			z.apply(l, z.committed)
		}
	}
	for z.applied[l] < z.committed {
		z.apply(l, z.applied[l]+1)
	}
	z.serving[l] = true
	for f := range z.n {
		if f != l && z.synced[f] {
			z.send(l, f, hUpToDate, tag(z.committed, z.epoch))
		}
	}
	if z.lostAt >= 0 {
		z.failovers = append(z.failovers, z.nt.World().Now()-z.lostAt)
		z.lostAt = -1
	}
	orphans := z.orphans
	z.orphans = nil
	for _, sess := range orphans {
		z.broadcast(txn{typ: txCloseSession, session: sess, origin: -1, op: -1})
	}
}
