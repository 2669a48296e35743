package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/workloads"
)

// defaultSeed is the root seed when --seed is not given: fixed, so two
// invocations without --seed replay the same op streams.
const defaultSeed uint64 = 1

// planned is one run of a plan: a target with one combination of its
// parameters, one workload and one repetition.
type planned struct {
	info       *algorithms.Info
	params     algorithms.Params
	paramsRaw  map[string]string // what the user set for this run (the sweep point)
	clock      algorithms.Clock
	spec       workloads.Spec
	specName   string // short label: the preset name, or "custom"
	repetition int
	seed       uint64
}

// label is how progress lines and errors name the run.
func (p *planned) label() string {
	var b strings.Builder
	b.WriteString(p.info.Name)
	keys := make([]string, 0, len(p.paramsRaw))
	for k := range p.paramsRaw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%s", k, p.paramsRaw[k])
	}
	fmt.Fprintf(&b, " [%s, %s", p.specName, p.clock)
	if p.repetition > 0 {
		fmt.Fprintf(&b, ", rep %d", p.repetition+1)
	}
	b.WriteString("]")
	return b.String()
}

// sweep is one -p parameter with its values (several when swept with a|b|c).
type sweep struct {
	name   string
	values []string
}

// parseParams turns -p key=value flags into sweeps, in flag order. A value
// may itself contain commas and '=' (service=exp:mean=1ms); '|' separates
// the points of a sweep.
func parseParams(flags []string) ([]sweep, error) {
	var out []sweep
	seen := map[string]bool{}
	for _, f := range flags {
		name, value, ok := strings.Cut(f, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, usagef("-p %q: want key=value (or key=a|b|c to sweep)", f)
		}
		if seen[name] {
			return nil, usagef("-p %s given twice; sweep several values with -p '%s=a|b|c'", name, name)
		}
		seen[name] = true
		vals := strings.Split(value, "|")
		for _, v := range vals {
			if v == "" {
				return nil, usagef("-p %q: empty value", f)
			}
		}
		out = append(out, sweep{name: name, values: vals})
	}
	return out, nil
}

// crossProduct expands sweeps into every combination, first sweep slowest.
func crossProduct(sweeps []sweep) []map[string]string {
	combos := []map[string]string{{}}
	for _, s := range sweeps {
		var next []map[string]string
		for _, c := range combos {
			for _, v := range s.values {
				m := make(map[string]string, len(c)+1)
				for k, x := range c {
					m[k] = x
				}
				m[s.name] = v
				next = append(next, m)
			}
		}
		combos = next
	}
	return combos
}

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

// repetitionSeed derives repetition k's seed from the root seed. The first
// repetition uses the root seed itself, so `--seed N` reproduces it; the
// others are SplitMix64 steps away, so repetitions are independent samples.
func repetitionSeed(root uint64, k int) uint64 {
	if k == 0 {
		return root
	}
	z := root + uint64(k)*0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// parseShard reads --shard k/n (k from 0).
func parseShard(s string) (workloads.Part, error) {
	if s == "" {
		return workloads.Whole, nil
	}
	ks, ns, ok := strings.Cut(s, "/")
	k, err1 := strconv.Atoi(ks)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 0 || k >= n {
		return workloads.Part{}, usagef("--shard %q: want k/n with 0 <= k < n, e.g. 0/4", s)
	}
	return workloads.Part{Index: k, Of: n}, nil
}
