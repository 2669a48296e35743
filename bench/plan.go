package bench

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/workloads"
)

// Plan is a validated set of runs: everything that can be wrong with the
// input has been found before the first run starts (an *InputError; the
// CLI exits 2 on it).
type Plan struct {
	opts  Options // defaults filled in
	runs  []*planned
	trace []workloads.Op
	shard workloads.Part
	tour  bool
	// workload is the -w text (empty: each target's own).
	workload string
}

// planned is one run of a plan: a target with one combination of its
// parameters, one workload and one repetition.
type planned struct {
	info       *algorithms.Info
	own        bool // the caller's own target value: not closed by the run
	params     algorithms.Params
	paramsRaw  map[string]string // what the user set for this run (the sweep point)
	clock      algorithms.Clock
	spec       workloads.Spec
	specName   string // short label: the preset name, "default", "custom" or "trace"
	repetition int
	seed       uint64
}

// NewPlan validates the options and expands targets (names, or your own
// target values; none = the tour: one default target per family) × parameter
// sweeps × repetitions into runs. Every error wraps *InputError.
func NewPlan(targets []any, workload string, o Options) (*Plan, error) {
	p := &Plan{opts: o, workload: workload}
	var err error

	if o.Ops == 0 && o.Duration == 0 {
		if len(targets) == 0 {
			p.opts.Duration = DefaultTourDuration
		} else {
			p.opts.Duration = DefaultDuration
		}
	}
	switch {
	case o.Duration < 0:
		return nil, inputf("--duration %v: must be positive", o.Duration)
	case o.Warmup < 0:
		return nil, inputf("--warmup %v: must not be negative", o.Warmup)
	case o.Workers < 0:
		return nil, inputf("--workers %d: must be at least 1 (or 0 for the default)", o.Workers)
	case o.Runs < 0:
		return nil, inputf("--runs %d: must be at least 1", o.Runs)
	case o.Rate < 0:
		return nil, inputf("--rate %g: must be positive (ops/s)", o.Rate)
	case o.ValueSize < 0:
		return nil, inputf("--value-size %d: must not be negative", o.ValueSize)
	case o.Shards < 0:
		return nil, inputf("shards %d: must not be negative", o.Shards)
	}
	if p.opts.Runs == 0 {
		p.opts.Runs = 1
	}
	switch o.Clock {
	case "", algorithms.Wall, algorithms.Virtual:
	default:
		return nil, inputf("--clock %q: valid clocks are wall, virtual", o.Clock)
	}
	if p.shard, err = ParseShard(o.Shard); err != nil {
		return nil, err
	}
	if o.Trace != "" {
		if p.trace, err = readTrace(o.Trace); err != nil {
			return nil, err
		}
		// A trace with no Ops or Duration replays whole.
		if o.Ops == 0 && o.Duration == 0 {
			p.opts.Ops = uint64(len(p.trace))
			p.opts.Duration = 0
		}
	}

	// Targets: the given ones, or the tour.
	type target struct {
		info *algorithms.Info
		own  bool
	}
	var ts []target
	if len(targets) == 0 {
		p.tour = true
		for _, info := range algorithms.Tour() {
			ts = append(ts, target{info: info})
		}
	}
	for _, t := range targets {
		info, own, err := resolveTarget(t, o.Name)
		if err != nil {
			return nil, err
		}
		ts = append(ts, target{info, own})
	}
	infos := make([]*algorithms.Info, len(ts))
	for i, t := range ts {
		infos[i] = t.info
	}

	sweeps, err := parseParams(o.Params)
	if err != nil {
		return nil, err
	}
	for _, s := range sweeps {
		known := false
		for _, info := range infos {
			known = known || declares(info, s.name)
		}
		if !known {
			var all []string
			for _, info := range infos {
				for _, pd := range info.Params {
					all = append(all, pd.Name)
				}
			}
			hint := ""
			if g := algorithms.Suggest(s.name, all); g != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", g)
			}
			return nil, inputf("-p %s: no target of this run has that parameter%s (%s)", s.name, hint, paramNames(infos))
		}
	}

	if o.Check {
		var checked []string
		for _, t := range ts {
			if t.info.Checked {
				checked = append(checked, t.info.Name)
			}
		}
		if len(checked) == 0 {
			return nil, inputf("--check: no target of this run records a client history to check for linearizability (targets that do: %s)", checkedTargets())
		}
	}

	if err := checkPlanSize(len(ts), sweeps, p.opts.Runs); err != nil {
		return nil, err
	}
	var probes []*planned // one per target and parameter combination
	for _, t := range ts {
		info := t.info
		c := o.Clock
		if c == "" {
			c = info.Clocks()[0]
		}
		if o.Load > 0 && !info.Loads {
			return nil, inputf("--load %d: %s has no load phase (targets with one: %s)", o.Load, info.Name, loaders())
		}
		if !info.Supports(c) {
			return nil, inputf("%s does not run on the %s clock (it supports: %s)", info.Name, c, clockList(info))
		}
		spec, name, err := p.workloadFor(info)
		if err != nil {
			return nil, err
		}
		if info.CheckWorkload != nil && p.trace == nil {
			if err := info.CheckWorkload(spec); err != nil {
				return nil, inputf("%s: workload %q: %v", info.Name, name, err)
			}
		}
		if p.trace == nil {
			if err := checkValueSize(spec.MaxValueSize(), fmt.Sprintf("workload %q: size=%s", name, spec.SizeDist())); err != nil {
				return nil, err
			}
		} else if err := checkValueSize(traceMaxSize(p.trace), "the trace"); err != nil {
			return nil, err
		}
		if p.trace == nil && spec.Closed() {
			kinds, _ := spec.Kinds()
			if err := checkWorkers(o.Workers, len(kinds)); err != nil {
				return nil, err
			}
		} else if p.trace != nil {
			if err := checkWorkers(o.Workers, traceKinds(p.trace)); err != nil {
				return nil, err
			}
		}
		// Only the parameters this target declares apply to it.
		var mine []sweep
		for _, s := range sweeps {
			if declares(info, s.name) {
				mine = append(mine, s)
			}
		}
		for _, combo := range crossProduct(mine) {
			params, err := info.Resolve(combo)
			if err != nil {
				return nil, input(err)
			}
			for rep := 0; rep < p.opts.Runs; rep++ {
				r := &planned{
					info: info, own: t.own, params: params, paramsRaw: combo, clock: c,
					spec: spec, specName: name, repetition: rep, seed: repetitionSeed(o.Seed, rep),
				}
				p.runs = append(p.runs, r)
				if rep == 0 {
					probes = append(probes, r)
				}
			}
		}
	}
	// Last, as it may take a network round trip: can each real target
	// reach its server?
	for _, r := range probes {
		if r.info.Preflight == nil {
			continue
		}
		if err := r.info.Preflight(r.params); err != nil {
			return nil, inputf("%s: %v", r.info.Name, err)
		}
	}
	return p, nil
}

