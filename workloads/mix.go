package workloads

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// mixDef is an op mix such as read:0.95,update:0.05: each kind with its
// probability, in the order written.
type mixDef struct {
	kinds []Kind
	probs []float64
	cum   []float64 // running sums, for sampling
}

// MixForms describes the op mix grammar.
var MixForms = []string{
	"KIND:P,KIND:P,… with probabilities summing to 1, e.g. read:0.95,update:0.05",
	"kinds: " + strings.Join(kindNames[:], ", ") + " (read-modify-write = rmw)",
}

func parseMix(s string) (mixDef, error) {
	var m mixDef
	if strings.TrimSpace(s) == "" {
		return m, fmt.Errorf("op mix %q is empty (form: %s)", s, MixForms[0])
	}
	seen := map[Kind]bool{}
	for _, part := range strings.Split(s, ",") {
		name, ps, ok := strings.Cut(part, ":")
		if !ok {
			return m, fmt.Errorf("%q is not KIND:PROBABILITY (form: %s)", part, MixForms[0])
		}
		k, err := ParseKind(name)
		if err != nil {
			return m, err
		}
		if seen[k] {
			return m, fmt.Errorf("kind %q appears twice in %q", name, s)
		}
		seen[k] = true
		p, err := parseFloat(ps)
		if err != nil {
			return m, fmt.Errorf("%s: probability %q is not a number", name, ps)
		}
		m.kinds = append(m.kinds, k)
		m.probs = append(m.probs, p)
	}
	if err := checkProbs(m.probs); err != nil {
		return m, fmt.Errorf("op mix %q: %v", s, err)
	}
	sum := 0.0
	for _, p := range m.probs {
		sum += p
		m.cum = append(m.cum, sum)
	}
	return m, nil
}

func (m mixDef) String() string {
	parts := make([]string, len(m.kinds))
	for i, k := range m.kinds {
		parts[i] = k.String() + ":" + fmtF(m.probs[i])
	}
	return strings.Join(parts, ",")
}

// has reports whether kind k can occur.
func (m mixDef) has(k Kind) bool {
	for i, x := range m.kinds {
		if x == k && m.probs[i] > 0 {
			return true
		}
	}
	return false
}

// next draws a kind. A single-kind mix draws no random number.
func (m *mixDef) next(r *rand.Rand) Kind {
	if len(m.kinds) == 1 {
		return m.kinds[0]
	}
	u := r.Float64()
	for i, c := range m.cum {
		if u < c {
			return m.kinds[i]
		}
	}
	// u above a sum that rounded just below 1: the last kind with mass.
	for i := len(m.kinds) - 1; i > 0; i-- {
		if m.probs[i] > 0 {
			return m.kinds[i]
		}
	}
	return m.kinds[0]
}
