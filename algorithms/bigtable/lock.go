package bigtable

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/dsbench/dsbench/algorithms/coordination"
)

// The master and the lock service (Bigtable §5.2). Every tablet server, at
// start, creates and locks a uniquely-named file in the lock service's
// servers directory, inside a session with a lease that its KeepAlives
// renew. A server serves only while it holds that lock: once its local
// lease runs out with no renewal it has lost the lock, stops serving every
// tablet and kills itself; it serves again only as a new incarnation that
// re-registers (a new session, a new file, no tablets). The master holds
// the master lock; a standby master waits for it with a lock child of its
// own. Every poll the active master scans the servers directory: a file
// whose lock it can acquire belongs to a dead session, so it deletes the
// file; then it asks every reachable registered server which tablets it
// serves and reads METADATA (root, METADATA tablets, user tablets): every
// tablet not served by a registered server — and not named for a server
// it cannot reach or whose older file it has not yet reclaimed — is
// unassigned, and goes to the live server with the fewest tablets (a tablet
// move; a user tablet is reopened from its directory, the commit-log
// recovery). Then it balances tablet counts (a restarted server receives
// tablets). A standby that acquires the master lock rebuilds exactly this
// state from the same sources before it acts.
//
// The lock namespace is coordination.Tree, the lock-service state machine of
// package coordination (an ephemeral sequential child of /lock/<file> per
// holder, the lowest child holding the lock, a session's ephemeral nodes
// deleted when it closes), the same state ZooKeeper's and Chubby's models
// apply. The RPCs and the cell's replication are not modelled: this table
// runs on the wall clock, in one process, so a KeepAlive is a lease renewal
// on the table's clock (NOTES.md).

// masterFile is the lock file of the master; server s's file in its
// incarnation i is s | i<<20.
const masterFile = uint64(1) << 40

// lockService holds the lock namespace, its sessions' leases and the
// servers directory.
type lockService struct {
	mu       sync.Mutex
	tree     *coordination.Tree
	leaseEnd []int64 // per session, µs on the table's clock
	open     []bool
	seq      uint64 // sequence numbers of lock children
	fired    []coordination.Watcher
	dir      []serverFile // the servers directory, in creation order
}

// serverFile is one file of the servers directory: the server (and its
// session) that created and locked it.
type serverFile struct {
	file        uint64
	server, sid int
}

func newLockService() *lockService { return &lockService{tree: coordination.NewTree()} }

