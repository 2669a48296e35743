package workloads

import "math"

// zetaHead is how many leading terms Zeta sums exactly; from there the
// Euler–Maclaurin tail with three Bernoulli corrections is accurate to far
// below float64 rounding (the next term is ~θ⁷/10⁶·256^(−θ−7)).
const zetaHead = 256

// Zeta is the generalised harmonic number ζ(n, θ) = Σ_{i=1..n} i^−θ, for any
// θ > 0 (θ = 1 included). Up to zetaHead terms it is summed exactly; beyond,
// the sum over [zetaHead, n] is the Euler–Maclaurin formula
//
//	∫_a^b f + (f(a)+f(b))/2 + Σ_{k=1..3} B_2k/(2k)! (f^(2k−1)(b) − f^(2k−1)(a))
//
// so ζ(1e12, θ) costs about 260 math.Pow calls (YCSB sums all n terms:
// minutes for n = 1e10).
func Zeta(n uint64, theta float64) float64 {
	if n <= zetaHead {
		return zetaSum(1, n, theta)
	}
	head := zetaSum(1, zetaHead-1, theta)
	return head + zetaTail(zetaHead, float64(n), theta)
}

// zetaSum adds i^−θ for i in [lo, hi], smallest terms first.
func zetaSum(lo, hi uint64, theta float64) float64 {
	sum, c := 0.0, 0.0 // Kahan compensation
	for i := hi; i >= lo && i > 0; i-- {
		y := math.Pow(float64(i), -theta) - c
		t := sum + y
		c = (t - sum) - y
		sum = t
	}
	return sum
}

// zetaTail is Σ_{i=a..b} i^−θ by Euler–Maclaurin.
func zetaTail(a, b, t float64) float64 {
	la, lb := math.Log(a), math.Log(b)
	f := func(x, lx, p float64) float64 { return math.Exp(-(t + p) * lx) } // x^(−θ−p)
	// ∫_a^b x^−θ dx = a^(1−θ)·(e^((1−θ)L) − 1)/(1−θ), L = ln(b/a), stable at θ = 1.
	L := lb - la
	integral := math.Exp((1-t)*la) * L * expm1x((1-t)*L)
	ends := (f(a, la, 0) + f(b, lb, 0)) / 2
	// f' = −θ x^(−θ−1); f''' = −θ(θ+1)(θ+2) x^(−θ−3); f⁽⁵⁾ = −θ…(θ+4) x^(−θ−5).
	c1 := -t
	c3 := -t * (t + 1) * (t + 2)
	c5 := c3 * (t + 3) * (t + 4)
	corr := c1*(f(b, lb, 1)-f(a, la, 1))/12 -
		c3*(f(b, lb, 3)-f(a, la, 3))/720 +
		c5*(f(b, lb, 5)-f(a, la, 5))/30240
	return integral + ends + corr
}

// expm1x is (e^x − 1)/x, continuous at 0.
func expm1x(x float64) float64 {
	if math.Abs(x) < 1e-8 {
		return 1 + x/2 + x*x/6
	}
	return math.Expm1(x) / x
}

// log1px is ln(1+x)/x, continuous at 0.
func log1px(x float64) float64 {
	if math.Abs(x) < 1e-8 {
		return 1 - x/2 + x*x/3
	}
	return math.Log1p(x) / x
}
