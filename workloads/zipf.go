package workloads

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Zipf draws ranks in [0, n) with P(rank k) = (k+1)^−θ / ζ(n, θ), for any
// θ > 0. The default method is rejection-inversion (Hörmann and Derflinger,
// "Rejection-inversion to generate variates from monotone discrete
// distributions", ACM TOMACS 1996), which is exact and needs no zeta; the
// "gray" method is Gray et al.'s approximation (SIGMOD'94), as in YCSB, exact
// for the two hottest ranks only. Both follow keyspace growth exactly: Grow
// updates ζ incrementally and recomputes η from the new n (YCSB keeps the
// original count in η).
type Zipf struct {
	theta float64
	n     uint64
	gray  bool
	zetaN float64 // ζ(n, θ), kept current by Grow
	// direct: |1−θ| is large enough for the plain closed forms (one log and
	// one exp each) to lose no precision; near θ = 1 the expm1/log1p forms
	// are used.
	direct      bool
	oneMinus    float64 // 1 − θ
	invOneMinus float64 // 1/(1 − θ)

	// Head: ranks [0, head) come from an alias table, with probability
	// headP = ζ(head)/ζ(n); the tail by rejection-inversion over [head, n).
	// At θ = 0.99, n = 1e6 the head takes two thirds of the draws at a
	// fraction of the cost. Each column holds its two outcomes as values
	// (ranks, or keys when mapHead has mapped them), so a draw from the
	// head is one cache line.
	head      uint64
	headZeta  float64
	headP     float64
	headScale float64 // head/headP: maps u < headP onto [0, head)
	headTab   []headColumn

	// rejection-inversion over ranks head+1 … n (1-based)
	hX1, hN, s float64

	// Gray et al.
	alpha, eta, half, c float64
}

// NewZipf returns a Zipf over n ranks with exponent theta; gray selects Gray
// et al.'s method instead of the exact one.
func NewZipf(theta float64, n uint64, gray bool) (*Zipf, error) {
	if !(theta > 0) || math.IsInf(theta, 0) {
		return nil, fmt.Errorf("zipf: theta=%v must be > 0", theta)
	}
	if n == 0 {
		return nil, fmt.Errorf("zipf: n=0: want at least 1 key")
	}
	z := &Zipf{theta: theta, gray: gray, oneMinus: 1 - theta, direct: math.Abs(1-theta) > 1e-3}
	z.invOneMinus = 1 / z.oneMinus
	z.s = 2 - z.hIntegralInv(z.hIntegral(2.5)-z.h(2))
	z.half = 1 + math.Pow(0.5, theta)
	z.zetaN = Zeta(n, theta)
	z.n = n
	if !gray {
		z.head = min(n, zipfHead)
		w := make([]float64, z.head)
		for k := range w {
			w[k] = math.Pow(float64(k+1), -theta)
			z.headZeta += w[k]
		}
		for k := range w {
			w[k] /= z.headZeta
		}
		a := newAlias(w)
		z.headTab = make([]headColumn, z.head)
		for i := range z.headTab {
			z.headTab[i] = headColumn{keep: a.prob[i], self: uint64(i), other: uint64(a.alias[i])}
		}
		m := float64(z.head + 1) // the first tail rank, 1-based
		z.hX1 = z.hIntegral(m+0.5) - z.h(m)
	}
	z.derive()
	return z, nil
}

// Theta is the exponent; N the current number of ranks.
func (z *Zipf) Theta() float64 { return z.theta }

// N is the current number of ranks.
func (z *Zipf) N() uint64 { return z.n }

// Zeta is ζ(N, θ), the normalising constant.
func (z *Zipf) Zeta() float64 { return z.zetaN }

// Prob is the exact probability of rank k (0-based).
func (z *Zipf) Prob(k uint64) float64 {
	if k >= z.n {
		return 0
	}
	return math.Pow(float64(k+1), -z.theta) / z.zetaN
}

// Grow enlarges the rank space to n (inserts). Small steps add the new terms
// of ζ exactly; large ones recompute it.
func (z *Zipf) Grow(n uint64) {
	if n <= z.n {
		return
	}
	if n-z.n <= zetaHead {
		z.zetaN += zetaSum(z.n+1, n, z.theta)
	} else {
		z.zetaN = Zeta(n, z.theta)
	}
	z.n = n
	z.derive()
}

