package harness

import (
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// intervalSink merges the workers' intervals by index. Workers flush into it
// once per interval (not per op), so its lock is off the per-op path and a
// long run holds one small histogram per interval, not one per worker.
type intervalSink struct {
	step time.Duration

	mu      sync.Mutex
	iv      []IntervalReport
	sampled []bool // the interval's gauges were sampled
}

func newIntervalSink(step time.Duration) *intervalSink {
	if step <= 0 {
		step = time.Second
	}
	return &intervalSink{step: step}
}

// grow makes interval idx exist; the caller holds mu.
func (s *intervalSink) grow(idx int) *IntervalReport {
	for len(s.iv) <= idx {
		i := len(s.iv)
		s.iv = append(s.iv, IntervalReport{Start: time.Duration(i) * s.step, Latency: newSmallHistogram()})
		s.sampled = append(s.sampled, false)
	}
	return &s.iv[idx]
}

func (s *intervalSink) add(idx int, ops, errs, denied uint64, lat *hdr.Histogram) {
	s.mu.Lock()
	iv := s.grow(idx)
	iv.Ops += ops
	iv.Errors += errs
	iv.Denied += denied
	iv.Latency.Merge(lat)
	s.mu.Unlock()
}

// sample stores the gauges of interval idx (sampled at its end), once.
func (s *intervalSink) sample(idx int, m map[string]float64) {
	s.mu.Lock()
	iv := s.grow(idx)
	if !s.sampled[idx] {
		s.sampled[idx] = true
		iv.Metrics = m
	}
	s.mu.Unlock()
}

// isSampled reports whether interval idx already has its gauges.
func (s *intervalSink) isSampled(idx int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return idx < len(s.sampled) && s.sampled[idx]
}

// report returns the intervals, trimmed to the last one holding ops or gauges.
func (s *intervalSink) report() []IntervalReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.iv)
	for n > 0 && s.iv[n-1].Ops == 0 && !s.sampled[n-1] {
		n--
	}
	return s.iv[:n:n]
}
