package workloads

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// ClientForms lists the clients= forms: how ops spread over client ids
// (tenants, sources, flows), the unit of per-client fairness.
var ClientForms = []string{
	"uniform:n=1 (or a bare count: clients=1000)",
	"zipf:theta=0.99,n=1000 (client 0 the busiest)",
}

type clientDef struct {
	zipf  bool
	theta float64
	n     uint64
}

func parseClients(spec string) (clientDef, error) {
	if n, err := parseCount(spec); err == nil {
		if n == 0 || n > math.MaxUint32 {
			return clientDef{}, fmt.Errorf("clients=%s: want 1 to 2^32−1 clients", spec)
		}
		return clientDef{n: n}, nil
	}
	p, name := newParams("clients", spec)
	var c clientDef
	switch name {
	case "uniform":
	case "zipf":
		c.zipf = true
		c.theta = p.pos("theta", DefaultTheta, false)
	default:
		return c, fmt.Errorf("unknown client distribution %q (valid: %s)", name, strings.Join(ClientForms, "; "))
	}
	c.n = p.count("n", 1, c.zipf)
	if err := p.done(); err != nil {
		return c, err
	}
	if c.n > math.MaxUint32 {
		return c, fmt.Errorf("clients %s: n=%d exceeds 2^32−1", name, c.n)
	}
	return c, nil
}

func (c clientDef) String() string {
	if c.zipf {
		return "zipf:theta=" + fmtF(c.theta) + ",n=" + fmtU(c.n)
	}
	return "uniform:n=" + fmtU(c.n)
}

func (c clientDef) build() clientSampler {
	s := clientSampler{n: c.n}
	if c.zipf {
		s.z, _ = NewZipf(c.theta, c.n, false)
	}
	return s
}

type clientSampler struct {
	n uint64
	z *Zipf
}

func (c *clientSampler) next(r *rand.Rand) uint32 {
	switch {
	case c.z != nil:
		return uint32(c.z.Next(r))
	case c.n > 1:
		return uint32(r.Uint64N(c.n))
	}
	return 0
}
