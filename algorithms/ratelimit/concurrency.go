package ratelimit

import (
	"fmt"
	"time"
	"unsafe"
)

// Concurrency admits an op while fewer than limit are in flight; the caller
// releases the slot when the op completes. It bounds load, not rate: a slow
// backend lowers throughput, a fast one raises it.
type Concurrency struct {
	limit, inFlight, peak int64
}

// NewConcurrency returns a limiter of at most limit ops in flight.
func NewConcurrency(limit int) (*Concurrency, error) {
	if limit < 1 || limit > MaxBurst {
		return nil, fmt.Errorf("ratelimit: limit=%d must be in 1 … %d ops in flight", limit, MaxBurst)
	}
	return &Concurrency{limit: int64(limit)}, nil
}

// Allow takes a slot if one is free; now is unused (load, not rate).
func (c *Concurrency) Allow(now time.Duration) bool {
	if c.inFlight >= c.limit {
		return false
	}
	c.inFlight++
	if c.inFlight > c.peak {
		c.peak = c.inFlight
	}
	return true
}

// Release frees the slot of a completed op.
func (c *Concurrency) Release() {
	if c.inFlight > 0 {
		c.inFlight--
	}
}

// InFlight is the number of ops holding a slot.
func (c *Concurrency) InFlight() int { return int(c.inFlight) }

// Peak is the most ops ever in flight at once since the last Reset.
func (c *Concurrency) Peak() int { return int(c.peak) }

// Reset frees every slot.
func (c *Concurrency) Reset(now time.Duration) { c.inFlight, c.peak = 0, 0 }

// StateBytes is the size of the limiter's state.
func (c *Concurrency) StateBytes() int { return int(unsafe.Sizeof(*c)) }
