package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// countValue is a flag holding a count that may be written 1e6 or
// 1_000_000, as workload specs write them.
type countValue struct{ p *uint64 }

func (c countValue) String() string {
	if c.p == nil {
		return "0"
	}
	return strconv.FormatUint(*c.p, 10)
}

func (c countValue) Set(s string) error {
	t := strings.ReplaceAll(s, "_", "")
	if v, err := strconv.ParseUint(t, 10, 64); err == nil {
		*c.p = v
		return nil
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 || f != math.Trunc(f) || f > 1<<63 {
		return fmt.Errorf("want a non-negative whole number such as 1000, 1e6 or 1_000_000")
	}
	*c.p = uint64(f)
	return nil
}

func (c countValue) Type() string { return "count" }
