package main

import "time"

// RunOptions is everything `dsbench run` takes; the suite command builds
// the same struct from each entry of its matrix.
type RunOptions struct {
	Targets   []string      // family/name…; empty = the tour
	Workload  string        // -w: preset or spec
	Keys      string        // --keys: overrides the workload's key distribution
	Mix       string        // --mix
	Arrival   string        // --arrival
	Clients   string        // --clients
	Rate      float64       // --rate: ops/s (open loop); 0 = as the workload says
	Trace     string        // --trace FILE: replay instead of generating
	Params    []string      // -p key=value (repeatable; value a|b|c sweeps)
	Ops       uint64        // --ops
	Duration  time.Duration // --duration
	Warmup    time.Duration // --warmup
	Workers   int           // --workers
	Clock     string        // --clock wall|virtual ("" = each target's default)
	Seed      string        // --seed N | random
	Runs      int           // --runs K repetitions
	Load      uint64        // --load N records before the measured phase
	ValueSize int           // --value-size bytes (0 = as the workload says)
	Shard     string        // --shard k/n
	Format    string        // --format for stdout
	Outputs   []string      // -o FILE or FORMAT:FILE (repeatable)
	Quiet     bool          // -q
}
