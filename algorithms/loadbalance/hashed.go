package loadbalance

import (
	"math/rand/v2"
	"time"

	"github.com/dsbench/dsbench/algorithms/hashing"
	"github.com/dsbench/dsbench/workloads"
)

// ipHash is nginx's ip_hash on the op's client id (nginx hashes the first
// three IPv4 octets; a client id is the whole address here): hash mod n, and
// when that backend is down, rehash up to 20 times, then fall back to a
// hash-chosen eligible backend. It is sticky and ignores load, and, being
// mod n, it reshuffles most clients when n changes.
type ipHash struct{ noState }

const ipHashTries = 20

func (ipHash) pick(p *Pool, _ time.Duration, _ *rand.Rand, op *workloads.Op) int {
	n := uint64(len(p.weights))
	c := uint64(op.Client)
	h := hashing.XXHash.Sum64(c)
	for try := uint64(1); try <= ipHashTries; try++ {
		if b := int(h % n); p.healthy[b] && p.weights[b] > 0 {
			return b
		}
		h = hashing.XXHash.Sum128(c, try)
	}
	return p.eligible[h%uint64(len(p.eligible))]
}

// boundedHash is consistent hashing with bounded loads as a balancer (as
// Vimeo put it in HAProxy): op.Key's ring owner takes the request unless it
// already has ⌈c·(m+1)/n⌉ of the m requests in flight, in which case the
// request walks clockwise. Load is requests in flight, released on
// completion.
type boundedHash struct{ b *hashing.Bounded }

func newBoundedHash(p *Pool, vnodes int, c float64) (*boundedHash, error) {
	nodes, err := hashing.Nodes(p.Len(), nil)
	if err != nil {
		return nil, err
	}
	b, err := hashing.NewBounded(nodes, vnodes, c, hashing.XXHash)
	if err != nil {
		return nil, err
	}
	for i, w := range p.weights {
		if w == 0 {
			b.SetAvailable(i, false)
		}
	}
	return &boundedHash{b: b}, nil
}

func (bh *boundedHash) pick(_ *Pool, _ time.Duration, _ *rand.Rand, op *workloads.Op) int {
	return bh.b.Acquire(op.Key)
}

func (bh *boundedHash) done(_ *Pool, b int, _, _ time.Duration) { bh.b.Release(b) }

func (bh *boundedHash) health(p *Pool, b int, ok bool) {
	bh.b.SetAvailable(b, ok && p.weights[b] > 0)
}
