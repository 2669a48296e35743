package workloads

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

// DurationDist draws durations: service times of simulated servers, network
// delays, think times. Targets take one as a parameter such as
// "exp:mean=1ms".
type DurationDist interface {
	Next(r *rand.Rand) time.Duration
	Mean() time.Duration
	String() string // canonical spec, every default filled in
}

// DurationDistForms lists the accepted forms of a duration distribution spec.
var DurationDistForms = []string{
	"const:d=1ms (or a bare duration such as 1ms)",
	"exp:mean=1ms",
	"uniform:min=0s,max=2ms",
	"lognormal:mean=1ms,sigma=1",
	"pareto:min=100us,shape=1.5",
}

// ParseDurationDist parses a duration distribution spec; see DurationDistForms.
func ParseDurationDist(spec string) (DurationDist, error) {
	name, args, err := splitSpec(spec)
	if err != nil {
		return nil, err
	}
	if d, err := time.ParseDuration(spec); err == nil {
		if d < 0 {
			return nil, fmt.Errorf("duration %q is negative", spec)
		}
		return constDur{d}, nil
	}
	get := func(key string, def time.Duration) (time.Duration, error) {
		v, ok := args[key]
		if !ok {
			if def < 0 {
				return 0, fmt.Errorf("%s: missing %s= (forms: %s)", name, key, strings.Join(DurationDistForms, "; "))
			}
			return def, nil
		}
		delete(args, key)
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("%s: %s=%q is not a non-negative duration such as 1ms", name, key, v)
		}
		return d, nil
	}
	getF := func(key string, def float64) (float64, error) {
		v, ok := args[key]
		if !ok {
			return def, nil
		}
		delete(args, key)
		var f float64
		if _, err := fmt.Sscan(v, &f); err != nil || f <= 0 || math.IsInf(f, 0) {
			return 0, fmt.Errorf("%s: %s=%q is not a positive number", name, key, v)
		}
		return f, nil
	}
	var out DurationDist
	switch name {
	case "const":
		d, err := get("d", -1)
		if err != nil {
			return nil, err
		}
		out = constDur{d}
	case "exp":
		m, err := get("mean", -1)
		if err != nil {
			return nil, err
		}
		out = expDur{m}
	case "uniform":
		lo, err := get("min", 0)
		if err != nil {
			return nil, err
		}
		hi, err := get("max", -1)
		if err != nil {
			return nil, err
		}
		if hi < lo {
			return nil, fmt.Errorf("uniform: max=%v is below min=%v", hi, lo)
		}
		out = uniformDur{lo, hi}
	case "lognormal":
		m, err := get("mean", -1)
		if err != nil {
			return nil, err
		}
		s, err := getF("sigma", 1)
		if err != nil {
			return nil, err
		}
		out = lognormalDur{m, s}
	case "pareto":
		m, err := get("min", -1)
		if err != nil {
			return nil, err
		}
		a, err := getF("shape", 1.5)
		if err != nil {
			return nil, err
		}
		out = paretoDur{m, a}
	default:
		return nil, fmt.Errorf("unknown duration distribution %q (valid: %s)", name, strings.Join(DurationDistForms, "; "))
	}
	if len(args) > 0 {
		keys := make([]string, 0, len(args))
		for k := range args {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return nil, fmt.Errorf("%s: unknown parameter %q (spec %q)", name, keys[0], spec)
	}
	return out, nil
}

// splitSpec splits "name:k=v,k=v" into its name and arguments.
func splitSpec(spec string) (string, map[string]string, error) {
	name, rest, _ := strings.Cut(strings.TrimSpace(spec), ":")
	args := map[string]string{}
	if rest == "" {
		return name, args, nil
	}
	for _, kv := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return "", nil, fmt.Errorf("%s: %q is not key=value (spec %q)", name, kv, spec)
		}
		if _, dup := args[k]; dup {
			return "", nil, fmt.Errorf("%s: %s= is given twice (spec %q)", name, k, spec)
		}
		args[k] = v
	}
	return name, args, nil
}

type constDur struct{ d time.Duration }

func (c constDur) Next(*rand.Rand) time.Duration { return c.d }
func (c constDur) Mean() time.Duration           { return c.d }
func (c constDur) String() string                { return "const:d=" + c.d.String() }

type expDur struct{ mean time.Duration }

func (e expDur) Next(r *rand.Rand) time.Duration {
	return time.Duration(r.ExpFloat64() * float64(e.mean))
}
func (e expDur) Mean() time.Duration { return e.mean }
func (e expDur) String() string      { return "exp:mean=" + e.mean.String() }

type uniformDur struct{ lo, hi time.Duration }

func (u uniformDur) Next(r *rand.Rand) time.Duration {
	if u.hi == u.lo {
		return u.lo
	}
	return u.lo + time.Duration(r.Int64N(int64(u.hi-u.lo)+1))
}
func (u uniformDur) Mean() time.Duration { return (u.lo + u.hi) / 2 }
func (u uniformDur) String() string {
	return "uniform:min=" + u.lo.String() + ",max=" + u.hi.String()
}

// lognormalDur has the given mean: mu = ln(mean) − σ²/2.
type lognormalDur struct {
	mean  time.Duration
	sigma float64
}

func (l lognormalDur) Next(r *rand.Rand) time.Duration {
	mu := math.Log(float64(l.mean)) - l.sigma*l.sigma/2
	return time.Duration(math.Exp(mu + l.sigma*r.NormFloat64()))
}
func (l lognormalDur) Mean() time.Duration { return l.mean }
func (l lognormalDur) String() string {
	return fmt.Sprintf("lognormal:mean=%v,sigma=%g", l.mean, l.sigma)
}

type paretoDur struct {
	min   time.Duration
	shape float64
}

func (p paretoDur) Next(r *rand.Rand) time.Duration {
	u := 1 - r.Float64() // (0,1]
	return time.Duration(float64(p.min) / math.Pow(u, 1/p.shape))
}
func (p paretoDur) Mean() time.Duration {
	if p.shape <= 1 {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(float64(p.min) * p.shape / (p.shape - 1))
}
func (p paretoDur) String() string { return fmt.Sprintf("pareto:min=%v,shape=%g", p.min, p.shape) }
