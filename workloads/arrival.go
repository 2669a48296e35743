package workloads

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// ArrivalForms lists the arrival processes with their parameters. Rates are
// ops per second of the whole stream; durations use Go syntax (200ms).
var ArrivalForms = []string{
	"closed (each worker sends when its previous op completes; no intended times)",
	"constant:rate=1000 (fixed gaps)",
	"poisson:rate=1000 (exponential gaps)",
	"gamma:rate=1000,shape=0.5 (gamma gaps: CV = 1/sqrt(shape), shape < 1 is bursty)",
	"onoff:rate=1000,on=200ms,off=800ms,periods=const|exp (Poisson at rate while on, silent while off)",
	"pareto-onoff:rate=1000,on=200ms,off=800ms,shape=1.5 (Pareto periods with those means, 1 < shape)",
	"mmpp:rates=100|5000,stay=2s|200ms (Markov-modulated Poisson: any number of states, mean stays)",
	"ramp:from=100,to=10000,over=10s (Poisson, rate linear from→to, then to)",
	"spike:rate=1000,every=10s,for=1s,x=10 (Poisson at rate, x·rate for the last `for` of each `every`)",
}

var arrivalNames = []string{"closed", "constant", "poisson", "gamma", "onoff", "pareto-onoff", "mmpp", "ramp", "spike"}

// arrivalDef is a parsed arrival process.
type arrivalDef interface {
	String() string
	rate() float64               // long-run mean ops/s; 0 = closed
	scaled(f float64) arrivalDef // every rate × f
	build(seed uint64, p Part) schedule
}

// schedule yields the intended start times of one part's ops, from 0.
type schedule interface {
	next(r *rand.Rand) time.Duration
}

// ParseArrival parses an arrival process spec (see ArrivalForms). The
// returned Arrival draws from the caller's random source only, modulation
// included.
func ParseArrival(spec string) (Arrival, error) {
	d, err := parseArrivalDef(spec)
	if err != nil {
		return nil, err
	}
	return &gapArrival{s: d.build(0, Whole), shared: true}, nil
}

// gapArrival turns a schedule into gaps.
type gapArrival struct {
	s      schedule
	last   time.Duration
	shared bool
}

// sharedSourced is a schedule with a source of its own, seeded from the
// root seed (modulation, gamma gaps); ParseArrival's Arrival points it at
// the caller's source instead.
type sharedSourced interface{ useSource(r *rand.Rand) }

func (g *gapArrival) Next(r *rand.Rand) time.Duration {
	if s, ok := g.s.(sharedSourced); ok && g.shared {
		s.useSource(r)
	}
	t := g.s.next(r)
	gap := t - g.last
	g.last = t
	return gap
}

func parseArrivalDef(spec string) (arrivalDef, error) {
	p, name := newParams("arrival", spec)
	var d arrivalDef
	switch name {
	case "closed":
		d = closedArrival{}
	case "constant":
		d = constantArrival{p.rate("rate", true)}
	case "poisson":
		d = poissonArrival{p.rate("rate", true)}
	case "gamma":
		d = gammaArrival{p.rate("rate", true), p.pos("shape", 1, false)}
	case "onoff":
		d = onoffArrival{r: p.rate("rate", true), on: p.dur("on", 0, true), off: p.dur("off", 0, true),
			exp: p.choice("periods", "const", "const", "exp") == "exp"}
	case "pareto-onoff":
		a := onoffArrival{r: p.rate("rate", true), on: p.dur("on", 0, true), off: p.dur("off", 0, true), pareto: true}
		a.shape = p.float("shape", 1.5, false, func(f float64) bool { return f > 1 }, "a shape above 1 (finite mean periods)")
		d = a
	case "mmpp":
		d = parseMMPP(p)
	case "ramp":
		a := rampArrival{from: p.float("from", 0, true, func(f float64) bool { return f >= 0 && f <= 1e12 }, "a rate in ops/s in [0, 1e12]"),
			to: p.rate("to", true), over: p.dur("over", 0, true)}
		d = a
	case "spike":
		a := spikeArrival{r: p.rate("rate", true), every: p.dur("every", 0, true), dur: p.dur("for", 0, true), x: p.pos("x", 10, false)}
		if a.r*a.x > 1e12 {
			p.fail("a spike of x=%s × rate=%s = %s ops/s exceeds the largest rate, 1e12", fmtF(a.x), fmtF(a.r), fmtF(a.r*a.x))
		}
		if p.err == nil && a.dur >= a.every {
			p.fail("for=%v must be shorter than every=%v", a.dur, a.every)
		}
		d = a
	default:
		return nil, fmt.Errorf("unknown arrival process %q (valid: %s)", name, strings.Join(arrivalNames, ", "))
	}
	if err := p.done(); err != nil {
		return nil, err
	}
	return d, nil
}

// closedArrival has no schedule: every At is 0.
type closedArrival struct{}

func (closedArrival) String() string              { return "closed" }
func (closedArrival) rate() float64               { return 0 }
func (c closedArrival) scaled(float64) arrivalDef { return c }
func (closedArrival) build(uint64, Part) schedule { return closedSchedule{} }

type closedSchedule struct{}

func (closedSchedule) next(*rand.Rand) time.Duration { return 0 }
