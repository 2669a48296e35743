package algorithms

import (
	"fmt"
	"github.com/dsbench/dsbench/harness/simnet"
	"sort"
	"strings"
	"sync"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// Clock names one of the two clocks a target can run on (docs/design.md rule 2).
type Clock string

// The clocks.
const (
	Wall    Clock = "wall"    // real time: what does one decision cost?
	Virtual Clock = "virtual" // discrete-event simulation: what does the protocol do?
)

// Env is what a constructor gets: validated parameters and the run's context.
type Env struct {
	Params   Params
	Seed     uint64         // the component seed derived from the run's root seed
	Clock    Clock          // the clock the run uses
	Workload workloads.Spec // the fully resolved workload the run will replay
	Workers  int            // wall-clock workers (1 in virtual time)
	// InFlight caps the ops in flight at once: the closed loop's workers,
	// or the open loop's --workers (0: no cap). Targets that hold
	// connections to a server size their pools from it.
	InFlight int
}

// Info describes one target.
type Info struct {
	Name        string  // "family/name"
	Description string  // one line
	Params      []Param // every parameter, with its default
	// Tour marks the family's default target, the one the tour runs.
	Tour bool
	// Workload is the spec the tour uses for this target (and the default
	// when the user gives none); empty means DefaultWorkload.
	Workload string
	// NewWall and NewSim construct the target for a clock; a nil one means
	// the clock is not supported.
	NewWall func(Env) (harness.Target, error)
	NewSim  func(Env) (harness.SimTarget, error)
	// DefaultClock is used when the user does not pass --clock; empty means
	// the only clock supported, or Wall when both are.
	DefaultClock Clock
	// Loads reports that the target has a load phase (it implements
	// harness.Loader), so `--load N` applies to it.
	Loads bool
	// Check, if set, validates what no single parameter's range can (e.g.
	// pause < every). Resolve calls it, so a bad combination is a usage error
	// found before any run starts (docs/design.md rule 7), not a failed run.
	Check func(Params) error
	// CheckWorkload, if set, validates the workload a run will replay (op
	// kinds the target gives no meaning to): Resolve's counterpart for the
	// workload, so a bad one is a usage error (exit 2) found before any run
	// starts. A trace's ops are not checked here; the target's constructor
	// should still refuse them.
	CheckWorkload func(workloads.Spec) error
	// Preflight, if set, is called once per parameter combination after
	// every other check and before any run starts: a target that reaches a
	// server dials it here, so an unreachable one is bad input (exit 2)
	// whose error names the address, not a failed run.
	Preflight func(Params) error
	// Cluster, if set, gives the target the simulated cluster's parameters
	// (cluster.go): Register appends them to Params, marked Cluster, and
	// Resolve validates their fault specs.
	Cluster *ClusterSpec
	// Checked marks a target that promises linearizable operations and
	// records its client history (harness.HistoryRecorder), so `run
	// --check` verifies it.
	Checked bool
	// Aliases maps old parameter names to their current names, accepted for
	// one release and shown by `dsbench list`.
	Aliases map[string]string
	// External marks a target that reaches a server outside the process
	// (real/…): the tour, which must run anywhere, leaves it out.
	External bool
	// AliasOf is set on the Info Lookup returns for a target alias
	// (alias.go): the name of the target it runs.
	AliasOf string
}

// DefaultWorkload is the workload a target runs when neither it nor the user names one.
const DefaultWorkload = "ycsb-a"

// Family is the part of the name before the slash.
func (i *Info) Family() string { f, _, _ := strings.Cut(i.Name, "/"); return f }

// Clocks lists the clocks the target supports, the default first.
func (i *Info) Clocks() []Clock {
	var cs []Clock
	def := i.defaultClock()
	cs = append(cs, def)
	for _, c := range []Clock{Wall, Virtual} {
		if c != def && i.Supports(c) {
			cs = append(cs, c)
		}
	}
	return cs
}

// Supports reports whether the target runs on clock c.
func (i *Info) Supports(c Clock) bool {
	switch c {
	case Wall:
		return i.NewWall != nil
	case Virtual:
		return i.NewSim != nil
	}
	return false
}

func (i *Info) defaultClock() Clock {
	if i.DefaultClock != "" {
		return i.DefaultClock
	}
	if i.NewWall != nil {
		return Wall
	}
	return Virtual
}

// Resolve validates raw parameter values (name → value as typed by the user)
// against the declared parameters, fills defaults and returns them. An
// unknown name or a bad value is an error that names the valid choices.
func (i *Info) Resolve(raw map[string]string) (Params, error) {
	raw, err := i.applyAliases(raw)
	if err != nil {
		return Params{}, err
	}
	p, err := resolveParams(i.Name, i.Params, raw)
	if err != nil {
		return p, err
	}
	if i.Cluster != nil && p.Has(simnet.ParamNodes) { // a family that derives its nodes checks them in Check
		if _, err := ClusterOf(p); err != nil {
			return Params{}, fmt.Errorf("%s: %v", i.Name, err)
		}
	}
	if i.Check == nil {
		return p, nil
	}
	if err := i.Check(p); err != nil {
		return Params{}, err
	}
	return p, nil
}

var (
	mu       sync.RWMutex
	registry = map[string]*Info{}
)

// Register adds a target. It panics on a malformed name, a missing
// constructor, a duplicate or an invalid parameter declaration: all
// programming errors found at init.
func Register(info Info) {
	mu.Lock()
	defer mu.Unlock()
	fam, name, ok := strings.Cut(info.Name, "/")
	if !ok || fam == "" || name == "" || strings.Contains(name, "/") {
		panic(fmt.Sprintf("algorithms: Register: name %q is not family/name", info.Name))
	}
	if info.NewWall == nil && info.NewSim == nil {
		panic("algorithms: Register: " + info.Name + " has no constructor")
	}
	if info.DefaultClock != "" && !info.Supports(info.DefaultClock) {
		panic("algorithms: Register: " + info.Name + " defaults to a clock it does not support")
	}
	if _, dup := registry[info.Name]; dup {
		panic("algorithms: Register called twice for " + info.Name)
	}
	if _, dup := aliases[info.Name]; dup {
		panic("algorithms: Register: " + info.Name + " is an alias's name")
	}
	in := info
	if info.Cluster != nil {
		cp, err := info.Cluster.params()
		if err != nil {
			panic("algorithms: Register: " + info.Name + ": cluster " + err.Error())
		}
		for _, p := range info.Params {
			if IsClusterParam(p.Name) {
				panic("algorithms: Register: " + info.Name + " declares cluster parameter " + p.Name + " itself; set Cluster.Defaults instead")
			}
		}
		in.Params = append(append([]Param(nil), info.Params...), cp...)
	}
	seen := map[string]bool{}
	for _, p := range in.Params {
		if err := p.check(); err != nil {
			panic("algorithms: Register: " + info.Name + ": " + err.Error())
		}
		if seen[p.Name] {
			panic("algorithms: Register: " + info.Name + " declares " + p.Name + " twice")
		}
		seen[p.Name] = true
	}
	for old, now := range info.Aliases {
		if seen[old] || !seen[now] {
			panic("algorithms: Register: " + info.Name + ": alias " + old + " → " + now + " must map an undeclared name to a declared one")
		}
	}
	registry[info.Name] = &in
}

// Lookup returns the named target or target alias (alias.go: the target
// under the alias's name with the alias's defaults), or an error listing the
// valid names.
func Lookup(name string) (*Info, error) {
	mu.RLock()
	info, ok := registry[name]
	if !ok {
		if a, isAlias := aliases[name]; isAlias {
			info, ok = aliasInfo(a), true
		}
	}
	valid := aliasNames()
	mu.RUnlock()
	if ok {
		return info, nil
	}
	valid = append(Names(), valid...)
	sort.Strings(valid)
	return nil, fmt.Errorf("unknown target %q%s (valid: %s)", name, didYouMean(name, valid), strings.Join(valid, ", "))
}

// Names returns every registered name, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// All returns every registered target, sorted by name.
func All() []*Info {
	names := Names()
	out := make([]*Info, len(names))
	mu.RLock()
	defer mu.RUnlock()
	for i, n := range names {
		out[i] = registry[n]
	}
	return out
}

// Families returns the family names, sorted.
func Families() []string {
	seen := map[string]bool{}
	var fams []string
	for _, i := range All() {
		if f := i.Family(); !seen[f] {
			seen[f] = true
			fams = append(fams, f)
		}
	}
	return fams
}

// Tour returns one target per family: the one marked Tour, or else the
// family's first by name. External targets are left out.
func Tour() []*Info {
	var out []*Info
	for _, fam := range Families() {
		var pick *Info
		for _, i := range All() {
			if i.Family() != fam || i.External {
				continue
			}
			if pick == nil || (i.Tour && !pick.Tour) {
				pick = i
			}
		}
		if pick != nil {
			out = append(out, pick)
		}
	}
	return out
}
