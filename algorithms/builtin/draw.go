package builtin

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// drawer draws service times. The harness forks one per worker (Fork), so
// the per-op path takes no lock; the unforked one locks its source.
type drawer struct {
	dist   workloads.DurationDist
	rng    *rand.Rand
	mu     *sync.Mutex // nil in a fork, which one goroutine owns
	forked bool
}

func newDrawer(dist workloads.DurationDist, seed uint64) drawer {
	return drawer{dist: dist, rng: rand.New(rand.NewPCG(seed, seed^0x5851F42D4C957F2D)), mu: new(sync.Mutex)}
}

func (d *drawer) fork(r *rand.Rand) drawer { return drawer{dist: d.dist, rng: r, forked: true} }

func (d *drawer) next() time.Duration {
	if d.forked {
		return d.dist.Next(d.rng)
	}
	d.mu.Lock()
	v := d.dist.Next(d.rng)
	d.mu.Unlock()
	return v
}
