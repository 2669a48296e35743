package algorithms

import (
	"fmt"
	"sort"
	"strings"
)

// TargetAlias is a second name for a registered target, with some of its
// parameters' defaults changed: a name a reader of a paper or of the seed
// list uses (loadbalance/least-response-time) that is one of the suite's
// targets under a configuration (loadbalance/peak-ewma with choices=0).
type TargetAlias struct {
	Name     string            // family/name of the alias
	Target   string            // the registered target it runs
	Defaults map[string]string // parameter defaults it overrides (validated)
	Why      string            // one line: what the alias means
}

var aliases = map[string]*TargetAlias{}

// RegisterAlias adds name as an alias of the registered target, with the
// given parameter defaults. It panics (a programming error found at init)
// if name is taken, the target is unknown, or a default is not a valid
// value of one of the target's parameters.
func RegisterAlias(name, target string, defaults map[string]string, why string) {
	mu.Lock()
	defer mu.Unlock()
	fam, n, ok := strings.Cut(name, "/")
	if !ok || fam == "" || n == "" || strings.Contains(n, "/") {
		panic(fmt.Sprintf("algorithms: RegisterAlias: name %q is not family/name", name))
	}
	if _, dup := registry[name]; dup {
		panic("algorithms: RegisterAlias: " + name + " is a target's name")
	}
	if _, dup := aliases[name]; dup {
		panic("algorithms: RegisterAlias called twice for " + name)
	}
	info, ok := registry[target]
	if !ok {
		panic("algorithms: RegisterAlias: " + name + " → unknown target " + target)
	}
	for k, v := range defaults {
		found := false
		for _, p := range info.Params {
			if p.Name == k {
				found = true
				if _, err := p.parse(v); err != nil {
					panic("algorithms: RegisterAlias: " + name + ": " + k + "=" + v + ": " + err.Error())
				}
			}
		}
		if !found {
			panic("algorithms: RegisterAlias: " + name + ": " + target + " has no parameter " + k)
		}
	}
	d := make(map[string]string, len(defaults))
	for k, v := range defaults {
		d[k] = v
	}
	aliases[name] = &TargetAlias{Name: name, Target: target, Defaults: d, Why: why}
}

// Aliases returns every target alias, sorted by name.
func Aliases() []TargetAlias {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]TargetAlias, 0, len(aliases))
	for _, a := range aliases {
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Settings is the alias's overridden defaults as name=value, sorted.
func (a TargetAlias) Settings() string {
	var parts []string
	for k, v := range a.Defaults {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// Note is the one line `dsbench list` prints for the alias.
func (a TargetAlias) Note() string {
	s := "alias of " + a.Target
	if set := a.Settings(); set != "" {
		s += " with " + set
	}
	return s + ": " + a.Why
}

// aliasInfo builds the Info an alias resolves to: the target's, under the
// alias's name, with its defaults overridden, never in the tour. The caller
// holds mu.
func aliasInfo(a *TargetAlias) *Info {
	in := *registry[a.Target]
	in.Name = a.Name
	in.Tour = false
	in.AliasOf = a.Target
	in.Description = a.Note()
	in.Params = append([]Param(nil), in.Params...)
	for i := range in.Params {
		if v, ok := a.Defaults[in.Params[i].Name]; ok {
			in.Params[i].Default = v
		}
	}
	return &in
}

// aliasNames returns every alias name, sorted. The caller holds mu.
func aliasNames() []string {
	out := make([]string, 0, len(aliases))
	for n := range aliases {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
