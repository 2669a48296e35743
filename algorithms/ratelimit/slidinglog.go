package ratelimit

import (
	"time"
	"unsafe"
)

// SlidingLog keeps the times of the last N = floor(rate·W) admitted ops and
// admits an op at now only if fewer than N were admitted in (now−W, now]:
// exact, at the price of N timestamps per key (memory an attacker controls
// through the limit, not through traffic).
//
// Only the oldest of the last N admits matters: the window holds fewer than
// N admits exactly when that one has left it, so each decision is O(1).
type SlidingLog struct {
	window time.Duration
	ring   []time.Duration // the last len(ring)=N admits, oldest at head once full
	head   int
	size   int
	newest time.Duration
}

// NewSlidingLog returns a sliding-log limiter of rate·window ops per window.
func NewSlidingLog(rate float64, window time.Duration) (*SlidingLog, error) {
	rm, err := rateMilli(rate)
	if err != nil {
		return nil, err
	}
	n, err := windowCount(rm, window)
	if err != nil {
		return nil, err
	}
	return &SlidingLog{window: window, ring: make([]time.Duration, n)}, nil
}

// Allow admits an op at now if the last window holds fewer than N admits.
func (s *SlidingLog) Allow(now time.Duration) bool {
	if now < s.newest {
		now = s.newest
	}
	n := len(s.ring)
	if s.size < n {
		s.ring[(s.head+s.size)%n] = now
		s.size++
	} else {
		if now-s.ring[s.head] < s.window {
			return false
		}
		s.ring[s.head] = now
		if s.head++; s.head == n {
			s.head = 0
		}
	}
	s.newest = now
	return true
}

// Reset empties the log.
func (s *SlidingLog) Reset(now time.Duration) { s.head, s.size, s.newest = 0, 0, 0 }

// StateBytes counts the log's timestamps too.
func (s *SlidingLog) StateBytes() int { return int(unsafe.Sizeof(*s)) + 8*len(s.ring) }
