package workloads

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// modulated is a Poisson process whose rate is piecewise constant: a
// modulator hands out segments (rate, length), and within each the gaps are
// exponential. At a segment's end the pending gap is redrawn, which is exact
// because the exponential is memoryless. The modulator draws from its own
// source seeded from the root seed, so every part of a stream sees the same
// bursts.
type modulated struct {
	mod     modulator
	mr      *rand.Rand
	t, end  float64 // ns
	rate    float64 // ops/ns in the current segment
	perPart float64 // 1/Of
}

// modulator yields the next segment: its rate (ops/s of the whole stream)
// and length (ns).
type modulator interface {
	segment(mr *rand.Rand) (rate, length float64)
}

func newModulated(m modulator, seed uint64, p Part) *modulated {
	return &modulated{mod: m, mr: rand.New(rand.NewPCG(modulationSeed(seed), 1)), perPart: 1 / float64(p.Of)}
}

func (m *modulated) useSource(r *rand.Rand) { m.mr = r }

func (m *modulated) next(r *rand.Rand) time.Duration {
	for {
		if m.rate > 0 {
			if t := m.t + r.ExpFloat64()/m.rate; t < m.end {
				m.t = t
				return time.Duration(t)
			}
		}
		m.t = m.end
		rate, length := m.mod.segment(m.mr)
		m.rate = rate * m.perPart / 1e9
		m.end = m.t + length
	}
}

// onoffArrival alternates on periods (Poisson at r) and silent off
// periods, starting on. Periods are constant, exponential, or Pareto with
// the given means (Pareto: many such sources make self-similar traffic).
type onoffArrival struct {
	r       float64
	on, off time.Duration
	exp     bool
	pareto  bool
	shape   float64
}

func (a onoffArrival) String() string {
	if a.pareto {
		return fmt.Sprintf("pareto-onoff:rate=%s,on=%s,off=%s,shape=%s", fmtF(a.r), fmtD(a.on), fmtD(a.off), fmtF(a.shape))
	}
	periods := "const"
	if a.exp {
		periods = "exp"
	}
	return fmt.Sprintf("onoff:rate=%s,on=%s,off=%s,periods=%s", fmtF(a.r), fmtD(a.on), fmtD(a.off), periods)
}
func (a onoffArrival) rate() float64 { return a.r * float64(a.on) / float64(a.on+a.off) }
func (a onoffArrival) scaled(f float64) arrivalDef {
	a.r *= f
	return a
}
func (a onoffArrival) build(seed uint64, p Part) schedule {
	return newModulated(&onoffMod{a: a}, seed, p)
}

type onoffMod struct {
	a  onoffArrival
	on bool // the state of the last segment handed out
}

func (m *onoffMod) segment(mr *rand.Rand) (float64, float64) {
	m.on = !m.on
	mean, rate := float64(m.a.off), 0.0
	if m.on {
		mean, rate = float64(m.a.on), m.a.r
	}
	switch {
	case m.a.pareto: // scale xm gives mean xm·α/(α−1)
		xm := mean * (m.a.shape - 1) / m.a.shape
		return rate, xm / math.Pow(1-mr.Float64(), 1/m.a.shape)
	case m.a.exp:
		return rate, mr.ExpFloat64() * mean
	}
	return rate, mean
}

// spikeArrival is Poisson at r with bursts of x·r: each period of length
// every ends with a burst of length dur.
type spikeArrival struct {
	r, x       float64
	every, dur time.Duration
}

func (a spikeArrival) String() string {
	return fmt.Sprintf("spike:rate=%s,every=%s,for=%s,x=%s", fmtF(a.r), fmtD(a.every), fmtD(a.dur), fmtF(a.x))
}
func (a spikeArrival) rate() float64 {
	return a.r * (1 + (a.x-1)*float64(a.dur)/float64(a.every))
}
func (a spikeArrival) scaled(f float64) arrivalDef {
	a.r *= f
	return a
}
func (a spikeArrival) build(seed uint64, p Part) schedule {
	return newModulated(&spikeMod{a: a}, seed, p)
}

type spikeMod struct {
	a     spikeArrival
	burst bool
}

func (m *spikeMod) segment(*rand.Rand) (float64, float64) {
	m.burst = !m.burst
	if m.burst { // the first segment is the base
		return m.a.r, float64(m.a.every - m.a.dur)
	}
	return m.a.r * m.a.x, float64(m.a.dur)
}
