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
// reads the clock once per op (an op's completion is the next one's send).
// Its open loop replays one schedule with a leader/follower goroutine pool
// (Schmidt et al., POSA2) that grows so a slow op never delays the schedule
// (openloop.go). RunSim drives SimTargets on a World, a discrete-event engine
// with a 4-ary event heap whose ties break by scheduling order, so the same
// seed gives the same Report byte for byte.
//
// Intervals (Config.Interval, default 1 s) are counted from the start of the
// measured phase; workers flush each finished interval into a shared sink
// once per interval, so the per-op path stays lock-free.
package harness