// newSession opens a session with a lease ending at end and returns its id.
func (l *lockService) newSession(end int64) int {
	l.leaseEnd = append(l.leaseEnd, end)
	l.open = append(l.open, true)
	return len(l.open) - 1
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
	if sid < 0 || !l.open[sid] {
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

// server is a tablet server's own state (its current incarnation's).
type server struct {
	sid      int          // its session; t.mu and t.ls.mu
	file     uint64       // its lock file in the servers directory
	inc      int          // incarnation: re-registrations so far
	seq      uint64       // its lock child
	leaseEnd atomic.Int64 // its local view of its session's lease (µs)
	lost     bool         // it lost its lock and stopped serving (until it re-registers)
	lostAt   int64        // when (µs)
	down     bool         // crashed (crash=), until restart_at
	loaded   map[int]bool // tablets it believes it serves (ids)

	reclaims      int   // files of this server the master deleted
	reassignDelay int64 // µs from the lease end of the last one to its deletion
}

// master is the master's state: the active master's session and lock
// child, and the standby waiting for the master lock. Written under t.mu
// and t.ls.mu, read under either.
type master struct {
	sid, first   int // the active master's session; the first master's
	seq          uint64
	standby      int // the standby's session (-1: none)
	standbySeq   uint64
	down         bool  // the active master crashed; no master acts
	downAt       int64 // µs
	failovers    int
	failoverUs   int64 // from the crash to the new master having rebuilt its state
	unassignedFd int   // tablets new masters found unassigned while rebuilding
}

// Crash is the crash= fault: tablet server Server (or, with Master, the
// master) dies At (the table's clock); RestartAt (> At; 0: never) it comes
// back — a server as a new incarnation with a new session and no tablets,
// the master as a new standby.
type Crash struct {
	Server        int
	Master        bool
	At, RestartAt time.Duration
}

// Isolation is partition=isolate:S@FROM..TO: from From until To (0: the
// rest of the run) Server cannot reach the lock service nor clients reach
// it. If its lease runs out meanwhile it loses its lock and kills itself;
// at To it re-registers as a new incarnation.
type Isolation struct {
	Server   int
	From, To time.Duration
}

// faultState is what happened of the scheduled faults. t.mu.
type faultState struct {
	crashed    bool        // Crash applied
	crashedAt  int64       // µs
	restarted  atomic.Bool // Crash.RestartAt applied (read without t.mu)
	healed     bool        // Isolation.To applied
	crashes    int         // tablet-server crashes
	restarts   int         // re-registrations (restart_at, a healed isolation)
	recovering []*tablet   // reassigned tablets to reopen once t.mu is released
	rmu        sync.Mutex  // guards the recovery figures (recoveries run outside t.mu)
	recovered  int         // user tablets reopened from their logs
	recoverUs  int64       // total time of those reopenings
	recoverMax int64
	recoverErr int
	double     int // ticks that found a tablet served by two servers
}

// crashedNow reports whether tablet server s is down by the crash fault at
// now (exact in time, before the tick applies it).
func (t *Table) crashedNow(s int, now int64) bool {
	c := t.opts.Crash
	return c != nil && !c.Master && c.Server == s && now >= c.At.Microseconds() && !t.faults.restarted.Load()
}

// isolated reports whether server s is cut off by the isolation at now.
func (t *Table) isolated(s int, now int64) bool {
	iso := t.opts.Isolate
	return iso != nil && iso.Server == s && now >= iso.From.Microseconds() && (iso.To <= 0 || now < iso.To.Microseconds())
}

// canServe reports whether server s, reachable or not, would serve tablet
// id now: it loaded the tablet, is not down and still holds its lock. t.mu
// must be held.
func (t *Table) canServe(s, id int, now int64) bool {
	st := &t.srv[s]
	if !st.loaded[id] {
		return false
	}
	if t.opts.KeepServingWithoutLock { // a broken variant the tests catch
		return true
	}
	if t.crashedNow(s, now) && !t.opts.ServeWhileCrashed { // ServeWhileCrashed: another
		return false
	}
	return !st.lost && now < st.leaseEnd.Load()
}

// serves reports whether server s answers a request for tablet id now:
// it can serve it and a client can reach it. t.mu must be held.
func (t *Table) serves(s, id int, now int64) bool {
	return t.canServe(s, id, now) && !t.isolated(s, now)
}

// live reports whether server s may be given tablets: it runs, holds its
// lock and the master can reach it. t.mu must be held.
func (t *Table) live(s int) bool {
	st := &t.srv[s]
	if st.lost || st.down {
		return false
	}
	now := t.now()
	return !t.crashedNow(s, now) && !t.isolated(s, now)
}

// startServers opens the master's and the standby's sessions and lock
// children and registers every server.
func (t *Table) startServers() {
	now := t.now()
	lease := t.opts.Lease.Microseconds()
	l := newLockService()
	t.ls = l
	m := &t.master
	m.sid = l.newSession(now + lease)
	m.first = m.sid
	_, m.seq = l.lock(masterFile, m.sid)
	m.standby = l.newSession(now + lease)
	_, m.standbySeq = l.lock(masterFile, m.standby)
	t.srv = make([]server, t.opts.Servers)
	for s := range t.srv {
		t.register(s, now)
	}
}

// register starts server s's current incarnation: a new session, a new
// file in the servers directory locked by it, no tablets. t.mu and t.ls.mu
// are held (or the table is not yet shared).
func (t *Table) register(s int, now int64) {
	l := t.ls
	st := &t.srv[s]
	end := now + t.opts.Lease.Microseconds()
	st.sid = l.newSession(end)
	st.file = uint64(s) | uint64(st.inc)<<20
	_, st.seq = l.lock(st.file, st.sid)
	l.dir = append(l.dir, serverFile{file: st.file, server: s, sid: st.sid})
	st.leaseEnd.Store(end)
	st.lost, st.down = false, false
	if st.loaded == nil {
		st.loaded = map[int]bool{}
	}
	clear(st.loaded)
}

// Tick advances the lock service and the master to the table's clock:
// KeepAlives of the servers that can still reach the lock service, session
// expiry, the scheduled faults, servers noticing a lost lock, and the
// master's poll. The wall-clock target runs it every Lease/8 (the master
// polling every fourth); tests call it directly with their own clock.
func (t *Table) Tick() { t.tick(true) }

func (t *Table) tick(poll bool) {
	t.keepAlives()
	t.checkLocks(poll)
}

// keepAlives renews the sessions of the masters and servers that can reach
// the lock service and expires the others. It needs only the lock service,
// so a tablet operation holding the tablet map (a split, a major
// compaction) cannot delay a renewal.
func (t *Table) keepAlives() {
	now := t.now()
	lease := t.opts.Lease.Microseconds()
	l := t.ls
	l.mu.Lock()
	m := &t.master
	if c := t.opts.Crash; c == nil || !c.Master || m.sid != m.first || now < c.At.Microseconds() {
		l.keepAlive(m.sid, now+lease)
	}
	l.keepAlive(m.standby, now+lease)
	cut := -1
	if lo := t.opts.Lose; lo != nil && now >= lo.At.Microseconds() {
		cut = lo.Server
	}
	for s := range t.srv {
		st := &t.srv[s]
		if s == cut || t.crashedNow(s, now) || t.isolated(s, now) {
			continue
		}
		if end := st.leaseEnd.Load(); now < end && l.keepAlive(st.sid, now+lease) {
			st.leaseEnd.Store(now + lease)
		}
	}
	l.expire(now)
	l.mu.Unlock()
}

// checkLocks applies the scheduled faults, lets every server whose lease
// ran out notice it has lost its lock, and, if poll, lets the master poll
// (or the standby try the master lock); then it checks that no tablet is
// served by two servers.
func (t *Table) checkLocks(poll bool) {
	l := t.ls
	t.mu.Lock()
	// The lock service's mutex is held only for lock-service work (faults
	// changing sessions, the master's directory scan): a KeepAlive must not
	// wait for the master reopening tablets or balancing.
	l.mu.Lock()
	now := t.now()
	t.applyFaults(now)
	for s := range t.srv {
		st := &t.srv[s]
		if !st.lost && !st.down && now >= st.leaseEnd.Load() {
			// The server's lease ran out: it has lost its lock, stops
			// serving every tablet and kills itself (§5.2).
			st.lost, st.lostAt = true, now
			if !t.opts.KeepServingWithoutLock {
				clear(st.loaded)
			}
			t.lockLosses.Add(1)
		}
	}
	act, takeOver := false, false
	if poll {
		m := &t.master
		if !m.down {
			act = true
		} else if m.standby >= 0 {
			held, _ := l.tree.LockCheck(masterFile, m.standbySeq, coordination.Watcher(m.standby))
			l.tree.DropWatches()
			if held || t.opts.StandbyWithoutLock {
				// The standby holds the master lock: it becomes the master
				// and rebuilds its state (§5.2) by the poll below — the
				// servers directory, the servers' tablets, METADATA —
				// starting from nothing of the old master's.
				m.sid, m.seq, m.standby = m.standby, m.standbySeq, -1
				m.down = false
				act, takeOver = true, true
			}
		}
	}
	if act {
		t.scanServers(now)
	}
	l.mu.Unlock()
	if act {
		found := t.assignUnassigned(now)
		t.rebalance()
		if m := &t.master; takeOver {
			m.unassignedFd += found
			m.failovers++
			m.failoverUs += t.now() - m.downAt
		}
	}
	if t.DoubleServed(now) >= 0 {
		t.faults.double++
	}
	rec := t.faults.recovering
	t.faults.recovering = nil
	t.mu.Unlock()
	// The new servers reopen their reassigned tablets (each refuses
	// requests until its own is done), while every other tablet is served.
	for _, tab := range rec {
		t.recoverTablet(tab)
	}
}

// applyFaults applies the crash, restart and isolation heal due by now.
// t.mu and t.ls.mu are held.
func (t *Table) applyFaults(now int64) {
	f := &t.faults
	if c := t.opts.Crash; c != nil {
		if !f.crashed && now >= c.At.Microseconds() {
			f.crashed, f.crashedAt = true, now
			if c.Master {
				// The master process dies: its KeepAlives stop (keepAlives),
				// nothing polls until a standby holds the master lock.
				t.master.down, t.master.downAt = true, c.At.Microseconds()
			} else {
				st := &t.srv[c.Server]
				st.down = true
				if !t.opts.ServeWhileCrashed {
					clear(st.loaded) // its memory is gone: memtables, tablet set
				}
				f.crashes++
			}
		}
		if f.crashed && !f.restarted.Load() && c.RestartAt > 0 && now >= c.RestartAt.Microseconds() {
			f.restarted.Store(true)
			if c.Master {
				m := &t.master
				if m.standby < 0 { // the old master comes back as the standby
					m.standby = t.ls.newSession(now + t.opts.Lease.Microseconds())
					_, m.standbySeq = t.ls.lock(masterFile, m.standby)
				}
			} else {
				t.srv[c.Server].inc++
				t.register(c.Server, now)
				f.restarts++
			}
		}
	}
	if iso := t.opts.Isolate; iso != nil && iso.To > 0 && !f.healed && now >= iso.To.Microseconds() {
		f.healed = true
		if st := &t.srv[iso.Server]; st.lost && !st.down {
			// It lost its lock during the partition and killed itself;
			// restarted, it re-registers.
			st.inc++
			t.register(iso.Server, now)
			f.restarts++
		}
	}
}

// scanServers is the master's scan of the servers directory: it deletes
// every file whose lock it can acquire (its session is gone), and notes
// which servers are registered (their current file is there) and which
// still have an older file there (an old incarnation that may hold its
// lock) for assignUnassigned. t.mu and t.ls.mu are held.
func (t *Table) scanServers(now int64) {
	l := t.ls
	keep := l.dir[:0:0]
	for _, f := range l.dir {
		held, seq := l.lock(f.file, t.master.sid)
		l.unlock(f.file, seq) // delete the file (or give up the attempt)
		if !held {
			keep = append(keep, f)
			continue
		}
		st := &t.srv[f.server]
		st.reclaims++
		st.reassignDelay = now - l.leaseEnd[f.sid]
	}
	l.dir = keep
	l.tree.DropWatches() // the failed attempts' predecessor watches: the master polls instead
	n := len(t.srv)
	if cap(t.regBuf) < 2*n {
		t.regBuf = make([]bool, 2*n)
	}
	reg, old := t.regBuf[:n], t.regBuf[n:2*n]
	clear(reg)
	clear(old)
	for _, f := range l.dir {
		if f.sid == t.srv[f.server].sid {
			reg[f.server] = true
		} else {
			old[f.server] = true
		}
	}
}

// assignUnassigned reads METADATA (the root's location, every METADATA
// tablet's, every user tablet's) and gives every unassigned tablet to the
// live server with the fewest tablets. A tablet is assigned when the
// server METADATA names is registered (its current file was in the
// directory at scanServers) and either serves it (asked) or does not
// answer (unreachable, crashed or dead: it may still hold its lock, so the
// master waits for the lock on its file), or when an older file of
// that server is still in the directory (its old incarnation may hold its
// lock). t.mu is held.
func (t *Table) assignUnassigned(now int64) int {
	if t.liveServers() == 0 {
		return 0 // nobody to serve them: they stay unavailable
	}
	n := len(t.srv)
	reg, old := t.regBuf[:n], t.regBuf[n:2*n]
	// A server that crashed or killed itself (lost its lock) does not
	// answer: like an unreachable one, its tablets wait until the master
	// holds its file's lock (§5.2), never on its silence alone.
	answers := func(s int) bool {
		st := &t.srv[s]
		return !st.lost && !st.down && !t.isolated(s, now) && !t.crashedNow(s, now)
	}
	assigned := func(s, id int) bool {
		return s >= 0 && (old[s] || reg[s] && (t.srv[s].loaded[id] || !answers(s)))
	}
	found := 0
	for _, tab := range t.tablets {
		if !assigned(tab.server, tab.id) {
			t.assign(tab.id, &tab.server, t.leastLoaded(), false)
			tab.recovering.Store(true) // reopened by checkLocks once t.mu is released
			t.faults.recovering = append(t.faults.recovering, tab)
			t.moves.Add(1)
			t.reassigned.Add(1)
			found++
		}
	}
	for _, m := range t.meta {
		if !assigned(m.server, m.id) {
			t.assign(m.id, &m.server, t.leastLoaded(), false)
			t.metaMoves.Add(1)
			t.reassigned.Add(1)
			found++
		}
	}
	if !assigned(t.rootServer, rootID) {
		t.assign(rootID, &t.rootServer, t.leastLoaded(), false)
		t.metaMoves.Add(1)
		t.reassigned.Add(1)
		found++
	}
	return found
}

// recoverTablet is a tablet's new server loading it after its old server
// died without unloading it: the old server's memtable is gone, so the new
// one reopens the tablet's engine from its directory — the SSTables and
// the commit log, which it replays (Bigtable's recovery from the commit
// log in GFS; the log's records all reached the directory: Close writes
// out what the dead server's engine had buffered, as GFS had them before
// the write was acknowledged). The tablet refuses requests until it is
// done (tab.recovering); t.mu is not held, so other tablets are served.
func (t *Table) recoverTablet(tab *tablet) {
	start := time.Now()
	tab.mu.Lock()
	t.retire(tab.db)
	db, err := t.opts.Open(tab.dir)
	if err != nil {
		db = failedEngine{err}
	}
	tab.db = db
	tab.mu.Unlock()
	tab.recovering.Store(false)
	d := time.Since(start).Microseconds()
	f := &t.faults
	f.rmu.Lock()
	f.recovered++
	f.recoverUs += d
	f.recoverMax = max(f.recoverMax, d)
	if err != nil {
		f.recoverErr++
	}
	f.rmu.Unlock()
}

// masterActive reports whether a master acts (assigns, balances). t.mu.
func (t *Table) masterActive() bool { return !t.master.down }

// DoubleServed returns a tablet (user, METADATA or root) that two servers
// could serve now, or −1: the invariant the lock service keeps. t.mu held.
func (t *Table) DoubleServed(now int64) int {
	if t.dblBuf == nil {
		t.dblBuf = map[int]int{}
	}
	clear(t.dblBuf)
	for s := range t.srv {
		for id := range t.srv[s].loaded {
			if t.canServe(s, id, now) {
				if t.dblBuf[id]++; t.dblBuf[id] > 1 {
					return id
				}
			}
		}
	}
	return -1
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
// tells the old server to drop it (a balancing move; a dead server cannot
// be told). t.mu is held (or the table is not yet shared).
func (t *Table) assign(id int, at *int, to int, unload bool) {
	if old := *at; old >= 0 && unload {
		delete(t.srv[old].loaded, id)
	}
	*at = to
	t.srv[to].loaded[id] = true
}