// Tour reports whether the plan is the tour (no target was named).
func (p *Plan) Tour() bool { return p.tour }

// Labels names the plan's runs, in order, as progress lines and errors do:
// target, the parameters set, [workload, clock, repetition].
func (p *Plan) Labels() []string {
	out := make([]string, len(p.runs))
	for i, r := range p.runs {
		out[i] = r.label()
	}
	return out
}

// Variants names the plan's distinct variants, in order: a target with the
// parameters set for it (the sweep point). The repetitions of a variant,
// and its runs on several workloads, share its name.
func (p *Plan) Variants() []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range p.runs {
		var b strings.Builder
		b.WriteString(r.info.Name)
		for _, k := range sortedKeys(r.paramsRaw) {
			fmt.Fprintf(&b, " %s=%s", k, r.paramsRaw[k])
		}
		if v := b.String(); !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// label is how progress lines and errors name the run.
func (r *planned) label() string {
	var b strings.Builder
	b.WriteString(r.info.Name)
	for _, k := range sortedKeys(r.paramsRaw) {
		fmt.Fprintf(&b, " %s=%s", k, r.paramsRaw[k])
	}
	fmt.Fprintf(&b, " [%s, %s", r.specName, r.clock)
	if r.repetition > 0 {
		fmt.Fprintf(&b, ", rep %d", r.repetition+1)
	}
	b.WriteString("]")
	return b.String()
}

func readTrace(path string) ([]workloads.Op, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, inputf("--trace: %v", err)
	}
	defer f.Close()
	ops, err := workloads.ReadTrace(f)
	if err != nil {
		return nil, inputf("--trace %s: %v", path, err)
	}
	if len(ops) == 0 {
		return nil, inputf("--trace %s: the trace holds no ops", path)
	}
	return ops, nil
}

// sweep is one -p parameter with its values (several when swept with a|b|c).
type sweep struct {
	name   string
	values []string
}

// parseParams turns key=value settings into sweeps, in order. A value may
// itself contain commas and '=' (service=exp:mean=1ms); '|' separates the
// points of a sweep.
func parseParams(flags []string) ([]sweep, error) {
	var out []sweep
	seen := map[string]bool{}
	for _, f := range flags {
		name, value, ok := strings.Cut(f, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, inputf("-p %q: want key=value (or key=a|b|c to sweep)", f)
		}
		if seen[name] {
			return nil, inputf("-p %s given twice; sweep several values with -p '%s=a|b|c'", name, name)
		}
		seen[name] = true
		vals := strings.Split(value, "|")
		for _, v := range vals {
			if v == "" {
				return nil, inputf("-p %q: empty value", f)
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

// ParseShard reads "k/n" (k from 0); "" is the whole load.
func ParseShard(s string) (workloads.Part, error) {
	if s == "" {
		return workloads.Whole, nil
	}
	ks, ns, ok := strings.Cut(s, "/")
	k, err1 := strconv.Atoi(ks)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 0 || k >= n {
		return workloads.Part{}, inputf("--shard %q: want k/n with 0 <= k < n, e.g. 0/4", s)
	}
	return workloads.Part{Index: k, Of: n}, nil
}

func paramNames(infos []*algorithms.Info) string {
	var parts []string
	for _, info := range infos {
		var names []string
		for _, p := range info.Params {
			names = append(names, p.Name)
		}
		if len(names) == 0 {
			names = []string{"none"}
		}
		parts = append(parts, info.Name+": "+strings.Join(names, ", "))
	}
	return strings.Join(parts, "; ")
}

func clockList(info *algorithms.Info) string {
	var cs []string
	for _, c := range info.Clocks() {
		cs = append(cs, string(c))
	}
	return strings.Join(cs, ", ")
}

// loaders names the targets that take --load.
func loaders() string {
	var names []string
	for _, i := range algorithms.All() {
		if i.Loads {
			names = append(names, i.Name)
		}
	}
	return strings.Join(names, ", ")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// declares reports whether info takes parameter name (or an old alias of one).
func declares(info *algorithms.Info, name string) bool {
	if _, ok := info.Aliases[name]; ok {
		return true
	}
	for _, pd := range info.Params {
		if pd.Name == name {
			return true
		}
	}
	return false
}

// checkedTargets lists the registered targets that record a history for --check.
func checkedTargets() string {
	var out []string
	for _, info := range algorithms.All() {
		if info.Checked {
			out = append(out, info.Name)
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}
