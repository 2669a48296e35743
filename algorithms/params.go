package algorithms

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// ParamType is the type of a target parameter.
type ParamType string

// The parameter types.
const (
	Int      ParamType = "int"      // integer; "1e6" and "1_000" accepted
	Float    ParamType = "float"    // real number
	Duration ParamType = "duration" // Go duration, e.g. 250ms
	Bool     ParamType = "bool"     // true / false
	Enum     ParamType = "enum"     // one of Choices
	String   ParamType = "string"   // free text
	Dist     ParamType = "dist"     // a duration distribution, e.g. exp:mean=1ms
)

// Param declares one parameter of a target.
type Param struct {
	Name    string
	Type    ParamType
	Default string
	Doc     string
	// Min and Max bound Int, Float and Duration values (Duration in
	// nanoseconds) when HasRange is set.
	Min, Max float64
	HasRange bool
	Choices  []string // Enum values
	// Cluster marks a parameter of the simulated cluster's vocabulary
	// (cluster.go), added by Info.Cluster rather than declared by the family.
	Cluster bool
	// Dir marks a String naming a directory the target creates or writes
	// (empty: a temporary one): Resolve checks that it is a writable
	// directory, or can be made one, before anything runs (dircheck.go).
	Dir bool
}

// Range returns a copy of p bounded to [lo, hi].
func (p Param) Range(lo, hi float64) Param { p.Min, p.Max, p.HasRange = lo, hi, true; return p }

// Allowed describes the valid values, for help text and errors.
func (p Param) Allowed() string {
	switch {
	case p.Type == Enum:
		return strings.Join(p.Choices, "|")
	case p.Type == Dist:
		return "duration distribution: exp:mean=1ms, const:d=1ms, uniform:…, lognormal:…, pareto:…"
	case p.HasRange && p.Type == Duration:
		return fmt.Sprintf("%v … %v", time.Duration(p.Min), time.Duration(p.Max))
	case p.HasRange:
		return fmt.Sprintf("%s … %s", fmtNum(p.Min), fmtNum(p.Max))
	}
	return string(p.Type)
}

func fmtNum(f float64) string {
	if math.IsInf(f, 1) {
		return "∞"
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatFloat(f, 'f', 0, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func (p Param) check() error {
	if p.Name == "" {
		return fmt.Errorf("parameter without a name")
	}
	if p.Type == Enum && len(p.Choices) == 0 {
		return fmt.Errorf("enum parameter %s has no choices", p.Name)
	}
	if _, err := p.parse(p.Default); err != nil {
		return fmt.Errorf("default of %s: %v", p.Name, err)
	}
	return nil
}

// parse validates one value and returns it in canonical form.
func (p Param) parse(v string) (any, error) {
	bad := func(why string) error {
		return fmt.Errorf("parameter %s=%q: %s (valid: %s)", p.Name, v, why, p.Allowed())
	}
	inRange := func(f float64) error {
		if p.HasRange && (f < p.Min || f > p.Max) {
			return bad("out of range")
		}
		return nil
	}
	switch p.Type {
	case Int:
		f, err := strconv.ParseFloat(strings.ReplaceAll(v, "_", ""), 64)
		if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<62 {
			return nil, bad("not an integer")
		}
		return int64(f), inRange(f)
	case Float:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, bad("not a number")
		}
		return f, inRange(f)
	case Duration:
		d, err := time.ParseDuration(v)
		if err != nil {
			return nil, bad("not a duration such as 250ms")
		}
		return d, inRange(float64(d))
	case Bool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, bad("not true or false")
		}
		return b, nil
	case Enum:
		for _, c := range p.Choices {
			if c == v {
				return v, nil
			}
		}
		return nil, bad("not a valid choice")
	case String:
		return v, nil
	case Dist:
		d, err := workloads.ParseDurationDist(v)
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %v", p.Name, err)
		}
		return d, nil
	}
	return nil, fmt.Errorf("parameter %s has unknown type %q", p.Name, p.Type)
}

// Params holds a target's validated parameter values.
type Params struct {
	values map[string]any
	raw    map[string]string // canonical strings, for results
}

// Int returns an Int parameter. It panics if name was not declared as Int:
// a programming error caught by the target's own tests.
func (p Params) Int(name string) int { return int(p.get(name).(int64)) }

// Float returns a Float parameter.
func (p Params) Float(name string) float64 { return p.get(name).(float64) }

// Duration returns a Duration parameter.
func (p Params) Duration(name string) time.Duration { return p.get(name).(time.Duration) }

// Bool returns a Bool parameter.
func (p Params) Bool(name string) bool { return p.get(name).(bool) }

// String returns an Enum or String parameter.
func (p Params) String(name string) string { return p.get(name).(string) }

// Dist returns a Dist parameter.
func (p Params) Dist(name string) workloads.DurationDist {
	return p.get(name).(workloads.DurationDist)
}

// Has reports whether the target declares parameter name.
func (p Params) Has(name string) bool { _, ok := p.values[name]; return ok }

func (p Params) get(name string) any {
	v, ok := p.values[name]
	if !ok {
		panic("algorithms: parameter " + name + " was not declared")
	}
	return v
}

// Map returns every parameter as name → canonical string, for results.
func (p Params) Map() map[string]string {
	out := make(map[string]string, len(p.raw))
	for k, v := range p.raw {
		out[k] = v
	}
	return out
}

// Test builds Params from declarations and overrides without a registered
// target, for the families' own tests. It panics on a bad value.
func TestParams(decl []Param, raw map[string]string) Params {
	p, err := resolveParams("test", decl, raw)
	if err != nil {
		panic(err)
	}
	return p
}

func resolveParams(target string, decl []Param, raw map[string]string) (Params, error) {
	known := map[string]Param{}
	for _, d := range decl {
		known[d.Name] = d
	}
	for name := range raw {
		if _, ok := known[name]; !ok {
			names := make([]string, 0, len(decl))
			for _, d := range decl {
				names = append(names, d.Name)
			}
			sort.Strings(names)
			valid := strings.Join(names, ", ")
			if valid == "" {
				valid = "none"
			}
			return Params{}, fmt.Errorf("%s has no parameter %q%s (valid: %s)", target, name, didYouMean(name, names), valid)
		}
	}
	out := Params{values: map[string]any{}, raw: map[string]string{}}
	for _, d := range decl {
		v, ok := raw[d.Name]
		if !ok {
			v = d.Default
		}
		val, err := d.parse(v)
		if err != nil {
			return Params{}, fmt.Errorf("%s: %v", target, err)
		}
		if d.Dir && v != "" {
			if err := CheckDir(v); err != nil {
				return Params{}, fmt.Errorf("%s: %s=%s: %v", target, d.Name, v, err)
			}
		}
		out.values[d.Name] = val
		if dd, ok := val.(workloads.DurationDist); ok {
			v = dd.String()
		}
		out.raw[d.Name] = v
	}
	return out, nil
}
