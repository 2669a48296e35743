package ratelimit

import (
	"time"
	"unsafe"

	"golang.org/x/time/rate"
)

// xBase is the fixed instant run time 0 maps to, so x/time/rate sees the
// same times on every run and stays deterministic in virtual time.
var xBase = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// XTimeRate wraps golang.org/x/time/rate, the production token bucket
// (float64 tokens), as a Limiter: Allow(now) is AllowN(xBase+now, 1).
type XTimeRate struct {
	lim   *rate.Limiter
	shift time.Duration // added to now; grows on Reset (see there)
	fill  time.Duration // time to refill an empty bucket
	last  time.Duration // the latest time the limiter has seen, shifted
}

// NewXTimeRate returns rate.NewLimiter(rate.Limit(r), burst) behind a Limiter.
func NewXTimeRate(r float64, burst int) (*XTimeRate, error) {
	if _, err := rateMilli(r); err != nil {
		return nil, err
	}
	if err := checkCount("burst", burst); err != nil {
		return nil, err
	}
	return &XTimeRate{
		lim:  rate.NewLimiter(rate.Limit(r), burst),
		fill: time.Duration(float64(burst)/r*1e9) + time.Second,
	}, nil
}

// Allow is AllowN(xBase+now, 1).
func (x *XTimeRate) Allow(now time.Duration) bool {
	t := now + x.shift
	if t > x.last {
		x.last = t
	}
	return x.lim.AllowN(xBase.Add(t), 1)
}

// Reset refills the bucket without allocating: x/time/rate has no reset, so
// the limiter's clock is moved forward by more than a full refill.
func (x *XTimeRate) Reset(now time.Duration) {
	x.shift = x.last + x.fill - now
	x.last = now + x.shift
}

// StateBytes counts the wrapped rate.Limiter (which holds its own mutex).
func (x *XTimeRate) StateBytes() int {
	return int(unsafe.Sizeof(*x) + unsafe.Sizeof(rate.Limiter{}))
}
