package ratelimit

import (
	"fmt"
	"math"
	"math/bits"
	"time"
)

// Rates are held in milli-ops per second: one token is tokenUnits fixed-point
// units and rateMilli units accrue per nanosecond, so refill is exact integer
// arithmetic (rateMilli · 1e9 ns = rate · 1e12 units per second).
const tokenUnits = 1_000_000_000_000

// Bounds keep every product below 2^63 (burst · tokenUnits, window count ·
// window); they are far beyond any limiter configured in practice.
const (
	MinRate        = 0.001
	MaxRate        = 1e9
	MaxBurst       = 1_000_000
	MaxWindow      = time.Hour
	MinWindow      = time.Microsecond
	MaxWindowCount = 1_000_000
)

// rateMilli validates a rate in ops/s and returns it in milli-ops/s.
func rateMilli(rate float64) (int64, error) {
	if math.IsNaN(rate) || rate <= 0 {
		return 0, fmt.Errorf("ratelimit: rate=%g must be > 0 ops/s (valid: %g … %g)", rate, MinRate, MaxRate)
	}
	if rate < MinRate || rate > MaxRate {
		return 0, fmt.Errorf("ratelimit: rate=%g out of range (valid: %g … %g ops/s)", rate, MinRate, MaxRate)
	}
	return int64(math.Round(rate * 1000)), nil
}

func checkCount(name string, v int) error {
	if v < 1 {
		return fmt.Errorf("ratelimit: %s=%d must be >= 1 (valid: 1 … %d)", name, v, MaxBurst)
	}
	if v > MaxBurst {
		return fmt.Errorf("ratelimit: %s=%d out of range (valid: 1 … %d)", name, v, MaxBurst)
	}
	return nil
}

// windowCount validates a window and returns N = floor(rate · window), the
// number of ops a window limiter admits per window.
func windowCount(rm int64, w time.Duration) (int64, error) {
	if w < MinWindow || w > MaxWindow {
		return 0, fmt.Errorf("ratelimit: window=%v out of range (valid: %v … %v)", w, MinWindow, MaxWindow)
	}
	hi, lo := bits.Mul64(uint64(rm), uint64(w))
	n, _ := bits.Div64(hi, lo, tokenUnits)
	if n < 1 || n > MaxWindowCount {
		return 0, fmt.Errorf("ratelimit: rate·window = %.3f ops per window (rate=%g, window=%v) must be in 1 … %d",
			float64(rm)/1000*w.Seconds(), float64(rm)/1000, w, MaxWindowCount)
	}
	return int64(n), nil
}

// xtime is an exact point in time: ns + frac/den nanoseconds, 0 <= frac < den,
// where den is the limiter's rate in milli-ops/s. Emission intervals
// 1/rate are rarely whole nanoseconds; keeping the remainder means a
// million-hour run admits exactly rate·T, not rate·T·(1 ± rounding).
type xtime struct{ ns, frac int64 }

// interval returns the emission interval T = 1/rate and k·T, exactly.
func interval(rm, k int64) xtime {
	q, rem := tokenUnits/rm, tokenUnits%rm
	kr := k * rem // <= MaxBurst · 1e12 < 2^63
	return xtime{k*q + kr/rm, kr % rm}
}

func (a xtime) add(b xtime, den int64) xtime {
	a.ns += b.ns
	a.frac += b.frac
	if a.frac >= den {
		a.frac -= den
		a.ns++
	}
	return a
}

func (a xtime) less(b xtime) bool {
	return a.ns < b.ns || (a.ns == b.ns && a.frac < b.frac)
}

// ceil is the first whole nanosecond at or after a.
func (a xtime) ceil() time.Duration {
	if a.frac > 0 {
		return time.Duration(a.ns + 1)
	}
	return time.Duration(a.ns)
}
