package workloads

import (
	"math/rand/v2"
	"strings"
)

// zipfKeys is the spec of the three Zipf-based distributions: zipf (key =
// rank), scrambled-zipf (key = a keyed permutation of the rank) and latest
// (key = newest − rank, YCSB D).
type zipfKeys struct {
	kind  string // "zipf", "scrambled-zipf" or "latest"
	theta float64
	n     uint64
	gray  bool
	key   uint64 // scrambled-zipf: the permutation's key
}

func (z zipfKeys) String() string {
	var b strings.Builder
	b.WriteString(z.kind + ":theta=" + fmtF(z.theta) + ",n=" + fmtU(z.n))
	switch z.kind {
	case "zipf":
		if z.gray {
			b.WriteString(",method=gray")
		} else {
			b.WriteString(",method=exact")
		}
	case "scrambled-zipf":
		b.WriteString(",key=" + fmtU(z.key))
	}
	return b.String()
}

func (z zipfKeys) size() uint64 { return z.n }

func (z zipfKeys) build(Part) keySampler {
	zz, err := NewZipf(z.theta, z.n, z.gray)
	if err != nil {
		panic(err) // unreachable: the parser checked theta and n
	}
	switch z.kind {
	case "scrambled-zipf":
		return newScrambled(zz, newFeistel(z.n, z.key))
	case "latest":
		return &latestSampler{z: zz}
	}
	return &zipfSampler{z: zz}
}

type zipfSampler struct{ z *Zipf }

func (s *zipfSampler) Next(r *rand.Rand) uint64 { return s.z.Next(r) }
func (s *zipfSampler) grow(n uint64)            { s.z.Grow(n) }
