package simnet

import (
	"time"

	"github.com/dsbench/dsbench/harness"
)

// disk is one node's log device. An fsync takes Config.Fsync; without group
// commit, log writes are synced one after another in arrival order; with it,
// every write that arrives while an fsync is under way waits for the next
// one, which makes them all durable at once (the batch grows with the load,
// as in ZooKeeper's and etcd's WAL).
type disk struct {
	syncing bool
	free    time.Duration // no group commit: when the last queued fsync ends
	wait    []syncReq     // group commit: writes for the next fsync
	cur     []syncReq     // group commit: writes in the fsync under way
	gen     uint32        // bumped on crash: pending syncs are lost
	slow    float64
}

type syncReq struct {
	fn  harness.EventFunc
	req *harness.Request
	arg int64
	inc uint64
}

// Fsync makes a log write of node durable and then calls fn(w, req, arg) —
// unless the node crashed in between (the write is lost, the callback never
// runs). Without a disk (Config.Fsync nil) fn runs at once, inside the call.
func (nt *Net[P]) Fsync(node int, fn harness.EventFunc, req *harness.Request, arg int64) {
	if nt.down[node] {
		return
	}
	nt.stats.LogWrites++
	d := &nt.disk[node]
	if nt.cfg.Fsync == nil {
		fn(nt.w, req, arg)
		return
	}
	r := syncReq{fn, req, arg, nt.inc[node]}
	if !nt.cfg.GroupCommit {
		done := max(nt.w.Now(), d.free) + nt.fsyncTime(node)
		d.free = done
		nt.stats.Fsyncs++
		// A timer of the node: a crash before it fires loses the write.
		nt.After(node, done-nt.w.Now(), fn, req, arg)
		return
	}
	d.wait = append(d.wait, r)
	if !d.syncing {
		nt.startSync(node)
	}
}

func (nt *Net[P]) fsyncTime(node int) time.Duration {
	t := nt.cfg.Fsync.Next(nt.w.Rand())
	if s := nt.disk[node].slow; s > 0 {
		t = time.Duration(float64(t) * s)
	}
	return t
}

func (nt *Net[P]) startSync(node int) {
	d := &nt.disk[node]
	d.cur, d.wait = d.wait, d.cur[:0]
	d.syncing = true
	nt.stats.Fsyncs++
	nt.w.After(nt.fsyncTime(node), nt.syncFn, nil, int64(node)|int64(d.gen)<<32)
}

// synced ends a group fsync: its writes are durable.
func (nt *Net[P]) synced(w *harness.World, _ *harness.Request, arg int64) {
	node, gen := int(arg&0xffffffff), uint32(arg>>32)
	d := &nt.disk[node]
	if gen != d.gen {
		return
	}
	// d.syncing stays set while the callbacks run, so a write they issue
	// (a follower logging what its answer made it learn) queues for the
	// next fsync instead of starting one that would reuse d.cur.
	for _, r := range d.cur {
		if r.inc == nt.inc[node] && !nt.down[node] {
			r.fn(w, r.req, r.arg)
		}
	}
	if gen != d.gen {
		return // a callback crashed the node: dropDisk reset the disk
	}
	d.cur = d.cur[:0]
	d.syncing = false
	if len(d.wait) > 0 && !nt.down[node] {
		nt.startSync(node)
	}
}

// dropDisk loses a crashed node's unsynced writes.
func (nt *Net[P]) dropDisk(node int) {
	d := &nt.disk[node]
	d.gen++
	d.syncing = false
	d.wait, d.cur = d.wait[:0], d.cur[:0]
}
