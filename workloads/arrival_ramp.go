package workloads

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// rampArrival is a Poisson process whose rate moves linearly from `from` to
// `to` over `over`, then stays at `to`; drawn by thinning (Lewis and
// Shedler 1979) against the larger rate. Its long-run mean is `to`.
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
	return &rampSchedule{from: a.from * k, to: a.to * k, over: float64(a.over), max: math.Max(a.from, a.to) * k}
}

type rampSchedule struct {
	from, to, over, max float64 // ops/ns, ns
	t                   float64
}

func (s *rampSchedule) next(r *rand.Rand) time.Duration {
	for {
		s.t += r.ExpFloat64() / s.max
		rate := s.to
		if s.t < s.over {
			rate = s.from + (s.to-s.from)*s.t/s.over
		}
		if r.Float64()*s.max < rate {
			return time.Duration(s.t)
		}
	}
}