// derive recomputes what depends on n.
func (z *Zipf) derive() {
	n := float64(z.n)
	z.hN = z.hIntegral(n + 0.5)
	if z.head > 0 {
		z.headP = z.headZeta / z.zetaN
		if z.head == z.n {
			z.headP = 1
		}
		z.headScale = float64(z.head) / z.headP
	}
	if z.n < 2 {
		return
	}
	zeta2 := z.half
	if z.theta == 1 {
		// The limit of Gray's formula as θ → 1: (1 − η(1−u))^α → e^(−c(1−u)).
		z.c = math.Log(n/2) / (1 - zeta2/z.zetaN)
		return
	}
	z.alpha = 1 / (1 - z.theta)
	z.eta = (1 - math.Pow(2/n, 1-z.theta)) / (1 - zeta2/z.zetaN)
}

// zipfHead is the size of the exact method's alias-table head: 16,384
// columns of 24 bytes (384 KB, within a 2-core VM's L2). Measured at
// θ = 0.99, n = 1e6 (CPU ns per draw, best of 5, same machine): 1,024 →
// 34, 16,384 → 25.5, 65,536 → 25.5 (1.5 MB: no gain left for leaving L2).
const zipfHead = 16384

// headColumn is one column of the head's alias table: it yields self with
// probability keep, else other.
type headColumn struct {
	keep        float64
	self, other uint64
}

// mapHead replaces the head's outcomes, ranks, by f(rank): a scrambled Zipf
// then draws its hottest keys without permuting them (see nextMapped).
func (z *Zipf) mapHead(f func(uint64) uint64) {
	for i := range z.headTab {
		c := &z.headTab[i]
		c.self, c.other = f(c.self), f(c.other)
	}
}

// Next draws a rank: 0 is the most frequent.
func (z *Zipf) Next(r *rand.Rand) uint64 {
	k, _ := z.nextMapped(r)
	return k
}

// nextMapped draws a rank; from the head it returns the column's value
// (the rank itself unless mapHead changed it) and head = true.
func (z *Zipf) nextMapped(r *rand.Rand) (k uint64, head bool) {
	if z.gray {
		return z.nextGray(r), false
	}
	v := r.Float64()
	if v < z.headP {
		// v/headP is uniform on [0,1): its scaled integer part picks the
		// column and its fraction tosses the coin.
		x := v * z.headScale
		// v just below headP can round x up to head (θ = 0.30006,
		// n = 1025): keep the column in the table.
		i := min(uint64(x), z.head-1)
		c := &z.headTab[i]
		if x-float64(i) < c.keep {
			return c.self, true
		}
		return c.other, true
	}
	return z.nextTail(r, v), false
}

// nextTail draws from the tail by rejection-inversion, given the first
// uniform v ≥ headP.
func (z *Zipf) nextTail(r *rand.Rand, v float64) uint64 {
	v = (v - z.headP) / (1 - z.headP)
	lo := float64(z.head + 1)
	for {
		u := z.hN + v*(z.hX1-z.hN)
		v = r.Float64()
		x := z.hIntegralInv(u)
		k := math.Floor(x + 0.5)
		if k < lo {
			k = lo
		} else if k > float64(z.n) {
			k = float64(z.n)
		}
		if k-x <= z.s || u >= z.hIntegral(k+0.5)-z.h(k) {
			return uint64(k) - 1
		}
	}
}

func (z *Zipf) nextGray(r *rand.Rand) uint64 {
	u := r.Float64()
	uz := u * z.zetaN
	if uz < 1 || z.n < 2 {
		return 0
	}
	if uz < z.half {
		return 1
	}
	var k float64
	if z.theta == 1 {
		k = float64(z.n) * math.Exp(-z.c*(1-u))
	} else {
		k = float64(z.n) * math.Exp(z.alpha*math.Log(z.eta*u-z.eta+1))
	}
	if k >= float64(z.n) {
		return z.n - 1
	}
	return uint64(k)
}

// h is the unnormalised density x^−θ.
func (z *Zipf) h(x float64) float64 { return math.Exp(-z.theta * math.Log(x)) }

// hIntegral is ∫_1^x t^−θ dt, the primitive that rejection-inversion inverts.
func (z *Zipf) hIntegral(x float64) float64 {
	lx := math.Log(x)
	if z.direct {
		return (math.Exp(z.oneMinus*lx) - 1) * z.invOneMinus
	}
	return expm1x((1-z.theta)*lx) * lx
}

func (z *Zipf) hIntegralInv(x float64) float64 {
	t := x * z.oneMinus
	if t < -1 {
		t = -1 // rounding guard: the inverse is defined for t ≥ −1
	}
	if z.direct {
		return math.Exp(math.Log(1+t) * z.invOneMinus)
	}
	return math.Exp(log1px(t) * x)
}
