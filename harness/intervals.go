package harness

import (
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// MaxIntervals bounds a run's time series. When a run outgrows it, the step
// doubles and neighbouring intervals merge pairwise (their histograms add,
// the later gauges are kept), so a run of any length — 20,000 virtual
// seconds, or one op at 1e9 s — holds at most MaxIntervals small histograms
// (about 37 KB each, 19 MB in all) and does work on the order of
// MaxIntervals·log2(length/step) at boundaries, never one step per second of
// simulated time.
const MaxIntervals = 512

// intervalSink merges the workers' intervals by start time. Workers flush
// into it once per interval (not per op), so its lock is off the per-op path.
// Interval i covers [i·step, (i+1)·step) from the start of the measured
// phase; step is the configured one times a power of two.
type intervalSink struct {
	mu   sync.Mutex
	step time.Duration
	iv   []sinkInterval
}

type sinkInterval struct {
	ops, errs, denied uint64
	lat               *hdr.Histogram // nil until an op lands
	metrics           map[string]float64
	sampled           bool
}

func newIntervalSink(step time.Duration) *intervalSink {
	if step <= 0 {
		step = time.Second
	}
	return &intervalSink{step: step}
}

// currentStep is the step in force now; it only grows.
func (s *intervalSink) currentStep() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.step
}

// slot returns the interval holding offset t (from the measured phase's
// start), coarsening first if t lies beyond MaxIntervals steps. The caller
// holds mu.
func (s *intervalSink) slot(t time.Duration) *sinkInterval {
	if t < 0 {
		t = 0
	}
	for t/s.step >= MaxIntervals {
		s.coarsen()
	}
	i := int(t / s.step)
	for len(s.iv) <= i {
		s.iv = append(s.iv, sinkInterval{})
	}
	return &s.iv[i]
}

// coarsen doubles the step, merging intervals 2i and 2i+1 into i.
func (s *intervalSink) coarsen() {
	n := (len(s.iv) + 1) / 2
	for i := range n {
		a := s.iv[2*i]
		if 2*i+1 < len(s.iv) {
			mergeInterval(&a, &s.iv[2*i+1])
		}
		s.iv[i] = a
	}
	clear(s.iv[n:])
	s.iv = s.iv[:n]
	s.step *= 2
}

// mergeInterval adds b, the later of two neighbours, into a.
func mergeInterval(a, b *sinkInterval) {
	a.ops += b.ops
	a.errs += b.errs
	a.denied += b.denied
	switch {
	case a.lat == nil:
		a.lat = b.lat
	case b.lat != nil:
		a.lat.Merge(b.lat)
	}
	if b.sampled { // gauges are read at an interval's end: the later one's end
		a.metrics, a.sampled = b.metrics, true
	}
}

// add merges one worker's interval that starts at offset start: its counts
// and the latency histograms of its kinds (nil entries are skipped). It
// returns the step in force, which the worker adopts for its next interval.
func (s *intervalSink) add(start time.Duration, ops, errs, denied uint64, lat []*hdr.Histogram) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	iv := s.slot(start)
	iv.ops += ops
	iv.errs += errs
	iv.denied += denied
	for _, h := range lat {
		if h == nil || h.TotalCount() == 0 {
			continue
		}
		if iv.lat == nil {
			iv.lat = newSmallHistogram()
		}
		iv.lat.Merge(h)
	}
	return s.step
}

// sample stores the gauges read at offset end in the interval that holds
// end−1 ns. The latest reading wins: an interval's gauges are those read at
// its end (after the step doubles, an interval's first readings are from
// its middle).
func (s *intervalSink) sample(end time.Duration, m map[string]float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	iv := s.slot(end - 1)
	iv.metrics, iv.sampled = m, true
}

// phaseSpan is the length of a measured phase for its time series: from its
// start to the last completion, or its whole duration when it ran to the end
// of one (the ops completing after that end are its tail).
func phaseSpan(lastDone, duration time.Duration, reachedEnd bool) time.Duration {
	if reachedEnd {
		return max(lastDone, duration)
	}
	return lastDone
}

// report returns the time series of a measured phase that lasted span.
// The last interval ends with the run, so it is usually shorter than a step:
// under half a step, it is merged into the one before it, so no interval's
// rate is taken over a sliver of time (the 1-op tail of a duration-bounded
// run once showed as 62.5M ops/s); otherwise it stays, marked Partial, and a
// rate over its real length is sound. Intervals after the last one holding
// ops or gauges are dropped.
func (s *intervalSink) report(span time.Duration) []IntervalReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.iv)
	for n > 0 && s.iv[n-1].ops == 0 && !s.iv[n-1].sampled {
		n--
	}
	ivs := s.iv[:n]
	partial := false
	if n > 0 {
		tail := span - time.Duration(n-1)*s.step // the last interval's length
		switch {
		case tail >= s.step:
		case n >= 2 && tail < s.step/2:
			last := ivs[n-1]
			mergeInterval(&ivs[n-2], &last)
			ivs = ivs[:n-1]
		default:
			partial = true
		}
	}
	out := make([]IntervalReport, len(ivs))
	for i := range ivs {
		iv := &ivs[i]
		lat := iv.lat
		if lat == nil {
			lat = newSmallHistogram()
		}
		out[i] = IntervalReport{Start: time.Duration(i) * s.step, Ops: iv.ops, Errors: iv.errs,
			Denied: iv.denied, Latency: lat, Metrics: iv.metrics}
	}
	if partial {
		out[len(out)-1].Partial = true
	}
	return out
}
