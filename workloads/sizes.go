package workloads

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// DefaultValueSize is the value size when a spec gives none: 100 bytes, one
// YCSB field (YCSB's default record is 10 such fields, 1 KB).
const DefaultValueSize = 100

// SizeDistForms lists the value size (size=) and scan length (scan=) forms.
var SizeDistForms = []string{
	"const:n=100",
	"uniform:min=1,max=100",
	"zipf:theta=0.99,min=1,max=1000 (min most frequent)",
	"hist:100:0.5|1000:0.5 (SIZE:PROBABILITY pairs)",
}

var sizeDistNames = []string{"const", "uniform", "zipf", "hist"}

// sizeDef draws value sizes or scan lengths in [min, max].
type sizeDef struct {
	kind     string
	min, max uint64
	theta    float64
	vals     []uint64 // hist
	probs    []float64
	alias    *aliasTable
}

func parseSizeDef(what, spec string) (sizeDef, error) {
	name, rest, _ := strings.Cut(strings.TrimSpace(spec), ":")
	if name == "hist" {
		return parseHist(what, spec, rest)
	}
	p, name := newParams(what, spec)
	var d sizeDef
	d.kind = name
	u32 := func(key string, def uint64) uint64 {
		v := p.count(key, def, false)
		if v > math.MaxUint32 {
			p.fail("%s=%d exceeds 2^32−1", key, v)
		}
		return v
	}
	switch name {
	case "const":
		d.min = u32("n", DefaultValueSize)
		d.max = d.min
	case "uniform":
		d.min = u32("min", 1)
		d.max = u32("max", 100)
	case "zipf":
		d.theta = p.pos("theta", DefaultTheta, false)
		d.min = u32("min", 1)
		d.max = u32("max", 1000)
	default:
		return d, fmt.Errorf("unknown %s %q (valid: %s)", what, name, strings.Join(SizeDistForms, "; "))
	}
	if err := p.done(); err != nil {
		return d, err
	}
	if d.max < d.min {
		return d, fmt.Errorf("%s %s: max=%d is below min=%d", what, name, d.max, d.min)
	}
	return d, nil
}

func parseHist(what, spec, rest string) (sizeDef, error) {
	d := sizeDef{kind: "hist"}
	if rest == "" {
		return d, fmt.Errorf("%s hist: no SIZE:PROBABILITY pairs (form: %s)", what, SizeDistForms[3])
	}
	for _, pair := range strings.Split(rest, "|") {
		vs, ps, ok := strings.Cut(pair, ":")
		v, err1 := parseCount(vs)
		p, err2 := parseFloat(ps)
		if !ok || err1 != nil || err2 != nil || v > math.MaxUint32 {
			return d, fmt.Errorf("%s hist: %q is not SIZE:PROBABILITY (spec %q)", what, pair, spec)
		}
		d.vals = append(d.vals, v)
		d.probs = append(d.probs, p)
	}
	if err := checkProbs(d.probs); err != nil {
		return d, fmt.Errorf("%s hist: %v (spec %q)", what, err, spec)
	}
	d.alias = newAlias(d.probs)
	return d, nil
}

func (d sizeDef) String() string {
	switch d.kind {
	case "const":
		return "const:n=" + fmtU(d.min)
	case "uniform":
		return "uniform:min=" + fmtU(d.min) + ",max=" + fmtU(d.max)
	case "zipf":
		return "zipf:theta=" + fmtF(d.theta) + ",min=" + fmtU(d.min) + ",max=" + fmtU(d.max)
	}
	parts := make([]string, len(d.vals))
	for i, v := range d.vals {
		parts[i] = fmtU(v) + ":" + fmtF(d.probs[i])
	}
	return "hist:" + strings.Join(parts, "|")
}

// largest is the biggest size d can draw.
func (d sizeDef) largest() uint64 {
	if d.kind == "hist" {
		var m uint64
		for _, v := range d.vals {
			m = max(m, v)
		}
		return m
	}
	return d.max
}

func (d sizeDef) build() sizeSampler {
	s := sizeSampler{kind: d.kind, min: d.min, span: d.max - d.min + 1, vals: d.vals, alias: d.alias}
	if d.kind == "zipf" {
		s.z, _ = NewZipf(d.theta, s.span, false)
	}
	return s
}

type sizeSampler struct {
	kind  string
	min   uint64
	span  uint64
	z     *Zipf
	vals  []uint64
	alias *aliasTable
}

func (s *sizeSampler) next(r *rand.Rand) uint32 {
	switch {
	case s.span == 1 && s.alias == nil:
		return uint32(s.min)
	case s.z != nil:
		return uint32(s.min + s.z.Next(r))
	case s.alias != nil:
		return uint32(s.vals[s.alias.next(r)])
	}
	return uint32(s.min + r.Uint64N(s.span))
}
