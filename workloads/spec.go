package workloads

import (
	"fmt"
	"strings"
)

// Spec is a fully resolved workload: key distribution, op mix, value sizes,
// scan lengths, clients and arrival process. The zero Spec is the default
// workload (ycsb-a, closed loop).
type Spec struct {
	text string
	d    *specDefs // immutable once parsed; shared by copies
}

type specDefs struct {
	keys    keyDef
	mix     mixDef
	size    sizeDef
	scan    sizeDef
	clients clientDef
	arrival arrivalDef
}

// SpecTokens are the keys a spec token may set, in canonical order.
var SpecTokens = []string{"keys", "mix", "size", "scan", "clients", "arrival"}

// Part selects one independent sub-stream of a workload: part Index of Of.
// The Of parts together have the statistics of the whole stream (each runs
// at 1/Of of the rate, with its own derived seed).
type Part struct{ Index, Of int }

// Whole is the single-part stream.
var Whole = Part{0, 1}

// String is "k/n".
func (p Part) String() string { return fmt.Sprintf("%d/%d", p.Index, p.Of) }

// ParseSpec parses a preset name ("ycsb-a") and/or space-separated
// key=value tokens; later tokens override earlier ones, so
// "ycsb-a arrival=poisson:rate=1000" is ycsb-a in an open loop. Absent
// tokens take the ycsb-a defaults. See the package documentation.
func ParseSpec(s string) (Spec, error) {
	d := defaultDefs()
	if err := applyTokens(&d, s); err != nil {
		return Spec{}, err
	}
	return Spec{text: d.String(), d: &d}, nil
}

func applyTokens(d *specDefs, s string) error {
	for _, tok := range strings.Fields(s) {
		key, val, ok := strings.Cut(tok, "=")
		if !ok {
			p, known := presets[tok]
			if !known {
				return fmt.Errorf("unknown preset or token %q (presets: %s; tokens: %s=…)", tok, strings.Join(Presets(), ", "), strings.Join(SpecTokens, "=…, "))
			}
			*d = defaultDefs()
			if err := applyTokens(d, p); err != nil {
				panic("workloads: bad preset " + tok + ": " + err.Error())
			}
			continue
		}
		var err error
		switch key {
		case "keys":
			d.keys, err = parseKeyDef(val)
		case "mix":
			d.mix, err = parseMix(val)
		case "size":
			d.size, err = parseSizeDef("value size", val)
		case "scan":
			d.scan, err = parseSizeDef("scan length", val)
		case "clients":
			d.clients, err = parseClients(val)
		case "arrival":
			d.arrival, err = parseArrivalDef(val)
		default:
			return fmt.Errorf("unknown token %q in %q (valid: %s=…, or a preset: %s)", key, tok, strings.Join(SpecTokens, "=…, "), strings.Join(Presets(), ", "))
		}
		if err != nil {
			if key == "mix" {
				return fmt.Errorf("mix: %w", err)
			}
			return err // it names the token already
		}
	}
	return nil
}

func (d *specDefs) String() string {
	return "keys=" + d.keys.String() + " mix=" + d.mix.String() + " size=" + d.size.String() +
		" scan=" + d.scan.String() + " clients=" + d.clients.String() + " arrival=" + d.arrival.String()
}

var defaultSpec = func() *specDefs {
	d := specDefs{
		keys:    zipfKeys{kind: "scrambled-zipf", theta: DefaultTheta, n: DefaultKeys},
		size:    sizeDef{kind: "const", min: DefaultValueSize, max: DefaultValueSize},
		scan:    sizeDef{kind: "uniform", min: 1, max: 100},
		clients: clientDef{n: 1},
		arrival: closedArrival{},
	}
	var err error
	if d.mix, err = parseMix("read:0.5,update:0.5"); err != nil {
		panic(err)
	}
	return &d
}()

func defaultDefs() specDefs { return *defaultSpec }

func (s Spec) defs() *specDefs {
	if s.d == nil {
		return defaultSpec
	}
	return s.d
}

