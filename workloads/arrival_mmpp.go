package workloads

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// mmppArrival is a Markov-modulated Poisson process: in state i ops arrive
// at rates[i] for an exponential sojourn of mean stay[i]; then the chain
// jumps to one of the other states uniformly. The jump chain is then doubly
// stochastic, so the time-stationary share of state i is ∝ stay[i] and the
// mean rate is Σ rates[i]·stay[i] / Σ stay[i]. The first state is drawn
// from that stationary law, so the process is stationary from time 0.
type mmppArrival struct {
	rates []float64
	stay  []time.Duration
}

func parseMMPP(p *params) arrivalDef {
	a := mmppArrival{}
	for _, s := range p.list("rates", true) {
		f, err := parseFloat(s)
		if err != nil || f < 0 || f > 1e12 {
			p.fail("rates: %q is not a rate in [0, 1e12]", s)
		}
		a.rates = append(a.rates, f)
	}
	for _, s := range p.list("stay", true) {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			p.fail("stay: %q is not a positive duration such as 200ms", s)
		}
		a.stay = append(a.stay, d)
	}
	if p.err != nil {
		return a
	}
	if len(a.rates) != len(a.stay) || len(a.rates) < 2 {
		p.fail("want as many stay= as rates=, at least 2 states (got %d and %d)", len(a.rates), len(a.stay))
	} else if a.rate() <= 0 {
		p.fail("every rate is 0")
	}
	return a
}

func (a mmppArrival) String() string {
	st := make([]string, len(a.stay))
	for i, d := range a.stay {
		st[i] = fmtD(d)
	}
	return fmt.Sprintf("mmpp:rates=%s,stay=%s", joinF(a.rates), strings.Join(st, "|"))
}

func (a mmppArrival) rate() float64 {
	num, den := 0.0, 0.0
	for i, r := range a.rates {
		num += r * float64(a.stay[i])
		den += float64(a.stay[i])
	}
	return num / den
}

func (a mmppArrival) scaled(f float64) arrivalDef {
	b := mmppArrival{rates: make([]float64, len(a.rates)), stay: a.stay}
	for i, r := range a.rates {
		b.rates[i] = r * f
	}
	return b
}

func (a mmppArrival) build(seed uint64, p Part) schedule {
	return newModulated(&mmppMod{a: a, state: -1}, seed, p)
}

type mmppMod struct {
	a     mmppArrival
	state int
}

func (m *mmppMod) segment(mr *rand.Rand) (float64, float64) {
	n := len(m.a.rates)
	if m.state < 0 {
		total := 0.0
		for _, s := range m.a.stay {
			total += float64(s)
		}
		u := mr.Float64() * total
		m.state = n - 1
		for i, s := range m.a.stay {
			if u < float64(s) {
				m.state = i
				break
			}
			u -= float64(s)
		}
	} else {
		j := mr.IntN(n - 1) // one of the other states
		if j >= m.state {
			j++
		}
		m.state = j
	}
	return m.a.rates[m.state], mr.ExpFloat64() * float64(m.a.stay[m.state])
}
