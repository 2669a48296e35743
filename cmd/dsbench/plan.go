package main

import (
	"strconv"

	"github.com/dsbench/dsbench/bench"
)

// defaultSeed is the root seed when --seed is not given: fixed, so two
// invocations without --seed replay the same op streams.
const defaultSeed = bench.DefaultSeed

// parseSeed reads --seed: a number, or "random" (then the caller prints it).
func parseSeed(s string, random func() uint64) (uint64, bool, error) {
	switch s {
	case "":
		return defaultSeed, false, nil
	case "random":
		return random(), true, nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, false, usagef("--seed %q: want a non-negative integer or \"random\"", s)
	}
	return v, false, nil
}
