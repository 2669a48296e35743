package compare

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dsbench/dsbench/results"
)

// Key identifies what a run measured; runs of the two sides pair by it, and
// runs sharing a key on one side are its samples (repetitions).
type Key struct {
	Target   string `json:"target"`
	Params   string `json:"params"` // k=v pairs, sorted, space separated
	Workload string `json:"workload"`
	Clock    string `json:"clock"`
}

// Label is the short form used in tables.
func (k Key) Label(workloadName string) string {
	var parts []string
	if k.Target != "" {
		parts = append(parts, k.Target)
	}
	if k.Params != "" {
		parts = append(parts, k.Params)
	}
	w := workloadName
	if w == "" || w == "custom" {
		w = k.Workload
	}
	if w != "" {
		parts = append(parts, w)
	}
	return strings.Join(parts, " ")
}

// KeyOf is the key a run pairs by, leaving out the ignored parameters (as
// Options.IgnoreParams does).
func KeyOf(r *results.Run, ignoreParams []string) Key {
	ignore := map[string]bool{}
	for _, p := range ignoreParams {
		ignore[p] = true
	}
	return keyOf(r, ignore)
}

// keyOf leaves out the ignored parameters, so runs that differ only in
// them (the change under test) pair.
func keyOf(r *results.Run, ignore map[string]bool) Key {
	ks := make([]string, 0, len(r.Params))
	for k, v := range r.Params {
		if !ignore[k] {
			ks = append(ks, k+"="+v)
		}
	}
	sort.Strings(ks)
	return Key{Target: r.Target, Params: strings.Join(ks, " "), Workload: r.Workload, Clock: r.Clock}
}

// group collects a document's successful runs by key, in first-seen order.
type group struct {
	keys  []Key
	runs  map[Key][]*results.Run
	names map[Key]string // workload_name for labels
	seeds map[uint64]bool
	bad   int             // runs skipped because they failed
	igned map[string]bool // ignored parameters as name=value
	// variants lists, per key, the variants (target and parameters) whose
	// runs it holds, in first-seen order: one per key unless pairing by
	// workload.
	variants map[Key][]string
}

// variant names the one variant a key holds.
func (g *group) variant(k Key) string { return strings.Join(g.variants[k], ", ") }

func groupRuns(d *results.Document, ignore map[string]bool, byWorkload bool) *group {
	g := &group{runs: map[Key][]*results.Run{}, names: map[Key]string{}, seeds: map[uint64]bool{}, igned: map[string]bool{},
		variants: map[Key][]string{}}
	for i := range d.Runs {
		r := &d.Runs[i]
		if r.Error != "" {
			g.bad++
			continue
		}
		k := keyOf(r, ignore)
		v := k.Target
		if k.Params != "" {
			v += " " + k.Params
		}
		if byWorkload {
			v = variantLabel(r)
			k.Target, k.Params = "", ""
		}
		if !contains(g.variants[k], v) {
			g.variants[k] = append(g.variants[k], v)
		}
		for p := range ignore {
			if v, ok := r.Params[p]; ok {
				g.igned[p+"="+v] = true
			}
		}
		if _, ok := g.runs[k]; !ok {
			g.keys = append(g.keys, k)
			g.names[k] = r.WorkloadName
		}
		g.runs[k] = append(g.runs[k], r)
		g.seeds[r.Seed] = true
	}
	return g
}

// MismatchError says why two documents do not pair, naming what differs.
type MismatchError struct{ Diffs []string }

func (e *MismatchError) Error() string {
	return "base and candidate do not measure the same thing: " + strings.Join(e.Diffs, "; ")
}

// checkPairing returns a MismatchError unless every key appears on both sides.
func checkPairing(b, c *group) error {
	var onlyB, onlyC []Key
	for _, k := range b.keys {
		if _, ok := c.runs[k]; !ok {
			onlyB = append(onlyB, k)
		}
	}
	for _, k := range c.keys {
		if _, ok := b.runs[k]; !ok {
			onlyC = append(onlyC, k)
		}
	}
	if len(onlyB) == 0 && len(onlyC) == 0 {
		if len(b.keys) == 0 {
			return &MismatchError{[]string{"no successful runs to compare"}}
		}
		return nil
	}
	var diffs []string
	for _, dim := range []struct {
		name string
		get  func(Key) string
	}{
		{"targets", func(k Key) string { return k.Target }},
		{"params", func(k Key) string { return k.Params }},
		{"workloads", func(k Key) string { return k.Workload }},
		{"clocks", func(k Key) string { return k.Clock }},
	} {
		sb, sc := valueSet(b.keys, dim.get), valueSet(c.keys, dim.get)
		if strings.Join(sb, "\x00") != strings.Join(sc, "\x00") {
			diffs = append(diffs, fmt.Sprintf("%s differ: base has %s, candidate has %s", dim.name, quoteAll(sb), quoteAll(sc)))
		}
	}
	if len(diffs) > 0 && strings.HasPrefix(diffs[0], "params") {
		diffs = append(diffs, "(to compare a parameter change, leave it out of the pairing with --ignore-param NAME)")
	}
	if len(diffs) == 0 {
		for _, k := range onlyB {
			diffs = append(diffs, "only in base: "+k.Label(""))
		}
		for _, k := range onlyC {
			diffs = append(diffs, "only in candidate: "+k.Label(""))
		}
	}
	return &MismatchError{diffs}
}

func valueSet(keys []Key, get func(Key) string) []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range keys {
		if v := get(k); !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

func quoteAll(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

func seedList(m map[uint64]bool) string {
	var s []uint64
	for k := range m {
		s = append(s, k)
	}
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, ",")
}

// variantLabel names a run's variant for a label: its target and the
// parameters set for it (the sweep point), as the run table shows them.
func variantLabel(r *results.Run) string {
	v := r.Target
	var set []string
	for _, k := range r.ParamsSet {
		if val, ok := r.Params[k]; ok {
			set = append(set, k+"="+val)
		}
	}
	sort.Strings(set)
	if len(set) > 0 {
		v += " " + strings.Join(set, " ")
	}
	return v
}

// oneVariantEach checks that, pairing by workload, a side holds one variant
// per workload and clock: two would be pooled into one sample.
func oneVariantEach(g *group, side string) error {
	for _, k := range g.keys {
		if vs := g.variants[k]; len(vs) > 1 {
			return &MismatchError{[]string{fmt.Sprintf("pairing by workload, the %s holds %d variants on workload %s (%s): %s; keep one variant per file",
				side, len(vs), k.Label(g.names[k]), k.Clock, quoteAll(vs))}}
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// oneSided labels the keys of g that other lacks.
func oneSided(g, other *group) []string {
	var out []string
	for _, k := range g.keys {
		if _, ok := other.runs[k]; !ok {
			l := k.Label(g.names[k])
			if k.Clock != "" {
				l += " (" + k.Clock + ")"
			}
			out = append(out, l)
		}
	}
	return out
}

// only returns g restricted to the keys other also has.
func (g *group) only(other *group) *group {
	h := *g
	h.keys = nil
	for _, k := range g.keys {
		if _, ok := other.runs[k]; ok {
			h.keys = append(h.keys, k)
		}
	}
	return &h
}
