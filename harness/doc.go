// Package harness asks targets and times them: a wall-clock runner (many
// workers, open or closed loop) and a deterministic virtual-time simulator
// (one event heap, one clock, one seed).
//
// Latency is measured from each op's intended start, not from its actual send,
// so queueing that a slow response causes is counted (Gil Tene's "coordinated
// omission"; wrk2). Both are reported: latency = done − intended and
// service = done − sent. Each worker records into its own HDR histograms, one
// per op kind, merged at the end: no lock, no allocation and no map lookup per
// op (DESIGN.md rule 4).
package harness
