package harness

import (
	"context"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/dsbench/dsbench/workloads"
)

// TestSinkCoarsens: intervals past MaxIntervals steps double the step and
// merge pairs, keeping every op and the later gauges.
func TestSinkCoarsens(t *testing.T) {
	s := newIntervalSink(time.Second)
	h := NewHistogram()
	_ = h.RecordValue(1000)
	var ops uint64
	for i := range 3 * MaxIntervals {
		s.add(time.Duration(i)*time.Second, 2, 1, 0, nil)
		ops += 2
		s.sample(time.Duration(i+1)*time.Second, map[string]float64{"i": float64(i)})
	}
	s.add(0, 1, 0, 0, []*hdr.Histogram{h})
	ops++
	if s.step != 4*time.Second || len(s.iv) > MaxIntervals {
		t.Fatalf("step %v with %d intervals, want 4s and at most %d", s.step, len(s.iv), MaxIntervals)
	}
	ivs := s.report(time.Duration(3*MaxIntervals) * time.Second)
	var got uint64
	for i, iv := range ivs {
		got += iv.Ops
		if iv.Start != time.Duration(i)*4*time.Second {
			t.Fatalf("interval %d starts at %v", i, iv.Start)
		}
		if want := float64(4*i + 3); iv.Metrics["i"] != want {
			t.Fatalf("interval %d has the gauges of second %v, want %v (its end)", i, iv.Metrics["i"], want)
		}
	}
	if got != ops || ivs[0].Latency.TotalCount() != 1 {
		t.Errorf("intervals hold %d ops (want %d), first latency count %d", got, ops, ivs[0].Latency.TotalCount())
	}
}

// gaugedFIFO is a fifoServer whose gauges count how often they were read.
type gaugedFIFO struct {
	*fifoServer
	reads int
}

func (g *gaugedFIFO) IntervalMetrics() map[string]float64 {
	g.reads++
	return map[string]float64{"queue": float64(len(g.queue))}
}

// runSparse runs ops from src on a gauged server in virtual time.
func runSparse(t *testing.T, src func(workloads.Part) (workloads.Source, error), cfg Config) (*Report, *gaugedFIFO) {
	t.Helper()
	g := &gaugedFIFO{fifoServer: newFIFO(1, 100*time.Microsecond)}
	cfg.Source, cfg.Seed = src, 1
	rep, err := RunSim(context.Background(), g, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rep, g
}

// boundedWork is the most intervals, gauge reads and events a run may use
// whatever its virtual length: MaxIntervals per doubling of the step, and
// 64 doublings take a 1 s step past any int64 duration.
const boundedWork = MaxIntervals * 64

// Regression (issues 13 and 16): memory and work follow ops and the number
// of intervals, never simulated time. 20,000 virtual seconds held 20,000
// interval histograms (159 MB); 3 ops at 1e-5/s took 1.17 GB; at the
// documented minimum rate 1e-6/s the run never ended; an op at 1e18 ns hung
// the virtual clock.
func TestSimVirtualLengthIsFree(t *testing.T) {
	at := func(ts ...time.Duration) func(workloads.Part) (workloads.Source, error) {
		return func(workloads.Part) (workloads.Source, error) { return &listSource{at: ts}, nil }
	}
	for name, c := range map[string]struct {
		src func(workloads.Part) (workloads.Source, error)
		cfg Config
		ops uint64
	}{
		"20,000 s at 1/s": {constRate(1, 1, 1), Config{Duration: 20000 * time.Second}, 20000},
		"3 ops at 1e-5/s": {constRate(1e-5, 1, 1), Config{Ops: 3}, 3},
		"3 ops at 1e-6/s": {constRate(1e-6, 1, 1), Config{Ops: 3}, 3},
		"an op at 1e18ns": {at(0, 1e18), Config{Ops: 2}, 2},
	} {
		rep, g := runSparse(t, c.src, c.cfg)
		var ops uint64
		for _, iv := range rep.Intervals {
			ops += iv.Ops
		}
		if rep.Ops != c.ops || ops != c.ops {
			t.Errorf("%s: %d ops, %d in intervals; want %d", name, rep.Ops, ops, c.ops)
		}
		if len(rep.Intervals) > MaxIntervals || g.reads > boundedWork || rep.Events > c.ops*4+boundedWork {
			t.Errorf("%s: %d intervals, %d gauge reads, %d events over %v: work grew with virtual time",
				name, len(rep.Intervals), g.reads, rep.Events, rep.Duration)
		}
	}
}

// listSource yields reads at the given intended starts.
type listSource struct {
	at []time.Duration
	i  int
}

func (s *listSource) Next(op *workloads.Op) bool {
	if s.i >= len(s.at) {
		return false
	}
	*op = workloads.Op{Seq: uint64(s.i), At: s.at[s.i], Kind: workloads.Read}
	s.i++
	return true
}

// Regression (issue 13): the last interval of a duration-bounded run held
// only the ops completing after the duration (one op, shown as 62.5M ops/s).
// It is merged into the one before; every interval's rate is the schedule's.
func TestSimTailIsMerged(t *testing.T) {
	// 8 servers, 2 ms per op: the ops sent in the last 2 ms complete after
	// the 2 s, in a tail interval [2s, 2.00x s) of their own.
	rep, err := RunSim(context.Background(), newFIFO(8, 2*time.Millisecond), Config{
		Source: constRate(1000, 1, 1), Duration: 2 * time.Second, Interval: 500 * time.Millisecond, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Duration <= 2*time.Second {
		t.Fatalf("the run ended at %v; the test needs completions after its 2s", rep.Duration)
	}
	if len(rep.Intervals) != 4 {
		t.Fatalf("%d intervals over %v, want 4", len(rep.Intervals), rep.Duration)
	}
	for i, iv := range rep.Intervals {
		end := rep.Duration
		if i+1 < len(rep.Intervals) {
			end = rep.Intervals[i+1].Start
		}
		if r := float64(iv.Ops) / (end - iv.Start).Seconds(); r < 950 || r > 1050 || iv.Partial {
			t.Errorf("interval %d: %d ops over [%v, %v): %.0f ops/s (partial %v), want 1000", i, iv.Ops, iv.Start, end, r, iv.Partial)
		}
	}
	short, _ := runSparse(t, constRate(1000, 1, 1), Config{Duration: 300 * time.Millisecond})
	if len(short.Intervals) != 1 || !short.Intervals[0].Partial {
		t.Errorf("a 300ms run with 1s steps: %d intervals, partial %v; want one, partial", len(short.Intervals), short.Intervals[0].Partial)
	}
}
