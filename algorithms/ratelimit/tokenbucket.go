package ratelimit

import (
	"time"
	"unsafe"
)

// TokenBucket holds up to burst tokens, refilled continuously at rate per
// second; an op takes one token or is denied. It admits at most
// burst + rate·T ops in any window of length T.
//
// Tokens are fixed-point integers (tokenUnits per token) refilled by rateMilli
// units per nanosecond, so the state after any number of calls is exact.
type TokenBucket struct {
	tokens, capacity int64 // fixed-point units
	rm               int64 // refill, units per ns
	last             time.Duration
}

// NewTokenBucket returns a full bucket of burst tokens refilled at rate ops/s.
func NewTokenBucket(rate float64, burst int) (*TokenBucket, error) {
	rm, err := rateMilli(rate)
	if err != nil {
		return nil, err
	}
	if err := checkCount("burst", burst); err != nil {
		return nil, err
	}
	return newTokenBucket(rm, int64(burst)), nil
}

func newTokenBucket(rm, burst int64) *TokenBucket {
	c := burst * tokenUnits
	return &TokenBucket{tokens: c, capacity: c, rm: rm}
}

// Allow takes a token at now if one is there.
func (b *TokenBucket) Allow(now time.Duration) bool {
	if now > b.last {
		e := int64(now - b.last)
		need := b.capacity - b.tokens
		// Compare before multiplying: e·rm may overflow after a long idle
		// period, but the bucket is full by then anyway.
		if e >= (need+b.rm-1)/b.rm {
			b.tokens = b.capacity
		} else {
			b.tokens += e * b.rm
		}
		b.last = now
	}
	if b.tokens >= tokenUnits {
		b.tokens -= tokenUnits
		return true
	}
	return false
}

// Reset fills the bucket.
func (b *TokenBucket) Reset(now time.Duration) { b.tokens, b.last = b.capacity, now }

// StateBytes is the size of the bucket's state.
func (b *TokenBucket) StateBytes() int { return int(unsafe.Sizeof(*b)) }
