// Package harness asks targets and times them: a wall-clock runner (many
// workers, open or closed loop) and a deterministic virtual-time simulator
// (one event heap, one clock, one seed).
//
// Latency is measured from each op's intended start, not from its actual send,
// so queueing that a slow response causes is counted (Gil Tene's "coordinated
// omission"; wrk2). Both are reported: latency = done − intended and
// service = done − sent. Each worker records into its own HDR histograms, one
// per op kind, merged at the end: no lock, no allocation and no map lookup per
// op (docs/design.md rule 4).
//
// RunWall's closed loop gives each worker its own part of the workload and
// reads the clock once per op (an op's completion is the next one's send);
// ops are drawn 64 at a time, outside every op's timed section, and progress
// is published every 20 ms, not per op. Its open loop replays one schedule
// from a pool of goroutines that claim the ops due in the next 10 µs under
// one lock, send them at their times, and grow only when every sender is
// blocked in the target (openloop.go); it reports its own send lag and the
// ops it did not send (generator.go), and stops at Config.Duration on the
// wall clock. RunSim drives SimTargets on a World, a discrete-event engine
// with a 4-ary event heap whose ties break by scheduling order, so the same
// seed gives the same Report byte for byte.
//
// Intervals (Config.Interval, default 1 s) are counted from the start of the
// measured phase. An op's latency is recorded once, into its kind's histogram
// of the current interval; at each boundary a worker folds those into the
// run's totals and into a shared sink (intervals.go), which keeps at most
// MaxIntervals of them by doubling the step, so memory and work follow the
// number of ops and intervals, never the length of simulated time.
package harness
