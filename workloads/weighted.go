package workloads

import "math/rand/v2"

// weightedKeys draws key i with probability p[i] from an explicit table, in
// O(1) by the alias method (alias.go).
type weightedKeys struct {
	p     []float64
	alias *aliasTable
}

func parseWeighted(p *params) keyDef {
	w := weightedKeys{}
	for _, s := range p.list("p", true) {
		f, err := parseFloat(s)
		if err != nil {
			p.fail("p: %q is not a number", s)
			return w
		}
		w.p = append(w.p, f)
	}
	if p.err != nil {
		return w
	}
	if err := checkProbs(w.p); err != nil {
		p.fail("p: %v", err)
		return w
	}
	w.alias = newAlias(w.p)
	return w
}

func (w weightedKeys) String() string { return "weighted:p=" + joinF(w.p) }
func (w weightedKeys) size() uint64   { return uint64(len(w.p)) }
func (w weightedKeys) build(Part) keySampler {
	return weightedSampler{w.alias}
}

type weightedSampler struct{ a *aliasTable }

func (w weightedSampler) Next(r *rand.Rand) uint64 { return uint64(w.a.next(r)) }
func (w weightedSampler) grow(uint64)              {} // the table is the keyspace
