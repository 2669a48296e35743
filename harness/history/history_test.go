package history

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

const ms = time.Millisecond

// Hand-written histories with known verdicts.
func TestCheckKnownHistories(t *testing.T) {
	type op struct {
		client     uint32
		kind       Kind
		value      int64
		call, ret  time.Duration
		indefinite bool
	}
	for _, tc := range []struct {
		name  string
		ops   []op
		legal bool
	}{
		{"sequential write then read", []op{{0, Write, 1, 0, 1 * ms, false}, {1, Read, 1, 2 * ms, 3 * ms, false}}, true},
		{"stale read after a write returned", []op{{0, Write, 1, 0, 1 * ms, false}, {1, Read, 0, 2 * ms, 3 * ms, false}}, false},
		{"concurrent read may see either", []op{{0, Write, 1, 0, 5 * ms, false}, {1, Read, 0, 1 * ms, 2 * ms, false}, {2, Read, 1, 3 * ms, 4 * ms, false}}, true},
		{"new then old inside one write", []op{{0, Write, 1, 0, 10 * ms, false}, {1, Read, 1, 1 * ms, 2 * ms, false}, {2, Read, 0, 3 * ms, 4 * ms, false}}, false},
		{"a timed-out write may have happened", []op{{0, Write, 7, 0, 1 * ms, true}, {1, Read, 7, 5 * ms, 6 * ms, false}}, true},
		{"a timed-out write may not have happened", []op{{0, Write, 7, 0, 1 * ms, true}, {1, Read, 0, 5 * ms, 6 * ms, false}}, true},
		{"a value nobody wrote", []op{{0, Write, 1, 0, 1 * ms, false}, {1, Read, 2, 2 * ms, 3 * ms, false}}, false},
	} {
		l := New()
		for _, o := range tc.ops {
			id := l.Invoke(o.client, 42, o.kind, o.value, o.call)
			if o.indefinite {
				l.Unknown(id)
			} else {
				l.Return(id, o.value, o.ret)
			}
		}
		r := Check(l, 0)
		if got := r.Violations == 0; got != tc.legal {
			t.Errorf("%s: violations %d, want legal=%v", tc.name, r.Violations, tc.legal)
		}
		if !tc.legal && (r.First == nil || r.First.Key != 42 || !strings.Contains(r.First.String(), "key 42")) {
			t.Errorf("%s: violation not described: %+v", tc.name, r.First)
		}
	}
}

// A sequential reference register: histories it produces (with random
// overlaps that respect real time) are linearizable; a register that
// serves a random stale read is caught, and the window is small.
func TestCheckReferenceAndBroken(t *testing.T) {
	for _, broken := range []bool{false, true} {
		r := rand.New(rand.NewPCG(1, 2))
		l := New()
		vals := map[uint64]int64{}
		prev := map[uint64]int64{}
		now := time.Duration(0)
		staleAt := 300
		for i := 0; i < 600; i++ {
			key := uint64(r.IntN(4))
			now += time.Duration(1+r.IntN(3)) * ms
			// Each op takes effect at now; its interval straddles it.
			call, ret := now-time.Duration(r.IntN(2))*ms/2, now+time.Duration(r.IntN(2))*ms/2
			if r.IntN(2) == 0 {
				prev[key] = vals[key]
				vals[key] = int64(i + 1)
				id := l.Invoke(uint32(i%8), key, Write, vals[key], call)
				l.Return(id, 0, ret)
				continue
			}
			v := vals[key]
			if broken && i >= staleAt && prev[key] != v {
				v, staleAt = prev[key], 1<<30 // one stale read
			}
			id := l.Invoke(uint32(i%8), key, Read, 0, call)
			l.Return(id, v, ret)
		}
		res := Check(l, 10*time.Second)
		if res.Keys != 4 || res.Unknown != 0 {
			t.Fatalf("broken=%v: %+v", broken, res)
		}
		if !broken && res.Violations != 0 {
			t.Errorf("reference register: %d violations: %v", res.Violations, res.First)
		}
		if broken {
			if res.Violations != 1 || res.First == nil {
				t.Fatalf("stale read not caught: %+v", res)
			}
			if n := len(res.First.Ops); n > 10 {
				t.Errorf("window of %d ops, want a handful:\n%v", n, res.First)
			}
		}
	}
}

// Failed operations and unanswered reads are left out.
func TestFailedOpsAreDropped(t *testing.T) {
	l := New()
	w := l.Invoke(0, 1, Write, 5, 0)
	l.Fail(w)
	r := l.Invoke(1, 1, Read, 0, 2*ms)
	l.Return(r, 0, 3*ms)
	l.Invoke(2, 1, Read, 0, 4*ms) // never answered
	res := Check(l, 0)
	if res.Violations != 0 || res.Ops != 1 {
		t.Errorf("%+v", res)
	}
}
