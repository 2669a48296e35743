package ratelimit

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// decision is one recorded op: when it arrived, when the traffic it admitted
// reached the protected service (the arrival, or the departure from a leaky
// queue), its client and whether it was admitted. The log grows by append
// (amortised, no per-op allocation) and is only read by figures.
type decision struct {
	at, out time.Duration
	client  uint32
	ok      bool
}

// maxJudged bounds the decisions a run logs for its accuracy and fairness
// figures (24 bytes each, about 100 MB at most): a wall-clock closed loop
// decides millions of ops a second, and an unbounded log grew to gigabytes
// and stalled the run while it was copied. admitted, denied and
// admitted_rate always count the whole run; the other figures cover the
// first judged_ops decisions (of each worker, the bound shared among them).
const maxJudged = 1 << 22

// recorder is one worker's tally and decision log, written without a lock.
type recorder struct {
	log              []decision
	room             int // most decisions log may hold
	admitted, denied int
	last             time.Duration // latest arrival or departure recorded
}

func newRecorder(room int) recorder { return recorder{room: max(1, room)} }

// record counts d and logs it while there is room.
func (r *recorder) record(d decision) {
	if d.ok {
		r.admitted++
	} else {
		r.denied++
	}
	r.last = max(r.last, d.at, d.out)
	if len(r.log) < r.room {
		r.log = append(r.log, d)
	}
}

// totals is what every recorder of a run counted, logged or not.
type totals struct {
	admitted, denied int
	last             time.Duration
}

func (t *totals) add(r *recorder) {
	t.admitted += r.admitted
	t.denied += r.denied
	t.last = max(t.last, r.last)
}

// judge is what figures needs to know about the run's limiter.
type judge struct {
	keyed    bool
	window   time.Duration
	rm       int64   // the reference's rate in milli-ops/s; 0: no rate reference
	refBurst int64   // the reference token bucket's burst
	rate     float64 // configured rate, ops/s
	ideal    float64 // burst + rate·window: the most any window may admit
}

// figures computes the accuracy and fairness figures of a run from its
// decision log (which it reorders) and its totals. Per limiter key (the client in keyed
// mode, one key in global mode) it
//   - counts admitted and demanded ops,
//   - finds the most admitted ops in any window (t−W, t] exactly, with two
//     pointers over the sorted admitted times,
//   - replays every arrival through an exact token bucket of the configured
//     rate and burst — the reference definition "at most burst + rate·T in
//     any window T" — and counts the decisions that differ.
func (j *judge) figures(log []decision, tot totals, m map[string]float64) {
	key := func(d *decision) uint32 {
		if j.keyed {
			return d.client
		}
		return 0
	}
	slices.SortStableFunc(log, func(a, b decision) int {
		if c := cmp.Compare(key(&a), key(&b)); c != 0 {
			return c
		}
		return cmp.Compare(a.at, b.at)
	})
	var (
		falseAdmit, falseDeny         int
		worstWindow, worstKeyAdmitted int
		span                          time.Duration
		outs                          []time.Duration
	)
	for lo := 0; lo < len(log); {
		hi, k := lo, key(&log[lo])
		for hi < len(log) && key(&log[hi]) == k {
			hi++
		}
		var ref *TokenBucket
		if j.rm > 0 {
			ref = newTokenBucket(j.rm, j.refBurst)
		}
		outs = outs[:0]
		for i := lo; i < hi; i++ {
			d := &log[i]
			span = max(span, d.at, d.out)
			if d.ok {
				outs = append(outs, d.out)
			}
			if ref != nil {
				switch r := ref.Allow(d.at); {
				case d.ok && !r:
					falseAdmit++
				case !d.ok && r:
					falseDeny++
				}
			}
		}
		worstKeyAdmitted = max(worstKeyAdmitted, len(outs))
		worstWindow = max(worstWindow, maxInWindow(outs, j.window))
		lo = hi
	}
	m["admitted"] = float64(tot.admitted)
	m["denied"] = float64(tot.denied)
	m["admitted_rate"] = float64(tot.admitted) / seconds(tot.last)
	m["judged_ops"] = float64(len(log))
	m["max_admitted_in_any_window"] = float64(worstWindow)
	if j.keyed {
		m["max_key_admitted_rate"] = float64(worstKeyAdmitted) / seconds(span)
	}
	if j.rm > 0 {
		m["limit_rate"] = j.rate
		m["ideal_max_in_window"] = j.ideal
		m["false_admits"] = float64(falseAdmit)
		m["false_denials"] = float64(falseDeny)
	}
	m["window_s"] = j.window.Seconds()
	fairness(log, m)
}

// seconds is d in seconds, never zero (it divides).
func seconds(d time.Duration) float64 {
	if s := d.Seconds(); s > 0 {
		return s
	}
	return math.SmallestNonzeroFloat64
}

// maxInWindow is the most times in any half-open window of length w, i.e.
// the largest j−i+1 with t[j]−t[i] < w. It sorts t.
func maxInWindow(t []time.Duration, w time.Duration) int {
	if !slices.IsSorted(t) {
		slices.Sort(t)
	}
	best, i := 0, 0
	for k := range t {
		for t[k]-t[i] >= w {
			i++
		}
		best = max(best, k-i+1)
	}
	return best
}

// fairness reports how evenly the limiter treated the clients that asked:
// Jain's index (Σx)²/(n·Σx²) over each client's admitted share
// (admitted/demanded; 1 when every client got the same fraction of what it
// asked) and over admitted counts (1 when every client got as many ops).
func fairness(log []decision, m map[string]float64) {
	type count struct{ asked, got int }
	per := map[uint32]*count{}
	for i := range log {
		c := per[log[i].client]
		if c == nil {
			c = &count{}
			per[log[i].client] = c
		}
		c.asked++
		if log[i].ok {
			c.got++
		}
	}
	if len(per) == 0 {
		return
	}
	// Sum in client order: map order would change the last bits of a float
	// sum from run to run, and virtual-time results must repeat exactly.
	clients := make([]uint32, 0, len(per))
	for id := range per {
		clients = append(clients, id)
	}
	slices.Sort(clients)
	shares := make([]float64, 0, len(per))
	gots := make([]float64, 0, len(per))
	lo, hi := 1.0, 0.0
	for _, id := range clients {
		c := per[id]
		s := float64(c.got) / float64(c.asked)
		shares = append(shares, s)
		gots = append(gots, float64(c.got))
		lo, hi = min(lo, s), max(hi, s)
	}
	m["clients"] = float64(len(per))
	m["jain_admitted_share"] = jain(shares)
	m["jain_admitted"] = jain(gots)
	m["min_admitted_share"] = lo
	m["max_admitted_share"] = hi
}

func jain(x []float64) float64 {
	var s, s2 float64
	for _, v := range x {
		s += v
		s2 += v * v
	}
	if s2 == 0 {
		return 1
	}
	return s * s / (float64(len(x)) * s2)
}
