package bench

import (
	"fmt"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// Limits on what a plan may ask for, checked before anything is built: a
// value dsbench accepts must not crash it (out of memory, a makeslice
// panic), so the limits come from what each unit costs in memory, not from
// the width of the flag's type.

// MaxPlanRuns caps the runs of one plan (targets × parameter sweep points ×
// --runs): each run keeps its result (histograms, intervals) until the
// document is written, and a million-run plan is a typo, not a benchmark.
const MaxPlanRuns = 100_000

// MemoryBudget is the memory a plan's per-worker state may take: a quarter
// of the machine's physical memory (the rest is for the target, the
// workload, the results and the other programs on the machine).
func MemoryBudget() uint64 { return physicalMemory() / 4 }

// WorkerBytes is what one closed-loop worker holds for a workload with
// kinds op kinds: per kind, its recorder's latency histograms (the totals
// and the current interval, and service time in the open loop), plus about
// two histograms' worth of workload source and bookkeeping. Measured: a
// ycsb-c worker (one kind) takes ~720 KiB of RSS, ycsb-a (two) ~1.1 MiB;
// this gives 0.8 and 1.35 MiB.
func WorkerBytes(kinds int) uint64 {
	h := uint64(harness.NewHistogram().ByteSize())
	return (uint64(max(kinds, 1))*2 + 1) * h
}

// checkWorkers refuses a closed-loop worker count whose recorders would
// not fit in MemoryBudget.
func checkWorkers(workers, kinds int) error {
	per := WorkerBytes(kinds)
	limit := MemoryBudget() / per
	if uint64(workers) > limit {
		return inputf("--workers %d: at most %d closed-loop workers fit in memory here (each holds ~%s of latency histograms for %d op kind(s); the budget is a quarter of this machine's %s)",
			workers, limit, bytesText(per), max(kinds, 1), bytesText(physicalMemory()))
	}
	return nil
}

// checkPlanSize refuses a plan of more than MaxPlanRuns runs, from the
// counts alone, before any run is built.
func checkPlanSize(targets int, sweeps []sweep, runs int) error {
	n := uint64(targets)
	what := fmt.Sprintf("%d target(s)", targets)
	for _, s := range sweeps {
		n = satMul(n, uint64(len(s.values)))
		what += fmt.Sprintf(" × %d value(s) of %s", len(s.values), s.name)
	}
	n = satMul(n, uint64(max(runs, 1)))
	if n > MaxPlanRuns {
		return inputf("the plan has %s runs (%s × --runs %d): at most %d runs in one invocation; split the sweep or lower --runs",
			countText(n), what, max(runs, 1), MaxPlanRuns)
	}
	return nil
}

// traceKinds counts the op kinds a trace holds.
func traceKinds(ops []workloads.Op) int {
	var seen [workloads.NumKinds]bool
	n := 0
	for i := range ops {
		if k := ops[i].Kind; k < workloads.NumKinds && !seen[k] {
			seen[k] = true
			n++
		}
	}
	return n
}

// satMul multiplies without wrapping: the product saturates at 2^64−1.
func satMul(a, b uint64) uint64 {
	if a != 0 && b > ^uint64(0)/a {
		return ^uint64(0)
	}
	return a * b
}

func countText(n uint64) string {
	if n == ^uint64(0) {
		return "more than 1.8e19"
	}
	return fmt.Sprintf("%d", n)
}

func bytesText(b uint64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%.0f KiB", float64(b)/(1<<10))
}

// MaxValueSize is the largest value (size=, or a trace's size column) an op
// may carry: a sixty-fourth of MemoryBudget. A storage target holds a value
// per op in flight and copies it into its memtable, log and cache, so one
// op of 4 GiB (size's type allows 2^32−1) would take the machine's memory.
func MaxValueSize() uint64 { return MemoryBudget() / 64 }

// checkValueSize refuses a workload whose largest value exceeds
// MaxValueSize.
func checkValueSize(largest uint64, what string) error {
	if limit := MaxValueSize(); largest > limit {
		return inputf("%s: values of %s: at most %s per op here (a sixty-fourth of the memory budget, a quarter of this machine's %s)",
			what, bytesText(largest), bytesText(limit), bytesText(physicalMemory()))
	}
	return nil
}

// traceMaxSize is the largest value size of a trace's ops.
func traceMaxSize(ops []workloads.Op) uint64 {
	var m uint32
	for i := range ops {
		m = max(m, ops[i].Size)
	}
	return uint64(m)
}
