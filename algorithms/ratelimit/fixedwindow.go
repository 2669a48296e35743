package ratelimit

import (
	"time"
	"unsafe"
)

// FixedWindow counts ops in aligned windows [kW, (k+1)W) and admits up to
// N = floor(rate·W) per window. Cheap and common, it lets 2N through around a
// boundary: N at the end of one window and N at the start of the next.
type FixedWindow struct {
	window time.Duration
	n      int64
	cur    int64 // index of the current window
	count  int64
}

// NewFixedWindow returns a fixed-window limiter of rate·window ops per window.
func NewFixedWindow(rate float64, window time.Duration) (*FixedWindow, error) {
	rm, err := rateMilli(rate)
	if err != nil {
		return nil, err
	}
	n, err := windowCount(rm, window)
	if err != nil {
		return nil, err
	}
	return &FixedWindow{window: window, n: n}, nil
}

// Allow counts an op at now against its window.
func (f *FixedWindow) Allow(now time.Duration) bool {
	if k := int64(now / f.window); k > f.cur {
		f.cur, f.count = k, 0
	}
	if f.count < f.n {
		f.count++
		return true
	}
	return false
}

// Reset starts an empty window.
func (f *FixedWindow) Reset(now time.Duration) { f.cur, f.count = int64(now/f.window), 0 }

// StateBytes is the size of the limiter's state.
func (f *FixedWindow) StateBytes() int { return int(unsafe.Sizeof(*f)) }
