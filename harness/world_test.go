package harness

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

// TestWorldOrder checks the heap against a sorted reference: events run in
// time order, ties in scheduling order, including events scheduled while
// running.
func TestWorldOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	type rec struct {
		at  time.Duration
		seq int64
	}
	var got, want []rec
	w := NewWorld(1, nil)
	var fn EventFunc
	fn = func(w *World, _ *Request, arg int64) {
		got = append(got, rec{w.Now(), arg})
	}
	var seq int64
	push := func(at time.Duration) {
		w.At(at, fn, nil, seq)
		want = append(want, rec{at, seq})
		seq++
	}
	for range 5000 {
		push(time.Duration(r.IntN(300))) // many ties
	}
	// An event that schedules more at its own time and later.
	want = append(want, rec{150, -1})
	w.At(150, func(w *World, _ *Request, _ int64) {
		got = append(got, rec{w.Now(), -1})
		for i := range 50 {
			w.After(time.Duration(i%3), fn, nil, seq)
			want = append(want, rec{w.Now() + time.Duration(i%3), seq})
			seq++
		}
	}, nil, -1)
	for w.Step() {
	}
	// want lists events in scheduling order, so a stable sort by time is
	// exactly the order the World must follow.
	sort.SliceStable(want, func(i, j int) bool { return want[i].at < want[j].at })
	if len(got) != len(want) {
		t.Fatalf("ran %d events, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("event %d is %+v, want %+v", i, got[i], want[i])
		}
	}
	if w.Pending() != 0 {
		t.Fatalf("pending %d after draining", w.Pending())
	}
}

func TestWorldClampsPast(t *testing.T) {
	w := NewWorld(1, nil)
	var at time.Duration
	w.At(100, func(w *World, _ *Request, _ int64) {
		w.At(10, func(w *World, _ *Request, _ int64) { at = w.Now() }, nil, 0)
	}, nil, 0)
	w.RunUntil(1000)
	if at != 100 {
		t.Fatalf("event scheduled in the past ran at %v, want now (100ns)", at)
	}
}

func TestWorldCompleteTwicePanics(t *testing.T) {
	w := NewWorld(1, func(*Request, Outcome) {})
	req := &Request{}
	w.Complete(req, Outcome{})
	defer func() {
		if recover() == nil {
			t.Fatal("second Complete did not panic")
		}
	}()
	w.Complete(req, Outcome{})
}
