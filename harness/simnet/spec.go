package simnet

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/dsbench/dsbench/harness"
)

// SelectorKind says how a fault picks its node.
type SelectorKind uint8

// The selector kinds.
const (
	SelectNone   SelectorKind = iota // no node: the fault is off
	SelectNode                       // a fixed node number
	SelectLeader                     // the protocol's leader when the fault starts (Net.Leader)
	SelectRandom                     // a node drawn from the World's source when the fault starts
)

// Selector picks the node a fault hits: a number, the leader or a random node.
type Selector struct {
	Kind SelectorKind
	Node int
}

func (s Selector) String() string {
	switch s.Kind {
	case SelectNode:
		return strconv.Itoa(s.Node)
	case SelectLeader:
		return "leader"
	case SelectRandom:
		return "random"
	}
	return "none"
}

// ParseSelector parses none, a node number (0 … nodes−1), leader or random.
// -1 is accepted as none (the older spelling).
func ParseSelector(s string, nodes int) (Selector, error) {
	switch s {
	case "", "none", "-1":
		return Selector{}, nil
	case "leader":
		return Selector{Kind: SelectLeader}, nil
	case "random":
		return Selector{Kind: SelectRandom}, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n >= nodes {
		return Selector{}, fmt.Errorf("%q is not a node (valid: none, leader, random, or 0 … %d)", s, nodes-1)
	}
	return Selector{Kind: SelectNode, Node: n}, nil
}

// PartitionKind is the shape of a scheduled partition.
type PartitionKind uint8

// The partition kinds.
const (
	PartitionNone    PartitionKind = iota
	PartitionIsolate               // one node cut off, both ways
	PartitionSplit                 // groups that cannot reach each other
	PartitionOneWay                // one direction of one link
)

// Partition is a scheduled partition: from From until To (0: never heals).
type Partition struct {
	Kind   PartitionKind
	A, B   Selector // isolate: A; one-way: A cannot send to B
	K      int      // split: K random nodes against the rest (when Groups is nil)
	Groups [][]int  // split: explicit groups; unlisted nodes form one more group
	From   time.Duration
	To     time.Duration
	spec   string
}

func (p Partition) String() string {
	if p.Kind == PartitionNone {
		return "none"
	}
	return p.spec
}

// ParsePartition parses a partition spec (DocPartition):
//
//	none | isolate:SEL | split:K | split:0,1/2,3,4 | oneway:SEL>SEL   [@FROM[..TO]]
func ParsePartition(s string, nodes int) (Partition, error) {
	p := Partition{spec: s}
	if s == "" || s == "none" {
		return Partition{}, nil
	}
	shape, when, timed := strings.Cut(s, "@")
	if timed {
		from, to, ok := strings.Cut(when, "..")
		var err error
		if p.From, err = time.ParseDuration(from); err != nil || p.From < 0 {
			return p, fmt.Errorf("partition %q: start %q is not a duration such as 300ms", s, from)
		}
		if ok && to != "" {
			if p.To, err = time.ParseDuration(to); err != nil || p.To <= p.From {
				return p, fmt.Errorf("partition %q: end %q is not a duration after the start %v", s, to, p.From)
			}
		}
	}
	kind, arg, _ := strings.Cut(shape, ":")
	bad := func(why string) (Partition, error) {
		return p, fmt.Errorf("partition %q: %s (forms: none, isolate:N|leader|random, split:K, split:0,1/2,3,4, oneway:A>B, each with an optional @FROM..TO)", s, why)
	}
	var err error
	switch kind {
	case "isolate":
		p.Kind = PartitionIsolate
		if p.A, err = ParseSelector(arg, nodes); err != nil || p.A.Kind == SelectNone {
			return bad("isolate needs a node, leader or random")
		}
	case "oneway":
		p.Kind = PartitionOneWay
		a, b, ok := strings.Cut(arg, ">")
		if !ok {
			return bad("oneway needs A>B")
		}
		if p.A, err = ParseSelector(a, nodes); err != nil || p.A.Kind == SelectNone {
			return bad(fmt.Sprintf("oneway source %q is not a node, leader or random", a))
		}
		if p.B, err = ParseSelector(b, nodes); err != nil || p.B.Kind == SelectNone {
			return bad(fmt.Sprintf("oneway destination %q is not a node, leader or random", b))
		}
		if p.A == p.B && p.A.Kind == SelectNode {
			return bad("oneway needs two different nodes")
		}
	case "split":
		p.Kind = PartitionSplit
		if !strings.ContainsAny(arg, ",/") {
			k, err := strconv.Atoi(arg)
			if err != nil || k < 1 || k >= nodes {
				return bad(fmt.Sprintf("split:%s: K must be 1 … %d", arg, nodes-1))
			}
			p.K = k
			break
		}
		seen := make([]bool, nodes)
		for _, g := range strings.Split(arg, "/") {
			var group []int
			for _, f := range strings.Split(g, ",") {
				n, err := strconv.Atoi(f)
				if err != nil || n < 0 || n >= nodes {
					return bad(fmt.Sprintf("%q is not a node (0 … %d)", f, nodes-1))
				}
				if seen[n] {
					return bad(fmt.Sprintf("node %d is in two groups", n))
				}
				seen[n] = true
				group = append(group, n)
			}
			p.Groups = append(p.Groups, group)
		}
		if len(p.Groups) < 2 {
			all := true
			for _, s := range seen {
				all = all && s
			}
			if all {
				return bad("one group holding every node cuts nothing")
			}
		}
	default:
		return bad(fmt.Sprintf("unknown shape %q", kind))
	}
	if nodes < 2 {
		return bad("a partition needs at least 2 nodes")
	}
	return p, nil
}

// Slow is one slow node: its CPU and disk times are multiplied by Factor.
type Slow struct {
	Node   Selector // a node number or random
	Factor float64
}

// ParseSlow parses none or NODE:FACTOR[,NODE:FACTOR…] (NODE a number or
// random; FACTOR > 0).
func ParseSlow(s string, nodes int) ([]Slow, error) {
	if s == "" || s == "none" {
		return nil, nil
	}
	var out []Slow
	for _, f := range strings.Split(s, ",") {
		n, fa, ok := strings.Cut(f, ":")
		if !ok {
			return nil, fmt.Errorf("slow %q: %q is not NODE:FACTOR (e.g. 2:4 or random:10)", s, f)
		}
		sel, err := ParseSelector(n, nodes)
		if err != nil || sel.Kind == SelectNone || sel.Kind == SelectLeader {
			return nil, fmt.Errorf("slow %q: node %q is not a number 0 … %d or random", s, n, nodes-1)
		}
		x, err := strconv.ParseFloat(fa, 64)
		if err != nil || !(x > 0 && x <= 1e6) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("slow %q: factor %q is not a number in (0, 1e6]", s, fa)
		}
		out = append(out, Slow{sel, x})
	}
	return out, nil
}

