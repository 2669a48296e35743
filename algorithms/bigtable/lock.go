package bigtable

import (
	"sync"
	"sync/atomic"

	"github.com/dsbench/dsbench/algorithms/coordination"
)

// The master and the lock service (Bigtable §5.2). Every tablet server, at
// start, creates and locks its own file in the lock service's servers
// directory, inside a session with a lease that its KeepAlives renew. A
// server serves only while it holds that lock: once its local lease runs
// out with no renewal it has lost the lock, stops serving every tablet
// (and, its file gone, never serves again). The master holds the master
// lock; it polls the servers' files: when it can acquire a server's lock
// itself, that server's session is gone, so the master deletes the file and
// reassigns the server's tablets — user tablets, METADATA tablets and the
// root tablet alike — to the live servers with the fewest tablets (each one
// a tablet move).
//
// The lock namespace is coordination.Tree, the lock-service state machine of
// package coordination (an ephemeral sequential child of /lock/<file> per
// holder, the lowest child holding the lock, a session's ephemeral nodes
// deleted when it closes), the same state ZooKeeper's and Chubby's models
// apply. The RPCs and the cell's replication are not modelled: this table
// runs on the wall clock, in one process, so a KeepAlive is a lease renewal
// on the table's clock (NOTES.md).

// masterFile is the lock file of the master; servers' files are their ids.
const masterFile = uint64(1) << 40

// lockService holds the lock namespace and its sessions' leases. Session 0
// is the master's, session s+1 server s's.
type lockService struct {
	mu       sync.Mutex
	tree     *coordination.Tree
	leaseEnd []int64 // per session, µs on the table's clock
	open     []bool
	seq      uint64 // sequence numbers of lock children
	fired    []coordination.Watcher
}

func newLockService(sessions int) *lockService {
	return &lockService{tree: coordination.NewTree(), leaseEnd: make([]int64, sessions), open: make([]bool, sessions)}
}

// openSession opens session sid with a lease ending at end.
func (l *lockService) openSession(sid int, end int64) {
	l.open[sid], l.leaseEnd[sid] = true, end
}

// lock creates an ephemeral sequential child of file for sid and reports
// whether it holds the lock (the lowest child) and its sequence number.
func (l *lockService) lock(file uint64, sid int) (bool, uint64) {
	l.seq++
	l.tree.CreateSeq(file, l.seq, int64(sid))
	held, _ := l.tree.LockCheck(file, l.seq, coordination.Watcher(sid))
	return held, l.seq
}

// unlock deletes sid's child seq of file.
func (l *lockService) unlock(file, seq uint64) {
	_, l.fired = l.tree.Delete(file, seq, l.fired[:0])
}

// keepAlive extends sid's lease to end if the session is still open.
func (l *lockService) keepAlive(sid int, end int64) bool {
	if !l.open[sid] {
		return false
	}
	l.leaseEnd[sid] = end
	return true
}

// expire closes every open session whose lease ended by now: its
// ephemeral lock children go, releasing its locks.
func (l *lockService) expire(now int64) {
	for sid := range l.open {
		if l.open[sid] && now >= l.leaseEnd[sid] {
			l.open[sid] = false
			_, l.fired = l.tree.CloseSession(int64(sid), l.fired[:0])
		}
	}
}

// server is a tablet server's own state.
type server struct {
	seq      uint64       // its lock child in the servers directory
	leaseEnd atomic.Int64 // its local view of its session's lease (µs)
	lost     bool         // it lost its lock and stopped serving for good
	lostAt   int64        // when (µs)
	gone     bool         // the master reassigned its tablets and deleted its file
	goneAt   int64        // when (µs)
	loaded   map[int]bool // tablets it believes it serves (ids)
}

// serves reports whether server s serves the tablet with id now: it
// loaded the tablet and still holds its lock. t.mu must be held.
func (t *Table) serves(s, id int, now int64) bool {
	st := &t.srv[s]
	if !st.loaded[id] {
		return false
	}
	if t.opts.KeepServingWithoutLock { // the broken variant the tests catch
		return true
	}
	return !st.lost && now < st.leaseEnd.Load()
}

// live reports whether server s may be given tablets. t.mu must be held.
func (t *Table) live(s int) bool { return !t.srv[s].lost }

