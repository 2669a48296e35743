package ratelimit

import "time"

// Limiter decides, for one key, whether an op arriving at now is admitted.
// now is nanoseconds since the run's start; it is never read from a clock.
// A Limiter is not safe for concurrent use: the targets serialise access.
type Limiter interface {
	Allow(now time.Duration) bool
	// Reset returns the limiter to its initial state (a full bucket, an
	// empty window), so an evicted key's limiter is reused without allocating.
	Reset(now time.Duration)
	// StateBytes is the memory one key's limiter holds.
	StateBytes() int
}

var (
	_ Limiter = (*TokenBucket)(nil)
	_ Limiter = (*GCRA)(nil)
	_ Limiter = (*LeakyQueue)(nil)
	_ Limiter = (*FixedWindow)(nil)
	_ Limiter = (*SlidingLog)(nil)
	_ Limiter = (*SlidingCounter)(nil)
	_ Limiter = (*Concurrency)(nil)
	_ Limiter = (*XTimeRate)(nil)
)
