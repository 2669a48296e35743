package workloads

import (
	"math"
	"math/rand/v2"
	"time"
)

// constantArrival spaces ops exactly 1/rate apart. Part k of n sends ops
// k, k+n, k+2n, … of the whole schedule, each time computed from its index
// (no accumulated rounding), so the parts' union is the whole schedule.
type constantArrival struct{ r float64 }

func (c constantArrival) String() string              { return "constant:rate=" + fmtF(c.r) }
func (c constantArrival) rate() float64               { return c.r }
func (c constantArrival) scaled(f float64) arrivalDef { return constantArrival{c.r * f} }
func (c constantArrival) build(_ uint64, p Part) schedule {
	return &constantSchedule{gap: 1e9 / c.r, i: uint64(p.Index), step: uint64(p.Of)}
}

type constantSchedule struct {
	gap     float64 // ns
	i, step uint64
}

func (c *constantSchedule) next(*rand.Rand) time.Duration {
	t := time.Duration(float64(c.i) * c.gap)
	c.i += c.step
	return t
}

// poissonArrival has exponential gaps; n independent parts at rate/n
// superpose to a Poisson process at rate.
type poissonArrival struct{ r float64 }

func (a poissonArrival) String() string              { return "poisson:rate=" + fmtF(a.r) }
func (a poissonArrival) rate() float64               { return a.r }
func (a poissonArrival) scaled(f float64) arrivalDef { return poissonArrival{a.r * f} }
func (a poissonArrival) build(_ uint64, p Part) schedule {
	return &poissonSchedule{mean: 1e9 * float64(p.Of) / a.r}
}

type poissonSchedule struct{ mean, t float64 }

func (s *poissonSchedule) next(r *rand.Rand) time.Duration {
	s.t += r.ExpFloat64() * s.mean
	return time.Duration(s.t)
}

// gammaArrival has Gamma(shape) gaps with mean 1/rate: CV = 1/√shape.
// Unlike Poisson, independent gamma streams at rate/n do not superpose to a
// gamma stream (n parts of a CV-2 process merge to CV ≈ 1.5 at n = 16 and
// tend to Poisson), so, like constant, part k of n sends ops k, k+n, k+2n, …
// of the one whole schedule: every part draws the whole stream's gaps from
// a source seeded from the root seed alone (n draws per op) and keeps its
// own points.
type gammaArrival struct{ r, shape float64 }

func (a gammaArrival) String() string {
	return "gamma:rate=" + fmtF(a.r) + ",shape=" + fmtF(a.shape)
}
func (a gammaArrival) rate() float64               { return a.r }
func (a gammaArrival) scaled(f float64) arrivalDef { return gammaArrival{a.r * f, a.shape} }
func (a gammaArrival) build(seed uint64, p Part) schedule {
	s := &gammaSchedule{shape: a.shape, scale: 1e9 / (a.r * a.shape), skip: p.Index + 1, step: p.Of}
	s.src.Seed(gammaSeed(seed), 1)
	s.gr = rand.New(&s.src)
	return s
}

type gammaSchedule struct {
	src          rand.PCG
	gr           *rand.Rand // the whole schedule's source, shared by every part
	shape, scale float64    // scale in ns: the whole stream's mean gap is shape·scale
	t            float64
	skip, step   int // gaps to the part's next op; then step
}

func (s *gammaSchedule) next(*rand.Rand) time.Duration {
	for ; s.skip > 0; s.skip-- {
		s.t += gammaVariate(s.gr, s.shape) * s.scale
	}
	s.skip = s.step
	return time.Duration(s.t)
}

// useSource makes the schedule draw from r (ParseArrival: the caller's
// source only).
func (s *gammaSchedule) useSource(r *rand.Rand) { s.gr = r }

// gammaVariate draws Gamma(k, 1) by Marsaglia and Tsang (ACM TOMS 2000),
// boosting k < 1 with U^(1/k).
func gammaVariate(r *rand.Rand, k float64) float64 {
	boost := 1.0
	if k < 1 {
		boost = math.Pow(1-r.Float64(), 1/k)
		k++
	}
	d := k - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := r.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := 1 - r.Float64()
		if math.Log(u) < 0.5*x*x+d-d*v+d*math.Log(v) {
			return d * v * boost
		}
	}
}
