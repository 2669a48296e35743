package workloads

import (
	"fmt"
	"strings"
)

// DefaultKeys is the keyspace size when a spec gives none: large enough
// that a cache or an LSM memtable does not hold it all, small enough to load
// in seconds.
const DefaultKeys = 1_000_000

// DefaultTheta is YCSB's Zipfian constant.
const DefaultTheta = 0.99

// KeyDistForms lists the accepted key distribution specs with their defaults.
var KeyDistForms = []string{
	"uniform:n=1000000",
	"sequential:n=1000000 (0, 1, 2, … wrapping at n)",
	"zipf:theta=0.99,n=1000000,method=exact|gray (any theta > 0)",
	"scrambled-zipf:theta=0.99,n=1000000,key=0 (zipf ranks through a keyed bijection on [0,n))",
	"latest:theta=0.99,n=1000000 (YCSB D: the newest keys hottest)",
	"hotspot:hot=0.2,ops=0.8,n=1000000 (a fraction ops of requests on the first hot·n keys)",
	"exponential:pct=95,frac=0.8571428571,n=1000000 (YCSB: pct% of requests on the newest frac·n keys)",
	"weighted:p=0.5|0.3|0.2 (key i with probability p[i])",
	"trace:file=PATH (keys in order from a file: one per line, or a trace's key column)",
}

var keyDistNames = []string{"uniform", "sequential", "zipf", "scrambled-zipf", "latest", "hotspot", "exponential", "weighted", "trace"}

// keyDef is a parsed key distribution: immutable, shared by every generator
// of a spec.
type keyDef interface {
	String() string // canonical spec
	size() uint64   // initial keyspace
	// build returns a fresh sampler for one part of a stream.
	build(p Part) keySampler
}

// keySampler is a KeyDist whose keyspace grows with inserts.
type keySampler interface {
	KeyDist
	grow(n uint64) // the keyspace now holds n keys
}

// ParseKeyDist parses a key distribution spec (see KeyDistForms) and returns
// a fresh sampler over the whole keyspace.
func ParseKeyDist(spec string) (KeyDist, error) {
	d, err := parseKeyDef(spec)
	if err != nil {
		return nil, err
	}
	return d.build(Whole), nil
}

func parseKeyDef(spec string) (keyDef, error) {
	p, name := newParams("key distribution", spec)
	var d keyDef
	switch name {
	case "uniform":
		d = uniformKeys{n: p.count("n", DefaultKeys, false)}
	case "sequential":
		d = sequentialKeys{n: p.count("n", DefaultKeys, false)}
	case "zipf", "scrambled-zipf", "latest":
		z := zipfKeys{kind: name}
		z.theta = p.pos("theta", DefaultTheta, false)
		z.n = p.count("n", DefaultKeys, false)
		switch name {
		case "zipf":
			z.gray = p.choice("method", "exact", "exact", "gray") == "gray"
		case "scrambled-zipf":
			key, given := p.raw("key", false)
			if given {
				k, err := parseCount(key)
				if err != nil {
					p.fail("key=%q is not a non-negative integer", key)
				}
				z.key = k
			}
		}
		d = z
	case "hotspot":
		h := hotspotKeys{}
		h.hot = p.float("hot", 0.2, false, isOpenProb, "a fraction in (0,1)")
		h.ops = p.float("ops", 0.8, false, isClosedProb, "a fraction in [0,1]")
		h.n = p.count("n", DefaultKeys, false)
		d = h
	case "exponential":
		e := expKeys{}
		e.pct = p.float("pct", 95, false, func(f float64) bool { return f > 0 && f < 100 }, "a percentage in (0,100)")
		e.frac = p.float("frac", 0.8571428571, false, func(f float64) bool { return f > 0 && f <= 1 }, "a fraction in (0,1]")
		e.n = p.count("n", DefaultKeys, false)
		d = e
	case "weighted":
		d = parseWeighted(p)
	case "trace":
		d = parseTraceKeys(p)
	default:
		return nil, fmt.Errorf("unknown key distribution %q (valid: %s)", name, strings.Join(keyDistNames, ", "))
	}
	if err := p.done(); err != nil {
		return nil, err
	}
	return d, nil
}

func isOpenProb(f float64) bool   { return f > 0 && f < 1 }
func isClosedProb(f float64) bool { return f >= 0 && f <= 1 }
