package workloads

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// params reads the key=value arguments of one "name:k=v,k=v" spec. The first
// error sticks, so a parser reads every argument and checks once at the end.
type params struct {
	what string // "key distribution zipf"
	spec string
	m    map[string]string
	seen []string
	err  error
}

func newParams(what, spec string) (*params, string) {
	name, _, _ := strings.Cut(strings.TrimSpace(spec), ":")
	_, args, err := splitSpec(spec)
	if args == nil {
		args = map[string]string{}
	}
	return &params{what: what + " " + name, spec: spec, m: args, err: err}, name
}

func (p *params) fail(format string, a ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("%s: %s (spec %q)", p.what, fmt.Sprintf(format, a...), p.spec)
	}
}

// raw returns the value of key and whether it was given; missing required
// keys are reported here.
func (p *params) raw(key string, required bool) (string, bool) {
	p.seen = append(p.seen, key)
	v, ok := p.m[key]
	delete(p.m, key)
	if !ok && required {
		p.fail("missing %s=", key)
	}
	return v, ok
}

// float reads a finite number accepted by ok (described by want).
func (p *params) float(key string, def float64, required bool, ok func(float64) bool, want string) float64 {
	v, given := p.raw(key, required)
	if !given {
		return def
	}
	f, err := parseFloat(v)
	if err != nil || !ok(f) {
		p.fail("%s=%q is not %s", key, v, want)
		return def
	}
	return f
}

func (p *params) pos(key string, def float64, required bool) float64 {
	return p.float(key, def, required, func(f float64) bool { return f > 0 }, "a positive number")
}

// rate reads an arrival rate in ops/s: positive, and within [1e-6, 1e12]
// so that gaps stay inside time.Duration.
func (p *params) rate(key string, required bool) float64 {
	return p.float(key, 0, required, func(f float64) bool { return f >= 1e-6 && f <= 1e12 }, "a rate in ops/s in [1e-6, 1e12]")
}

// count reads a positive integer such as 1000, 1e6 or 1_000_000.
func (p *params) count(key string, def uint64, required bool) uint64 {
	v, given := p.raw(key, required)
	if !given {
		return def
	}
	n, err := parseCount(v)
	if err != nil || n == 0 {
		p.fail("%s=%q is not a positive integer (such as 1000, 1e6 or 1_000_000)", key, v)
		return def
	}
	return n
}

func (p *params) dur(key string, def time.Duration, required bool) time.Duration {
	v, given := p.raw(key, required)
	if !given {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		p.fail("%s=%q is not a positive duration such as 200ms", key, v)
		return def
	}
	return d
}

// list reads a |-separated list.
func (p *params) list(key string, required bool) []string {
	v, given := p.raw(key, required)
	if !given {
		return nil
	}
	return strings.Split(v, "|")
}

func (p *params) choice(key, def string, valid ...string) string {
	v, given := p.raw(key, false)
	if !given {
		return def
	}
	for _, c := range valid {
		if v == c {
			return v
		}
	}
	p.fail("%s=%q is not one of %s", key, v, strings.Join(valid, ", "))
	return def
}

// done reports the first error, or an argument nobody asked for.
func (p *params) done() error {
	if p.err != nil {
		return p.err
	}
	if len(p.m) > 0 {
		keys := make([]string, 0, len(p.m))
		for k := range p.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return fmt.Errorf("%s: unknown parameter %q (valid: %s) (spec %q)", p.what, keys[0], strings.Join(p.seen, ", "), p.spec)
	}
	return nil
}

// parseFloat accepts Go float syntax with _ separators; it rejects NaN and ±Inf.
func parseFloat(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not finite", s)
	}
	return f, nil
}

// parseCount accepts a non-negative integer written 1000, 1_000 or 1e3.
func parseCount(s string) (uint64, error) {
	t := strings.ReplaceAll(s, "_", "")
	if n, err := strconv.ParseUint(t, 10, 64); err == nil {
		return n, nil
	}
	f, err := parseFloat(s)
	if err != nil {
		return 0, err
	}
	if f < 0 || f != math.Trunc(f) || f >= 1<<63 {
		return 0, fmt.Errorf("%q is not a non-negative integer", s)
	}
	return uint64(f), nil
}

// fmtF prints a float so that parseFloat gives it back exactly.
func fmtF(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func fmtU(n uint64) string { return strconv.FormatUint(n, 10) }

// fmtD prints a duration in Go syntax (round-trips through time.ParseDuration).
func fmtD(d time.Duration) string { return d.String() }

func joinF(fs []float64) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = fmtF(f)
	}
	return strings.Join(s, "|")
}

// checkProbs verifies that ps are non-negative and sum to 1 within 1e-9.
func checkProbs(ps []float64) error {
	sum := 0.0
	for _, p := range ps {
		if p < 0 || p > 1 {
			return fmt.Errorf("probability %s is outside [0,1]", fmtF(p))
		}
		sum += p
	}
	if math.Abs(sum-1) > 1e-9 {
		return fmt.Errorf("probabilities sum to %s, not 1", fmtF(sum))
	}
	return nil
}
