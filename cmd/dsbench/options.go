package main

import (
	"github.com/dsbench/dsbench/bench"
	"github.com/dsbench/dsbench/results/compare"
)

// RunOptions is everything `dsbench run` takes: the library's options (most
// flags bind straight to them) and what only the command line has. The suite
// command builds the same struct from each entry of its matrix.
type RunOptions struct {
	bench.Options
	Targets  []string // family/name…; empty = the tour
	Workload string   // -w: preset or spec
	// Seed is --seed N | random as typed; prepare turns it into
	// Options.Seed (which this field shadows).
	Seed    string
	Format  string   // --format for stdout
	Outputs []string // -o FILE or FORMAT:FILE (repeatable)
	Columns string   // --columns: the wide table's columns, fixed (csv, xlsx)
	Compare bool     // --compare: the two variants' significance table after the runs
	Quiet   bool     // -q
	// FailOn are run --fail-on's absolute thresholds, checked on every run.
	FailOn []compare.Threshold
}
