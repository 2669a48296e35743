package ratelimit

import (
	"time"
	"unsafe"
)

// SlidingCounter is Cloudflare's sliding window counter: two fixed-window
// counts and the estimate prev·(1 − elapsed/W) + curr of the ops in the
// sliding window (now−W, now], which assumes the previous window's ops were
// spread evenly. It admits if the estimate with this op stays within
// N = floor(rate·W). Two counters per key, not N timestamps. It is an
// estimate, not a cap: when the previous window's ops bunch at its end, a
// true window of length W can hold more than N (1.49N in
// TestSlidingCounterOvershoot, approaching 2N as the bunch tightens); on
// evenly spread traffic it stays close to the sliding log.
//
// After a gap of two or more windows the previous count is 0, not the count
// of the last window that saw traffic (a stale carry-over is a known bug).
// The comparison is done in integers: prev·(W−e) + (curr+1)·W <= N·W.
type SlidingCounter struct {
	window      time.Duration
	n           int64
	cur         int64 // index of the current window
	prev, count int64
}

// NewSlidingCounter returns a sliding-counter limiter of rate·window ops per window.
func NewSlidingCounter(rate float64, window time.Duration) (*SlidingCounter, error) {
	rm, err := rateMilli(rate)
	if err != nil {
		return nil, err
	}
	n, err := windowCount(rm, window)
	if err != nil {
		return nil, err
	}
	return &SlidingCounter{window: window, n: n}, nil
}

// Allow admits an op at now if the estimated count in the last window allows.
func (s *SlidingCounter) Allow(now time.Duration) bool {
	k := int64(now / s.window)
	switch {
	case k < s.cur: // time went backwards: judge it at the current window's start
		k, now = s.cur, time.Duration(s.cur)*s.window
	case k == s.cur+1:
		s.prev, s.count = s.count, 0
	case k > s.cur+1:
		s.prev, s.count = 0, 0
	}
	s.cur = k
	w := int64(s.window)
	e := int64(now) - k*w
	if s.prev*(w-e)+(s.count+1)*w > s.n*w {
		return false
	}
	s.count++
	return true
}

// Reset forgets both windows.
func (s *SlidingCounter) Reset(now time.Duration) {
	s.cur, s.prev, s.count = int64(now/s.window), 0, 0
}

// StateBytes is the size of the limiter's state.
func (s *SlidingCounter) StateBytes() int { return int(unsafe.Sizeof(*s)) }
