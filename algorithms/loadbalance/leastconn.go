package loadbalance

import (
	"math/rand/v2"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// leastConn is least connections as nginx's least_conn defines it: the
// backend with the fewest requests in flight per unit of weight
// (conns_a·w_b < conns_b·w_a, no division), ties broken by a weighted round
// robin. It keeps the eligible backends in an indexed binary min-heap, so a
// decision and a completion cost O(log n) instead of nginx's O(n) scan. Each
// heap entry carries its own key (a copy of the pool's in-flight count,
// weight and pass), so sifting touches one contiguous array.
//
// The tie-breaking round robin is stride scheduling (Waldspurger & Weihl
// 1995): each backend has a pass that advances by stride = K/weight when it
// is picked, and among tied backends the smallest pass wins (then the lower
// index). Passes start at stride/2, which interleaves: on an idle pool
// weights {5,1,1} give A A A B C A A, five A for every B and C, where
// nginx's smooth round robin (which needs a scan) gives A A B A C A A.
type leastConn struct {
	heap   []lcEntry
	pos    []int32 // pos[b] is b's index in heap, −1 when not eligible
	pass   []uint64
	stride []uint64
}

type lcEntry struct {
	conns, weight int64
	pass          uint64
	b             int32
}

// strideK makes integer strides exact enough: weights up to 2^20 still get
// distinct strides of at least 2^20.
const strideK = 1 << 40

func newLeastConn(p *Pool) *leastConn {
	n := p.Len()
	lc := &leastConn{pos: make([]int32, n), pass: make([]uint64, n), stride: make([]uint64, n)}
	for b, w := range p.weights {
		if w > 0 {
			lc.stride[b] = strideK / uint64(w)
			lc.pass[b] = lc.stride[b] / 2
		}
	}
	lc.rebuild(p)
	return lc
}

// less orders entries by in-flight per weight, then pass, then index.
// Passes grow by up to 2^40 per pick and wrap around uint64 (after 2^24
// picks of a weight-1 backend), so they compare modulo 2^64, as TCP
// sequence numbers do: correct while two passes are less than 2^63 apart.
func less(a, b *lcEntry) bool {
	x, y := a.conns*b.weight, b.conns*a.weight
	if x != y {
		return x < y
	}
	if a.pass != b.pass {
		return passBefore(a.pass, b.pass)
	}
	return a.b < b.b
}

// passBefore reports whether pass a comes before pass b, modulo 2^64.
func passBefore(a, b uint64) bool { return int64(a-b) < 0 }

func (lc *leastConn) pick(p *Pool, _ time.Duration, _ *rand.Rand, _ *workloads.Op) int {
	e := &lc.heap[0]
	b := e.b
	e.conns++ // the caller counts b in flight once pick returns
	e.pass += lc.stride[b]
	lc.pass[b] = e.pass
	lc.down(0)
	return int(b)
}

func (lc *leastConn) done(p *Pool, b int, _, _ time.Duration) {
	if i := lc.pos[b]; i >= 0 {
		lc.heap[i].conns = int64(p.inflight[b])
		lc.up(int(i))
	}
}

func (lc *leastConn) health(p *Pool, b int, ok bool) {
	if ok && len(lc.heap) > 0 {
		// A returning backend joins at the current round, neither owed a
		// burst for its absence nor behind everyone else.
		if passBefore(lc.pass[b], lc.heap[0].pass) {
			lc.pass[b] = lc.heap[0].pass
		}
	}
	lc.rebuild(p)
}

func (lc *leastConn) rebuild(p *Pool) {
	for i := range lc.pos {
		lc.pos[i] = -1
	}
	lc.heap = lc.heap[:0]
	for _, b := range p.eligible {
		lc.pos[b] = int32(len(lc.heap))
		lc.heap = append(lc.heap, lcEntry{conns: int64(p.inflight[b]), weight: int64(p.weights[b]), pass: lc.pass[b], b: int32(b)})
	}
	for i := len(lc.heap)/2 - 1; i >= 0; i-- {
		lc.down(i)
	}
}

// up and down move a hole instead of swapping: each level costs one entry
// copy and one position update.

func (lc *leastConn) up(i int) {
	h := lc.heap
	e := h[i]
	for i > 0 {
		parent := (i - 1) / 2
		if !less(&e, &h[parent]) {
			break
		}
		h[i] = h[parent]
		lc.pos[h[i].b] = int32(i)
		i = parent
	}
	h[i] = e
	lc.pos[e.b] = int32(i)
}

func (lc *leastConn) down(i int) {
	h := lc.heap
	n := len(h)
	e := h[i]
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && less(&h[r], &h[l]) {
			m = r
		}
		if !less(&h[m], &e) {
			break
		}
		h[i] = h[m]
		lc.pos[h[i].b] = int32(i)
		i = m
	}
	h[i] = e
	lc.pos[e.b] = int32(i)
}
