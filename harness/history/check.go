package history

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

// Result is the outcome of checking a history.
type Result struct {
	Ops        int // operations checked
	Keys       int // keys checked
	Violations int // keys whose history is not linearizable
	Unknown    int // keys the checker could not decide within the time limit
	// First describes the first violating key (by key order) with a
	// minimal window of its history; nil when there is none.
	First *Violation
}

// Violation is one key's non-linearizable history.
type Violation struct {
	Key      uint64
	From, To time.Duration // the window
	Ops      []Op          // the window's operations, by invocation time
}

func (v *Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "key %d is not linearizable; a minimal window, %v … %v, holds %d ops:\n", v.Key, v.From, v.To, len(v.Ops))
	for i, o := range v.Ops {
		if i == 20 {
			fmt.Fprintf(&b, "  … %d more\n", len(v.Ops)-20)
			break
		}
		ret := "pending"
		if o.Return != Pending {
			ret = o.Return.String()
		}
		fmt.Fprintf(&b, "  client %-6d %-5s %-6d %v → %s\n", o.Client, o.Kind, o.Value, o.Call, ret)
	}
	return b.String()
}

// unknownValue is the register state at the start of a window cut out of a
// longer history: any first read is allowed and fixes it.
const unknownValue = math.MinInt64

func model(init int64) porcupine.Model {
	return porcupine.Model{
		Init: func() any { return init },
		Step: func(state, input, output any) (bool, any) {
			s, in := state.(int64), input.(Op)
			if in.Kind == Write {
				return true, in.Value
			}
			got := output.(int64)
			return s == unknownValue || s == got, got
		},
		Equal: func(a, b any) bool { return a.(int64) == b.(int64) },
		DescribeOperation: func(input, output any) string {
			o := input.(Op)
			if o.Kind == Write {
				return fmt.Sprintf("write(%d)", o.Value)
			}
			return fmt.Sprintf("read() → %d", output.(int64))
		},
	}
}

func toPorcupine(ops []Op) []porcupine.Operation {
	out := make([]porcupine.Operation, len(ops))
	for i, o := range ops {
		out[i] = porcupine.Operation{ClientId: int(o.Client), Input: o, Call: int64(o.Call), Output: o.Value, Return: int64(o.Return)}
	}
	return out
}

// Check checks l for linearizability, key by key, giving each key at most
// limit (0: no limit) of wall time; keys left undecided count as Unknown.
func Check(l *Log, limit time.Duration) Result {
	byKey := map[uint64][]Op{}
	ops := l.checked()
	for _, o := range ops {
		byKey[o.Key] = append(byKey[o.Key], o)
	}
	keys := make([]uint64, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	r := Result{Ops: len(ops), Keys: len(keys)}
	for _, k := range keys {
		h := byKey[k]
		switch porcupine.CheckOperationsTimeout(model(0), toPorcupine(h), limit) {
		case porcupine.Illegal:
			r.Violations++
			if r.First == nil {
				r.First = minimalWindow(k, h, limit)
			}
		case porcupine.Unknown:
			r.Unknown++
		}
	}
	return r
}

// illegal reports whether the ops, starting from init, are definitely not
// linearizable.
func illegal(ops []Op, init int64, limit time.Duration) bool {
	return porcupine.CheckOperationsTimeout(model(init), toPorcupine(ops), limit) == porcupine.Illegal
}

// prefix is the history as it stood at time t: operations invoked by t;
// a write that had not returned is pending, a read that had not is dropped.
func prefix(h []Op, t time.Duration) []Op {
	var out []Op
	for _, o := range h {
		if o.Call > t {
			continue
		}
		if o.Return > t {
			if o.Kind == Read {
				continue
			}
			o.Return = Pending
		}
		out = append(out, o)
	}
	return out
}

// minimalWindow narrows a key's illegal history: the earliest return time t
// whose prefix is already illegal (illegal prefixes stay illegal as they
// grow, so a binary search finds it), then the latest quiescent point s
// before t — every operation invoked before s returned before s — such that
// the operations from s on, from an unknown value, are still illegal.
// Cutting at a quiescent point is sound: every operation dropped precedes
// every one kept in real time, so any linearization of the whole restricts
// to one of the window.
func minimalWindow(key uint64, h []Op, limit time.Duration) *Violation {
	sort.SliceStable(h, func(i, j int) bool { return h[i].Call < h[j].Call })
	var ends []time.Duration
	for _, o := range h {
		if o.Return != Pending {
			ends = append(ends, o.Return)
		}
	}
	sort.Slice(ends, func(i, j int) bool { return ends[i] < ends[j] })
	end := time.Duration(Pending)
	if i := sort.Search(len(ends), func(i int) bool { return illegal(prefix(h, ends[i]), 0, limit) }); i < len(ends) {
		end = ends[i]
	}
	window := prefix(h, end)
	// Quiescent points: after operation i returns, if no later-invoked
	// operation started before that.
	var cuts []int // window[cut:] starts at a quiescent point
	reach := time.Duration(-1)
	for i := 0; i < len(window); i++ {
		if i > 0 && window[i].Call > reach {
			cuts = append(cuts, i)
		}
		reach = max(reach, window[i].Return)
	}
	// Later cuts give shorter windows; binary search for the latest cut
	// that keeps the window illegal (illegal(cut) is monotone: an illegal
	// suffix makes every longer suffix illegal).
	j := sort.Search(len(cuts), func(j int) bool { return !illegal(window[cuts[j]:], unknownValue, limit) })
	from := 0
	if j > 0 {
		from = cuts[j-1]
	}
	w := window[from:]
	v := &Violation{Key: key, Ops: append([]Op(nil), w...)}
	if len(w) > 0 {
		v.From = w[0].Call
		v.To = end
		if end == Pending {
			v.To = 0
			for _, o := range w {
				if o.Return != Pending {
					v.To = max(v.To, o.Return)
				}
			}
		}
	}
	return v
}
