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
// decision and a completion cost O(log n) instead of nginx's O(n) scan.
//
// The tie-breaking round robin is stride scheduling (Waldspurger & Weihl
// 1995): each backend has a pass that advances by stride = K/weight when it
// is picked, and among tied backends the smallest pass wins (then the lower
// index). Passes start at stride/2, which interleaves: on an idle pool
// weights {5,1,1} give A A A B C A A, five A for every B and C, where
// nginx's smooth round robin (which needs a scan) gives A A B A C A A.
type leastConn struct {
	heap   []int32 // eligible backends, heap-ordered
	pos    []int32 // pos[b] is b's index in heap, −1 when not eligible
	pass   []uint64
	stride []uint64
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

// less orders backends by in-flight per weight, then pass, then index.
func (lc *leastConn) less(p *Pool, a, b int32) bool {
	x, y := p.inflight[a]*p.weights[b], p.inflight[b]*p.weights[a]
	if x != y {
		return x < y
	}
	if lc.pass[a] != lc.pass[b] {
		return lc.pass[a] < lc.pass[b]
	}
	return a < b
}

func (lc *leastConn) pick(p *Pool, _ time.Duration, _ *rand.Rand, _ *workloads.Op) int {
	b := lc.heap[0]
	lc.pass[b] += lc.stride[b]
	// The caller counts b in flight after pick returns; sift as if it had.
	p.inflight[b]++
	lc.down(p, 0)
	p.inflight[b]--
	return int(b)
}

func (lc *leastConn) done(p *Pool, b int, _, _ time.Duration) {
	if i := lc.pos[b]; i >= 0 {
		lc.up(p, int(i))
	}
}

func (lc *leastConn) health(p *Pool, b int, ok bool) {
	if ok && len(lc.heap) > 0 {
		// A returning backend joins at the current round, neither owed a
		// burst for its absence nor behind everyone else.
		lc.pass[b] = max(lc.pass[b], lc.pass[lc.heap[0]])
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
		lc.heap = append(lc.heap, int32(b))
	}
	for i := len(lc.heap)/2 - 1; i >= 0; i-- {
		lc.down(p, i)
	}
}

func (lc *leastConn) swap(i, j int) {
	h := lc.heap
	h[i], h[j] = h[j], h[i]
	lc.pos[h[i]], lc.pos[h[j]] = int32(i), int32(j)
}

func (lc *leastConn) up(p *Pool, i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !lc.less(p, lc.heap[i], lc.heap[parent]) {
			return
		}
		lc.swap(i, parent)
		i = parent
	}
}

func (lc *leastConn) down(p *Pool, i int) {
	n := len(lc.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && lc.less(p, lc.heap[r], lc.heap[l]) {
			m = r
		}
		if !lc.less(p, lc.heap[m], lc.heap[i]) {
			return
		}
		lc.swap(i, m)
		i = m
	}
}