// String is the canonical, fully resolved form; ParseSpec(s.String()) == s.
func (s Spec) String() string {
	if s.d == nil {
		return defaultSpec.String()
	}
	return s.text
}

// Equal reports whether two specs describe the same workload.
func (s Spec) Equal(o Spec) bool { return s.String() == o.String() }

// MaxValueSize is the largest value size (bytes) the workload's size=
// distribution draws.
func (s Spec) MaxValueSize() uint64 { return s.defs().size.largest() }

// SizeDist is the workload's size= distribution, as a spec.
func (s Spec) SizeDist() string { return s.defs().size.String() }

// KeySpace is the initial number of keys (the n of the key distribution).
func (s Spec) KeySpace() uint64 { return s.defs().keys.size() }

// Clients is the number of distinct client ids ops are spread over (>= 1).
func (s Spec) Clients() int { return int(s.defs().clients.n) }

// Closed reports whether the arrival process is closed (no intended times).
func (s Spec) Closed() bool {
	_, ok := s.defs().arrival.(closedArrival)
	return ok
}

// Rate is the mean arrival rate in ops/s; 0 for a closed loop.
func (s Spec) Rate() float64 { return s.defs().arrival.rate() }

// Has reports whether the mix can produce ops of kind k.
func (s Spec) Has(k Kind) bool { return s.defs().mix.has(k) }

// Kinds lists the kinds of the mix with their probabilities, as written.
func (s Spec) Kinds() ([]Kind, []float64) {
	m := s.defs().mix
	return append([]Kind(nil), m.kinds...), append([]float64(nil), m.probs...)
}

// KeyDist returns the canonical key distribution spec (for ParseKeyDist).
func (s Spec) KeyDist() string { return s.defs().keys.String() }

// Arrival returns the canonical arrival process spec (for ParseArrival).
func (s Spec) Arrival() string { return s.defs().arrival.String() }

// WithRate returns the spec with its arrival rate scaled to r ops/s (a closed
// arrival becomes constant:rate=r). Every rate of a modulated process scales
// by the same factor, so its shape is kept.
func (s Spec) WithRate(r float64) (Spec, error) {
	if !(r >= 1e-6 && r <= 1e12) {
		return s, fmt.Errorf("rate %v: want ops/s in [1e-6, 1e12]", r)
	}
	d := *s.defs()
	if s.Closed() {
		d.arrival = constantArrival{r}
	} else {
		d.arrival = d.arrival.scaled(r / d.arrival.rate())
	}
	return Spec{text: d.String(), d: &d}, nil
}

// Generator returns the deterministic op stream of one part of the workload.
func (s Spec) Generator(seed uint64, part Part) (*Generator, error) {
	if part.Of < 1 || part.Index < 0 || part.Index >= part.Of {
		return nil, fmt.Errorf("part %d/%d: want 0 <= index < of", part.Index, part.Of)
	}
	return newGenerator(s.defs(), seed, part), nil
}

// WithKeySpace returns the spec with its key distribution over n keys,
// keeping the distribution and its other parameters. YCSB's recordcount sets
// both the load phase and the keyspace, so `dsbench run --load N` uses it to
// make reads hit the N loaded records. Distributions with no size of their
// own (weighted, trace) are an error.
func (s Spec) WithKeySpace(n uint64) (Spec, error) {
	d := *s.defs()
	old := d.keys.String()
	name, _, _ := strings.Cut(old, ":")
	if name == "weighted" || name == "trace" {
		return s, fmt.Errorf("keys=%s has no keyspace size to set", old)
	}
	var parts []string
	found := false
	for _, kv := range strings.Split(strings.TrimPrefix(old, name+":"), ",") {
		if strings.HasPrefix(kv, "n=") {
			kv, found = fmt.Sprintf("n=%d", n), true
		}
		parts = append(parts, kv)
	}
	if !found {
		return s, fmt.Errorf("keys=%s has no n= to set", old)
	}
	keys, err := parseKeyDef(name + ":" + strings.Join(parts, ","))
	if err != nil {
		return s, err
	}
	d.keys = keys
	return Spec{text: d.String(), d: &d}, nil
}