// SlowFactors resolves slow nodes (random ones drawn from r) into the
// per-node factors of Config.Slow; nil when none is slow.
func SlowFactors(slow []Slow, nodes int, r *rand.Rand) []float64 {
	if len(slow) == 0 {
		return nil
	}
	f := make([]float64, nodes)
	for _, s := range slow {
		n := s.Node.Node
		if s.Node.Kind == SelectRandom {
			n = r.IntN(nodes)
		}
		f[n] = s.Factor
	}
	return f
}

// Faults are the scheduled faults of the cluster vocabulary: one crash (and
// restart), one partition, and a random fault plan.
type Faults struct {
	Crash              Selector
	CrashAt, RestartAt time.Duration // RestartAt 0: never
	Partition          Partition
	Plan               FaultPlan // active when Plan.Gap > 0
}

// Check validates f for a cluster of nodes.
func (f Faults) Check(nodes int) error {
	if f.Crash.Kind != SelectNone && f.RestartAt > 0 && f.RestartAt <= f.CrashAt {
		return fmt.Errorf("restart_at=%v must be after crash_at=%v (or 0s for never)", f.RestartAt, f.CrashAt)
	}
	if f.Crash.Kind == SelectNode && f.Crash.Node >= nodes {
		return fmt.Errorf("crash=%d: no such node (valid: 0 … %d)", f.Crash.Node, nodes-1)
	}
	if f.Plan.Gap > 0 && f.Plan.Len <= 0 {
		return fmt.Errorf("fault_len=%v must be positive when fault_gap=%v is set", f.Plan.Len, f.Plan.Gap)
	}
	return nil
}