// startServers opens every server's session and lock and the master's.
func (t *Table) startServers() {
	now := t.now()
	lease := t.opts.Lease.Microseconds()
	t.ls = newLockService(t.opts.Servers + 1)
	t.ls.openSession(0, now+lease)
	t.ls.lock(masterFile, 0)
	t.srv = make([]server, t.opts.Servers)
	for s := range t.srv {
		t.ls.openSession(s+1, now+lease)
		_, seq := t.ls.lock(uint64(s), s+1)
		t.srv[s].seq, t.srv[s].loaded = seq, map[int]bool{}
		t.srv[s].leaseEnd.Store(now + lease)
	}
}

// Tick advances the lock service and the master to the table's clock:
// KeepAlives of the servers that can still reach the lock service (all but
// the Lose server from Lose.At on), session expiry, servers noticing a
// lost lock, and the master's poll of the servers' files. The wall-clock
// target runs it every Lease/8 (and the master polls every MasterPoll);
// tests call it directly with their own clock.
func (t *Table) Tick() { t.tick(true) }

func (t *Table) tick(poll bool) {
	t.keepAlives()
	t.checkLocks(poll)
}

// keepAlives renews the sessions of the servers that can reach the lock
// service and expires the others. It needs only the lock service, so a
// tablet operation holding the tablet map (a split, a major compaction)
// cannot delay a server's renewal.
func (t *Table) keepAlives() {
	now := t.now()
	lease := t.opts.Lease.Microseconds()
	l := t.ls
	l.mu.Lock()
	l.keepAlive(0, now+lease) // the master never loses its session here
	cut := -1
	if lo := t.opts.Lose; lo != nil && now >= lo.At.Microseconds() {
		cut = lo.Server
	}
	for s := range t.srv {
		st := &t.srv[s]
		if s == cut {
			continue
		}
		if end := st.leaseEnd.Load(); now < end && l.keepAlive(s+1, now+lease) {
			st.leaseEnd.Store(now + lease)
		}
	}
	l.expire(now)
	l.mu.Unlock()
}

// checkLocks lets every server whose lease ran out notice it has lost its
// lock, and, if poll, lets the master poll the servers' files.
func (t *Table) checkLocks(poll bool) {
	l := t.ls
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for s := range t.srv {
		st := &t.srv[s]
		if !st.lost && now >= st.leaseEnd.Load() {
			// The server's lease ran out: it has lost its lock, stops
			// serving every tablet and kills itself (§5.2).
			st.lost, st.lostAt = true, now
			if !t.opts.KeepServingWithoutLock {
				clear(st.loaded)
			}
			t.lockLosses.Add(1)
		}
	}
	if poll {
		l.mu.Lock()
		t.masterPoll()
		l.mu.Unlock()
	}
}

// masterPoll is the master's check of every server's file: if it can
// acquire a server's lock, the server's session is gone; the master then
// deletes the file and reassigns the server's tablets. t.mu and t.ls.mu
// are held.
func (t *Table) masterPoll() {
	l := t.ls
	for s := range t.srv {
		st := &t.srv[s]
		if st.gone {
			continue
		}
		held, seq := l.lock(uint64(s), 0)
		l.unlock(uint64(s), seq) // delete the file (or give up the attempt)
		if !held {
			continue
		}
		st.gone, st.goneAt = true, t.now()
		t.reassignFrom(s)
	}
	l.tree.DropWatches() // the failed attempts' predecessor watches: the master polls instead
}

// reassignFrom moves every tablet assigned to server s to the live servers
// with the fewest tablets. t.mu is held.
func (t *Table) reassignFrom(s int) {
	if t.liveServers() == 0 {
		return // nobody to serve them: every tablet stays unavailable
	}
	for _, tab := range t.tablets {
		if tab.server == s {
			t.assign(tab.id, &tab.server, t.leastLoaded(), false)
			t.moves.Add(1)
			t.reassigned.Add(1)
		}
	}
	for _, m := range t.meta {
		if m.server == s {
			t.assign(m.id, &m.server, t.leastLoaded(), false)
			t.metaMoves.Add(1)
			t.reassigned.Add(1)
		}
	}
	if t.rootServer == s {
		t.assign(rootID, &t.rootServer, t.leastLoaded(), false)
		t.metaMoves.Add(1)
		t.reassigned.Add(1)
	}
}

func (t *Table) liveServers() int {
	n := 0
	for s := range t.srv {
		if t.live(s) {
			n++
		}
	}
	return n
}

// assign gives tablet id (whose server field is at) to server to. unload
// tells the old server to drop it (a balancing move; a lost server cannot
// be told). t.mu is held (or the table is not yet shared).
func (t *Table) assign(id int, at *int, to int, unload bool) {
	if old := *at; old >= 0 && unload {
		delete(t.srv[old].loaded, id)
	}
	*at = to
	t.srv[to].loaded[id] = true
}
