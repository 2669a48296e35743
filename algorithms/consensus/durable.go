package consensus

import (
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
)

// durableSends sends a node's messages only once the state they report is
// on its disk (an acceptor's accepted value, a follower's appended
// entries, a vote): at once without a disk, else after the node's next
// fsync (group commit batches them). A crash before the fsync loses them.
type durableSends[P any] struct {
	nt   *simnet.Net[P]
	pend [][]pendingMsg[P] // per node
	free [][]int32
	fn   harness.EventFunc
	// refresh, if set, updates a message just before it leaves (e.g. with
	// what the node has learned meanwhile).
	refresh func(node int, k simnet.Kind, p *P)
}

type pendingMsg[P any] struct {
	to int
	k  simnet.Kind
	p  P
}

func newDurableSends[P any](nt *simnet.Net[P]) *durableSends[P] {
	d := &durableSends[P]{nt: nt, pend: make([][]pendingMsg[P], nt.Nodes()), free: make([][]int32, nt.Nodes())}
	d.fn = d.synced
	return d
}

func (d *durableSends[P]) send(node, to int, k simnet.Kind, p P) {
	if d.nt.Config().Fsync == nil {
		d.nt.Send(node, to, k, p)
		return
	}
	var i int32
	if l := len(d.free[node]); l > 0 {
		i = d.free[node][l-1]
		d.free[node] = d.free[node][:l-1]
	} else {
		i = int32(len(d.pend[node]))
		d.pend[node] = append(d.pend[node], pendingMsg[P]{})
	}
	d.pend[node][i] = pendingMsg[P]{to, k, p}
	d.nt.Fsync(node, d.fn, nil, int64(node)|int64(i)<<8)
}

func (d *durableSends[P]) synced(_ *harness.World, _ *harness.Request, arg int64) {
	node, i := int(arg&0xff), int32(arg>>8)
	m := d.pend[node][i]
	var zero pendingMsg[P]
	d.pend[node][i] = zero
	d.free[node] = append(d.free[node], i)
	if d.refresh != nil {
		d.refresh(node, m.k, &m.p)
	}
	d.nt.Send(node, m.to, m.k, m.p)
}

// lost forgets a crashed node's pending messages (their fsync callbacks
// never run).
func (d *durableSends[P]) lost(node int) {
	d.pend[node], d.free[node] = d.pend[node][:0], d.free[node][:0]
}
