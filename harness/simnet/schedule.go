package simnet

import (
	"fmt"
	"time"

	"github.com/dsbench/dsbench/harness"
)

// FaultKind is one kind of fault a FaultPlan injects.
type FaultKind int

// The fault kinds.
const (
	FaultIsolate FaultKind = iota // cut one node off, both ways
	FaultSplit                    // split the nodes in two (a minority and the rest)
	FaultOneWay                   // cut one direction of one link
	FaultCrash                    // crash one node; it restarts when the fault heals (if the fault took it down)
	numFaultKinds
)

var faultNames = [...]string{"isolate", "split", "one-way", "crash"}

func (k FaultKind) String() string {
	if k >= 0 && k < numFaultKinds {
		return faultNames[k]
	}
	return fmt.Sprintf("fault%d", int(k))
}

// FaultPlan is a random fault schedule, VOPR-style: a safety phase of faults
// from Start to End, then a liveness phase in which everything is healed and
// every crashed node restarted. Faults come one at a time: the next starts
// an exponential gap (mean Gap) after the previous heals, and each lasts an
// exponential time (mean Len). Every draw comes from the World's source.
type FaultPlan struct {
	Start, End time.Duration
	Gap, Len   time.Duration
	Kinds      []FaultKind // enabled kinds; nil = all
	// Log, if set, is told every fault as it starts and heals (for tests
	// and traces).
	Log func(at time.Duration, kind FaultKind, nodes []int, healed bool)
}

// faulter runs one plan on one net.
type faulter[P any] struct {
	nt      *Net[P]
	plan    FaultPlan
	kinds   []FaultKind
	cur     FaultKind
	nodes   []int
	crashed bool // the current crash fault took its node down (it was up)
	count   int
	startFn harness.EventFunc
	healFn  harness.EventFunc
}

// ScheduleFaults schedules plan on nt and returns a function reporting how
// many faults were injected so far.
func (nt *Net[P]) ScheduleFaults(plan FaultPlan) (func() int, error) {
	if plan.End < plan.Start || plan.Gap <= 0 || plan.Len <= 0 {
		return nil, fmt.Errorf("simnet: fault plan needs Start ≤ End and positive Gap and Len (got %v…%v gap %v len %v)", plan.Start, plan.End, plan.Gap, plan.Len)
	}
	f := &faulter[P]{nt: nt, plan: plan, kinds: plan.Kinds}
	if f.kinds == nil {
		for k := FaultKind(0); k < numFaultKinds; k++ {
			f.kinds = append(f.kinds, k)
		}
	}
	if nt.fn < 2 {
		return func() int { return 0 }, nil
	}
	f.startFn, f.healFn = f.start, f.heal
	nt.w.At(plan.Start+f.exp(plan.Gap), f.startFn, nil, 0)
	nt.w.At(plan.End, f.endFn(), nil, 0)
	return func() int { return f.count }, nil
}

func (f *faulter[P]) exp(mean time.Duration) time.Duration {
	return time.Duration(f.nt.w.Rand().ExpFloat64() * float64(mean))
}

func (f *faulter[P]) start(w *harness.World, _ *harness.Request, _ int64) {
	if w.Now() >= f.plan.End {
		return
	}
	nt, r := f.nt, w.Rand()
	f.cur = f.kinds[r.IntN(len(f.kinds))]
	f.nodes = f.nodes[:0]
	switch f.cur {
	case FaultIsolate:
		f.nodes = append(f.nodes, r.IntN(nt.fn))
		nt.Isolate(f.nodes[0])
	case FaultSplit:
		perm := r.Perm(nt.fn)
		size := 1 + r.IntN(max(1, (nt.fn-1)/2)) // a minority of 1 … ⌊(n−1)/2⌋
		f.nodes = append(f.nodes, perm[:size]...)
		nt.Split(f.nodes)
	case FaultOneWay:
		a := r.IntN(nt.fn)
		b := (a + 1 + r.IntN(nt.fn-1)) % nt.fn
		f.nodes = append(f.nodes, a, b)
		nt.Block(a, b)
	case FaultCrash:
		f.nodes = append(f.nodes, r.IntN(nt.fn))
		// A node already down (crashed by the protocol's own schedule)
		// stays down when this fault heals: the plan restarts only what it
		// crashed.
		f.crashed = nt.Up(f.nodes[0])
		nt.Crash(f.nodes[0])
	}
	f.count++
	if f.cur == FaultCrash {
		nt.stats.FaultCrashes++
	} else {
		nt.stats.FaultPartitions++
	}
	if f.plan.Log != nil {
		f.plan.Log(w.Now(), f.cur, f.nodes, false)
	}
	w.After(f.exp(f.plan.Len), f.healFn, nil, int64(f.count))
}

func (f *faulter[P]) heal(w *harness.World, _ *harness.Request, id int64) {
	if int(id) != f.count || len(f.nodes) == 0 {
		return // already healed by the end of the plan
	}
	f.undo()
	if w.Now() < f.plan.End {
		w.After(f.exp(f.plan.Gap), f.startFn, nil, 0)
	}
}

func (f *faulter[P]) undo() {
	nt := f.nt
	switch f.cur {
	case FaultIsolate, FaultSplit, FaultOneWay:
		nt.Heal()
	case FaultCrash:
		if f.crashed {
			nt.Restart(f.nodes[0])
		}
	}
	if f.plan.Log != nil {
		f.plan.Log(nt.w.Now(), f.cur, f.nodes, true)
	}
	f.nodes = f.nodes[:0]
}

func (f *faulter[P]) endFn() harness.EventFunc {
	return func(w *harness.World, _ *harness.Request, _ int64) {
		if len(f.nodes) > 0 {
			f.undo()
		}
		f.nt.Heal()
		for i := 0; i < f.nt.n; i++ {
			f.nt.Restart(i)
		}
	}
}