// pick resolves a selector now; -1 when it names no node (no leader yet).
func (nt *Net[P]) pick(s Selector) int {
	switch s.Kind {
	case SelectNode:
		return s.Node
	case SelectRandom:
		return nt.w.Rand().IntN(nt.fn)
	case SelectLeader:
		if nt.Leader != nil {
			return nt.Leader()
		}
	}
	return -1
}

// leaderRetry is how often a fault aimed at the leader looks again when the
// cluster has none.
const leaderRetry = time.Millisecond

// Schedule schedules f's crash, partition and random plan on the cluster.
// A fault aimed at the leader waits, looking every millisecond, until the
// protocol names one.
func (nt *Net[P]) Schedule(f Faults) error {
	if err := f.Check(nt.n); err != nil {
		return err
	}
	if f.Crash.Kind != SelectNone {
		var crash harness.EventFunc
		crash = func(w *harness.World, _ *harness.Request, _ int64) {
			node := nt.pick(f.Crash)
			if node < 0 {
				w.After(leaderRetry, crash, nil, 0)
				return
			}
			nt.stats.FaultCrashes++
			nt.Crash(node)
			if f.RestartAt > 0 {
				w.At(max(f.RestartAt, w.Now()), func(*harness.World, *harness.Request, int64) { nt.Restart(node) }, nil, 0)
			}
		}
		nt.w.At(f.CrashAt, crash, nil, 0)
	}
	if f.Partition.Kind != PartitionNone {
		nt.schedulePartition(f.Partition)
	}
	if f.Plan.Gap > 0 {
		if _, err := nt.ScheduleFaults(f.Plan); err != nil {
			return err
		}
	}
	return nil
}

func (nt *Net[P]) schedulePartition(p Partition) {
	var cut [][2]int
	var start harness.EventFunc
	start = func(w *harness.World, _ *harness.Request, _ int64) {
		block := func(a, b int) {
			if a != b && !nt.blocked[a*nt.n+b] {
				nt.Block(a, b)
				cut = append(cut, [2]int{a, b})
			}
		}
		switch p.Kind {
		case PartitionIsolate:
			a := nt.pick(p.A)
			if a < 0 {
				w.After(leaderRetry, start, nil, 0)
				return
			}
			for o := 0; o < nt.n; o++ {
				block(a, o)
				block(o, a)
			}
		case PartitionOneWay:
			a, b := nt.pick(p.A), nt.pick(p.B)
			if a < 0 || b < 0 {
				w.After(leaderRetry, start, nil, 0)
				return
			}
			block(a, b)
		case PartitionSplit:
			group := make([]int, nt.n)
			if p.Groups == nil {
				for _, i := range w.Rand().Perm(nt.fn)[:min(p.K, nt.fn-1)] {
					group[i] = 1
				}
			} else {
				for i := range group {
					group[i] = len(p.Groups)
				}
				for g, nodes := range p.Groups {
					for _, i := range nodes {
						group[i] = g
					}
				}
			}
			for a := 0; a < nt.n; a++ {
				for b := 0; b < nt.n; b++ {
					if group[a] != group[b] {
						block(a, b)
					}
				}
			}
		}
		nt.stats.FaultPartitions++
		if p.To > 0 {
			w.At(max(p.To, w.Now()), func(*harness.World, *harness.Request, int64) {
				for _, l := range cut {
					nt.Unblock(l[0], l[1])
				}
			}, nil, 0)
		}
	}
	nt.w.At(p.From, start, nil, 0)
}
