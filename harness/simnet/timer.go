package simnet

import (
	"time"

	"github.com/dsbench/dsbench/harness"
)

// timer is a node's pending timer: it fires only if the node is up and has
// not restarted since it was set (a crash loses volatile timers).
type timer struct {
	node int32
	inc  uint64
	fn   harness.EventFunc
	req  *harness.Request
	arg  int64
}

// After calls fn(w, req, arg) d from now on node's behalf, unless the node
// crashes before then (after a restart, timers set before the crash never
// fire). Timers come from a pool: setting one allocates nothing once the
// pool has grown to the peak number pending.
func (nt *Net[P]) After(node int, d time.Duration, fn harness.EventFunc, req *harness.Request, arg int64) {
	var i int32
	if l := len(nt.tfree); l > 0 {
		i = nt.tfree[l-1]
		nt.tfree = nt.tfree[:l-1]
	} else {
		i = int32(len(nt.timers))
		nt.timers = append(nt.timers, timer{})
	}
	nt.timers[i] = timer{node: int32(node), inc: nt.inc[node], fn: fn, req: req, arg: arg}
	nt.w.After(d, nt.timerFn, nil, int64(i))
}

func (nt *Net[P]) fireTimer(w *harness.World, _ *harness.Request, arg int64) {
	t := nt.timers[arg]
	nt.timers[arg] = timer{}
	nt.tfree = append(nt.tfree, int32(arg))
	if nt.down[t.node] || nt.inc[t.node] != t.inc {
		return
	}
	t.fn(w, t.req, t.arg)
}
