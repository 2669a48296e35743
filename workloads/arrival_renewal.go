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
type gammaArrival struct{ r, shape float64 }

func (a gammaArrival) String() string {
	return "gamma:rate=" + fmtF(a.r) + ",shape=" + fmtF(a.shape)
}
func (a gammaArrival) rate() float64               { return a.r }
func (a gammaArrival) scaled(f float64) arrivalDef { return gammaArrival{a.r * f, a.shape} }
func (a gammaArrival) build(_ uint64, p Part) schedule {
	return &gammaSchedule{shape: a.shape, scale: 1e9 * float64(p.Of) / (a.r * a.shape)}
}

type gammaSchedule struct{ shape, scale, t float64 }

func (s *gammaSchedule) next(r *rand.Rand) time.Duration {
	s.t += gammaVariate(r, s.shape) * s.scale
	return time.Duration(s.t)
}

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
