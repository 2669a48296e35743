package coordination

import "sort"

// NodeID names a znode of the two-level namespace the ops use:
// /data/<Key> (Seq = 0) holds a key's value; /lock/<Key>/lock-<Seq>
// (Seq ≥ 1) are the sequential children of a key's lock directory.
type NodeID struct {
	Key uint64
	Seq uint64
}

// Watcher identifies who is notified when a watch fires (a client, or a
// waiting lock request); the simulator decides what it means.
type Watcher int64

// Tree is one server's replica of the znode tree. It is a pure state
// machine: the simulator applies committed transactions to it in zxid order.
type Tree struct {
	data      map[uint64]int64       // /data/k → version (1 after the create)
	locks     map[uint64][]lockChild // /lock/k → children by sequence number
	ephemeral map[int64][]NodeID     // session → its ephemeral nodes
	dataWatch map[uint64][]Watcher   // getData watches on /data/k
	existW    map[NodeID][]Watcher   // exists watches on lock children
}

type lockChild struct {
	seq     uint64
	session int64
}

// NewTree returns an empty tree.
func NewTree() *Tree {
	return &Tree{
		data: map[uint64]int64{}, locks: map[uint64][]lockChild{}, ephemeral: map[int64][]NodeID{},
		dataWatch: map[uint64][]Watcher{}, existW: map[NodeID][]Watcher{},
	}
}

// Version returns /data/k's version (0: no such node).
func (t *Tree) Version(k uint64) int64 { return t.data[k] }

// SetData creates /data/k or bumps its version (setData with version −1, or
// create), returns the new version and appends the one-shot data watches it
// fires to fired.
func (t *Tree) SetData(k uint64, fired []Watcher) (int64, []Watcher) {
	t.data[k]++
	if ws := t.dataWatch[k]; len(ws) > 0 {
		fired = append(fired, ws...)
		delete(t.dataWatch, k) // one-shot
	}
	return t.data[k], fired
}

// WatchData sets a one-shot watch on /data/k (getData with watch=true).
func (t *Tree) WatchData(k uint64, w Watcher) { t.dataWatch[k] = append(t.dataWatch[k], w) }

// CreateSeq creates the ephemeral sequential node /lock/k/lock-seq owned by
// session. seq comes from the transaction (the leader assigned it from the
// parent's counter), so every replica creates the same name. Sequence
// numbers arrive in increasing order, keeping the children sorted.
func (t *Tree) CreateSeq(k, seq uint64, session int64) {
	t.locks[k] = append(t.locks[k], lockChild{seq: seq, session: session})
	t.ephemeral[session] = append(t.ephemeral[session], NodeID{k, seq})
}

// Delete removes /lock/k/lock-seq, reports whether it existed and appends
// the exists watches it fires.
func (t *Tree) Delete(k, seq uint64, fired []Watcher) (bool, []Watcher) {
	cs := t.locks[k]
	i := sort.Search(len(cs), func(i int) bool { return cs[i].seq >= seq })
	if i == len(cs) || cs[i].seq != seq {
		return false, fired
	}
	sess := cs[i].session
	cs = append(cs[:i], cs[i+1:]...)
	if len(cs) == 0 {
		delete(t.locks, k)
	} else {
		t.locks[k] = cs
	}
	es := t.ephemeral[sess]
	for j, n := range es {
		if n == (NodeID{k, seq}) {
			es = append(es[:j], es[j+1:]...)
			break
		}
	}
	if len(es) == 0 {
		delete(t.ephemeral, sess)
	} else {
		t.ephemeral[sess] = es
	}
	id := NodeID{k, seq}
	if ws := t.existW[id]; len(ws) > 0 {
		fired = append(fired, ws...)
		delete(t.existW, id)
	}
	return true, fired
}

// CloseSession deletes every ephemeral node of session (its expiry or its
// close) and appends the watches that fires.
func (t *Tree) CloseSession(session int64, fired []Watcher) (int, []Watcher) {
	nodes := append([]NodeID(nil), t.ephemeral[session]...)
	for _, n := range nodes {
		_, fired = t.Delete(n.Key, n.Seq, fired)
	}
	return len(nodes), fired
}

// LockCheck is the lock recipe's step 2 (§2.4) run at a server for the
// child seq of /lock/k: getChildren, and if seq is not the lowest, exists
// with a watch on the child just below it (the predecessor only: no herd).
// It reports whether seq holds the lock; exists reports false when seq is
// not a child at all.
func (t *Tree) LockCheck(k, seq uint64, w Watcher) (held, exists bool) {
	cs := t.locks[k]
	i := sort.Search(len(cs), func(i int) bool { return cs[i].seq >= seq })
	if i == len(cs) || cs[i].seq != seq {
		return false, false
	}
	if i == 0 {
		return true, true
	}
	pred := NodeID{k, cs[i-1].seq}
	t.existW[pred] = append(t.existW[pred], w)
	return false, true
}

// Children returns the sequence numbers of /lock/k's children, in order.
func (t *Tree) Children(k uint64) []uint64 {
	var out []uint64
	for _, c := range t.locks[k] {
		out = append(out, c.seq)
	}
	return out
}

// DropWatches forgets every watch (a server that crashed: watches live in
// its memory, and its clients re-register them where they reconnect).
func (t *Tree) DropWatches() {
	clear(t.dataWatch)
	clear(t.existW)
}
