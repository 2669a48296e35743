package workloads

import "testing"

// Value sizes, scan lengths, clients and the op mix against their analytic
// pmfs (the key distributions are in keydist_test.go and zipf_test.go).
func TestSizeClientMixPMF(t *testing.T) {
	const total = 100_000
	zs, _ := NewZipf(0.5, 16, false) // size=zipf:theta=0.5,min=5,max=20
	zc, _ := NewZipf(1.5, 20, false) // clients=zipf:theta=1.5,n=20
	uni := func(n int) []float64 {
		p := make([]float64, n)
		for i := range p {
			p[i] = 1 / float64(n)
		}
		return p
	}
	pmf := func(z *Zipf) []float64 {
		p := make([]float64, z.N())
		for i := range p {
			p[i] = z.Prob(uint64(i))
		}
		return p
	}
	for _, c := range []struct {
		spec  string
		field func(*Op) uint64 // the cell an op falls in
		probs []float64
	}{
		{"size=uniform:min=3,max=12", func(o *Op) uint64 { return uint64(o.Size) - 3 }, uni(10)},
		{"size=zipf:theta=0.5,min=5,max=20", func(o *Op) uint64 { return uint64(o.Size) - 5 }, pmf(zs)},
		{"size=hist:7:0.2|70:0.5|700:0.3", func(o *Op) uint64 { return cellOf(map[uint32]uint64{7: 0, 70: 1, 700: 2}, o.Size) }, []float64{0.2, 0.5, 0.3}},
		{"ycsb-e mix=scan:1", func(o *Op) uint64 { return uint64(o.Size) - 1 }, uni(100)},
		{"clients=uniform:n=7", func(o *Op) uint64 { return uint64(o.Client) }, uni(7)},
		{"clients=zipf:theta=1.5,n=20", func(o *Op) uint64 { return uint64(o.Client) }, pmf(zc)},
		{"mix=read:0.5,update:0.3,delete:0.2", func(o *Op) uint64 { return cellOf(map[Kind]uint64{Read: 0, Update: 1, Delete: 2}, o.Kind) }, []float64{0.5, 0.3, 0.2}},
	} {
		var cells []float64
		for _, p := range c.probs {
			if p*total < 5 {
				break
			}
			cells = append(cells, p)
		}
		counts := make([]uint64, len(c.probs))
		for _, op := range stream(t, c.spec, 3, Whole, total) {
			k := c.field(&op)
			if k >= uint64(len(c.probs)) {
				t.Fatalf("%s: op %+v outside the distribution's support", c.spec, op)
			}
			counts[k]++
		}
		chiSquare(t, c.spec, counts[:len(cells)], cells, total)
	}
}

// cellOf is v's cell, or one past every cell when v has none.
func cellOf[K comparable](cells map[K]uint64, v K) uint64 {
	if c, ok := cells[v]; ok {
		return c
	}
	return uint64(len(cells))
}
