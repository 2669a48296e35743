package main

import (
	"fmt"
	"strconv"

	"github.com/dsbench/dsbench/workloads"
)

// countValue is a flag holding a count that may be written 1e6 or
// 1_000_000, as workload specs and suite files write them (one parser:
// workloads.ParseCount).
type countValue struct{ p *uint64 }

func (c countValue) String() string {
	if c.p == nil {
		return "0"
	}
	return strconv.FormatUint(*c.p, 10)
}

func (c countValue) Set(s string) error {
	v, err := workloads.ParseCount(s)
	if err != nil {
		return fmt.Errorf("want a non-negative whole number such as 1000, 1e6 or 1_000_000")
	}
	*c.p = v
	return nil
}

func (c countValue) Type() string { return "count" }

// numberValue is a flag holding a number written as workload specs and
// suite files write one (workloads.ParseNumber: 5000, 5_000, 5e3; no NaN or
// infinity).
type numberValue struct{ p *float64 }

func (n numberValue) String() string {
	if n.p == nil {
		return "0"
	}
	return strconv.FormatFloat(*n.p, 'g', -1, 64)
}

func (n numberValue) Set(s string) error {
	v, err := workloads.ParseNumber(s)
	if err != nil {
		return fmt.Errorf("want a finite number such as 5000, 5e3 or 5_000")
	}
	*n.p = v
	return nil
}

func (n numberValue) Type() string { return "number" }
