package workloads

import "strings"

// ParseNumber reads a number the way every dsbench input writes one — a
// workload spec, a command-line flag, a suite file: Go float syntax with _
// separators and exponents (1000, 1_000, 1e3, 2.5e-3). NaN and ±Inf are
// refused. One parser, so a value accepted in one place is accepted in all.
func ParseNumber(s string) (float64, error) { return parseFloat(strings.TrimSpace(s)) }

// ParseCount reads a non-negative whole number written 1000, 1_000 or 1e3,
// as ParseNumber does for any number.
func ParseCount(s string) (uint64, error) { return parseCount(strings.TrimSpace(s)) }
