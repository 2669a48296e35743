// Package builtin holds the targets that prove the harness rather than any
// algorithm: builtin/noop (the harness's own cost), builtin/sleep (a server
// whose service time follows a distribution), builtin/stall (a server that
// freezes periodically: the coordinated-omission demonstration of Gil Tene's
// "How NOT to measure latency" and wrk2's README) and builtin/map (a sharded
// in-memory key-value store, so that a Zipfian workload's skew shows up as
// per-shard unfairness).
//
// On the wall clock, sleep and stall really wait, with time.Sleep: on Linux a
// Go timer wakes up to ~1 ms late for short sleeps (measured: a 100 µs sleep
// takes about 1.1 ms), so wall-clock service times below a few milliseconds
// are rounded up by the timer. In virtual time they are exact.
package builtin
