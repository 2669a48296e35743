package spanner

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// TTConfig is the TrueTime uncertainty model.
type TTConfig struct {
	EpsilonMin time.Duration // ε just after a poll of the time masters
	Drift      float64       // drift bound in seconds per second (200 µs/s = 2e-4)
	Poll       time.Duration // poll interval
}

func (c TTConfig) check() error {
	switch {
	case c.EpsilonMin < 0:
		return fmt.Errorf("spanner: epsilon_min=%v is negative", c.EpsilonMin)
	case c.Drift < 0 || c.Drift >= 0.5:
		return fmt.Errorf("spanner: drift=%v s/s out of range (valid: 0 … 0.5)", c.Drift)
	case c.Poll <= 0:
		return fmt.Errorf("spanner: poll=%v must be positive", c.Poll)
	}
	return nil
}

// top is the sawtooth's top: ε just before a poll.
func (c TTConfig) top() time.Duration {
	return c.EpsilonMin + time.Duration(c.Drift*float64(c.Poll))
}

// MeanEpsilon is the time average of the sawtooth: εmin + drift·poll/2.
func (c TTConfig) MeanEpsilon() time.Duration {
	return c.EpsilonMin + time.Duration(c.Drift*float64(c.Poll)/2)
}

// Clock is one server's TrueTime: a local clock whose error is reset to
// within ±EpsilonMin at every poll (at Phase + k·Poll of true time) and then
// drifts at Rate (|Rate| ≤ Drift). All times are true (absolute) virtual
// times; the clock never reads a real clock.
type Clock struct {
	cfg   TTConfig
	Phase time.Duration // offset of this server's polls in [0, Poll)
	Rate  float64       // this server's drift, in [−Drift, Drift]
	// errAt holds the error right after each poll, drawn on demand and
	// kept so the clock is a fixed function of time.
	seed uint64
}

// NewClock draws a server's poll phase, drift rate and the seed of its
// per-poll errors from r.
func NewClock(cfg TTConfig, r *rand.Rand) *Clock {
	c := &Clock{cfg: cfg, seed: r.Uint64()}
	c.Phase = time.Duration(r.Int64N(int64(cfg.Poll)))
	c.Rate = (2*r.Float64() - 1) * cfg.Drift
	return c
}

// epoch returns the index of the poll period containing t and its start.
func (c *Clock) epoch(t time.Duration) (int64, time.Duration) {
	d := t - c.Phase
	k := int64(d) / int64(c.cfg.Poll)
	if d < 0 && int64(d)%int64(c.cfg.Poll) != 0 {
		k-- // floor for the period before the first poll
	}
	return k, c.Phase + time.Duration(k)*c.cfg.Poll
}

// pollErr is the clock error right after poll k: uniform in ±EpsilonMin,
// a pure function of (seed, k).
func (c *Clock) pollErr(k int64) float64 {
	x := splitmix(c.seed ^ uint64(k)*0x9E3779B97F4A7C15)
	u := float64(x>>11) / (1 << 53) // [0, 1)
	return (2*u - 1) * float64(c.cfg.EpsilonMin)
}

func splitmix(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ x>>30) * 0xBF58476D1CE4E5B9
	x = (x ^ x>>27) * 0x94D049BB133111EB
	return x ^ x>>31
}

// Epsilon is ε at true time t: EpsilonMin + Drift·(t − last poll).
func (c *Clock) Epsilon(t time.Duration) time.Duration {
	_, p := c.epoch(t)
	return c.cfg.EpsilonMin + time.Duration(c.cfg.Drift*float64(t-p))
}

// Local is the server's clock reading at true time t.
func (c *Clock) Local(t time.Duration) time.Duration {
	k, p := c.epoch(t)
	return t + time.Duration(c.pollErr(k)+c.Rate*float64(t-p))
}

// Now is TT.now() at true time t: [earliest, latest] around the local clock,
// rounded outwards to whole nanoseconds so that earliest ≤ t ≤ latest holds
// exactly, not just up to float rounding.
func (c *Clock) Now(t time.Duration) (earliest, latest time.Duration) {
	k, p := c.epoch(t)
	dt := float64(t - p)
	l := float64(t) + c.pollErr(k) + c.Rate*dt
	e := float64(c.cfg.EpsilonMin) + c.cfg.Drift*dt
	return time.Duration(math.Floor(l - e)), time.Duration(math.Ceil(l + e))
}

// After is TT.after(s) at true time t: s has certainly passed.
func (c *Clock) After(s, t time.Duration) bool {
	e, _ := c.Now(t)
	return e > s
}

// AfterTime returns the first true time ≥ t at which TT.after(s) holds. Within
// a poll period earliest(t) = t + err₀ + (Rate − Drift)(t − poll) − εmin is
// linear with slope 1 + Rate − Drift > 0, so the crossing is solved exactly,
// period by period (at a poll ε drops back, so earliest jumps up).
func (c *Clock) AfterTime(s, t time.Duration) time.Duration {
	for {
		if c.After(s, t) {
			return t
		}
		k, p := c.epoch(t)
		next := p + c.cfg.Poll
		// earliest(u) = u + e0 + (Rate−Drift)(u−p) − εmin > s
		e0 := c.pollErr(k)
		slope := 1 + c.Rate - c.cfg.Drift
		// solve u·slope = s − e0 + εmin + (Rate−Drift)·p … in float, then
		// nudge forward to the first nanosecond where the predicate holds.
		u := (float64(s) - e0 + float64(c.cfg.EpsilonMin) + (c.Rate-c.cfg.Drift)*float64(p)) / slope
		cand := time.Duration(u)
		if cand < t {
			cand = t
		}
		if cand < next {
			for i := 0; i < 64 && !c.After(s, cand); i++ {
				cand++
			}
			for cand > t && c.After(s, cand-1) {
				cand--
			}
			if c.After(s, cand) {
				return cand
			}
		}
		t = next
	}
}

// LatestReaches returns the first true time ≥ t0 at which TT.now().latest
// ≥ ts. Within a poll period latest grows with slope 1 + Rate + Drift ≥ 1,
// so stepping by the gap converges; at a poll latest drops, and the search
// goes on in the next period.
func (c *Clock) LatestReaches(ts, t0 time.Duration) time.Duration {
	u := t0
	for {
		_, l := c.Now(u)
		if l >= ts {
			break
		}
		u += ts - l
	}
	// Stepping overshoots by rounding at most: walk back to the first
	// nanosecond.
	for u > t0 {
		if _, l := c.Now(u - 1); l < ts {
			break
		}
		u--
	}
	return u
}
