package workloads

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// rampArrival is a Poisson process whose rate moves linearly from `from` to
// `to` over `over`, then stays at `to`. Each gap inverts the integrated
// rate exactly (one exponential draw per op, whatever the two rates), so a
// ramp down from 1e6 to 1 ops/s costs what a ramp up does. Its long-run
// mean is `to`.
type rampArrival struct {
	from, to float64
	over     time.Duration
}

func (a rampArrival) String() string {
	return fmt.Sprintf("ramp:from=%s,to=%s,over=%s", fmtF(a.from), fmtF(a.to), fmtD(a.over))
}
func (a rampArrival) rate() float64 { return a.to }
func (a rampArrival) scaled(f float64) arrivalDef {
	return rampArrival{a.from * f, a.to * f, a.over}
}
func (a rampArrival) build(_ uint64, p Part) schedule {
	k := 1 / (1e9 * float64(p.Of)) // ops/s of the whole → ops/ns of a part
	over := float64(a.over)
	return &rampSchedule{from: a.from * k, to: a.to * k, over: over, slope: (a.to - a.from) * k / over}
}

type rampSchedule struct {
	from, to, over float64 // ops/ns, ops/ns, ns
	slope          float64 // ops/ns²
	t              float64 // ns
}

// next finds the t' where ∫_t^t' rate = E, E ~ Exp(1). Inside the ramp the
// rate is r0 + slope·x at x ns past t, so the area is r0·Δ + slope·Δ²/2 and
// Δ = 2E / (r0 + √(r0² + 2·slope·E)) (the form with no cancellation). Past
// the ramp the rate is constant.
func (s *rampSchedule) next(r *rand.Rand) time.Duration {
	e := r.ExpFloat64()
	if s.t < s.over {
		r0 := s.from + s.slope*s.t
		rest := s.over - s.t
		area := (r0 + s.to) / 2 * rest
		if e < area {
			if den := r0 + math.Sqrt(math.Max(r0*r0+2*s.slope*e, 0)); den > 0 {
				s.t = math.Min(s.t+2*e/den, s.over)
			}
			return time.Duration(s.t)
		}
		e -= area
		s.t = s.over
	}
	s.t += e / s.to
	return time.Duration(s.t)
}
