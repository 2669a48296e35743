package loadbalance

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// ErrNoBackend is returned (wrapped) when no backend is healthy with a
// positive weight.
var ErrNoBackend = errors.New("loadbalance: no healthy backend")

// Pool is what a balancer knows of its backends: weight, health and the
// number of requests in flight on each. Only backends that are healthy and
// have a positive weight are eligible; a weight of 0 drains a backend.
type Pool struct {
	weights  []int
	healthy  []bool
	inflight []int
	eligible []int // indices of eligible backends, ascending
}

// NewPool returns a pool of len(weights) healthy backends.
func NewPool(weights []int) (*Pool, error) {
	if err := checkWeights(weights); err != nil {
		return nil, err
	}
	p := &Pool{weights: weights, healthy: make([]bool, len(weights)), inflight: make([]int, len(weights))}
	for i := range weights {
		p.healthy[i] = true
	}
	p.rebuild()
	return p, nil
}

// checkWeights returns the error NewPool would return for weights.
func checkWeights(weights []int) error {
	if len(weights) == 0 {
		return errors.New("loadbalance: need at least 1 backend")
	}
	live := 0
	for i, w := range weights {
		if w < 0 {
			return fmt.Errorf("loadbalance: weights: backend %d has weight %d (valid: integers >= 0)", i, w)
		}
		if w > 0 {
			live++
		}
	}
	if live == 0 {
		return errors.New("loadbalance: weights: every backend has weight 0, so none can take a request (valid: at least one weight > 0)")
	}
	return nil
}

func (p *Pool) rebuild() {
	p.eligible = p.eligible[:0]
	for i := range p.weights {
		if p.healthy[i] && p.weights[i] > 0 {
			p.eligible = append(p.eligible, i)
		}
	}
}

// Len is the number of backends.
func (p *Pool) Len() int { return len(p.weights) }

// Eligible is the number of backends that may take a request.
func (p *Pool) Eligible() int { return len(p.eligible) }

// InFlight returns backend b's requests in flight.
func (p *Pool) InFlight(b int) int { return p.inflight[b] }

func (p *Pool) noBackend() error {
	return fmt.Errorf("%w (0 of %d backends healthy with weight > 0)", ErrNoBackend, len(p.weights))
}

// EqualWeights returns n weights of 1.
func EqualWeights(n int) []int {
	w := make([]int, n)
	for i := range w {
		w[i] = 1
	}
	return w
}

// ParseWeights parses "5:1:1" (or "5,1,1") for n backends; "" and "equal"
// mean all 1.
// The separator is not "|" because the CLI sweeps a parameter over "a|b|c".
func ParseWeights(s string, n int) ([]int, error) {
	if s == "" || s == "equal" {
		return EqualWeights(n), nil
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == ',' })
	if len(fields) != n {
		return nil, fmt.Errorf("weights=%q: %d weights for %d backends (give one per backend, ':'-separated, e.g. 5:1:1)", s, len(fields), n)
	}
	out := make([]int, n)
	for i, f := range fields {
		w, err := strconv.Atoi(f)
		if err != nil || w < 0 {
			return nil, fmt.Errorf("weights=%q: %q is not a weight (valid: integers >= 0)", s, f)
		}
		out[i] = w
	}
	return out, nil
}

// algorithm is one balancing policy. pick returns an eligible backend (the
// pool has at least one). done and health let a policy keep its own state.
type algorithm interface {
	pick(p *Pool, now time.Duration, r *rand.Rand, op *workloads.Op) int
	done(p *Pool, b int, now, rtt time.Duration)
	health(p *Pool, b int, ok bool)
}

// LB is a balancer: a policy over a pool, with the pool's in-flight
// accounting. It is not safe for concurrent use.
type LB struct {
	Pool
	alg  algorithm
	Name string
}

// Pick chooses a backend for op and counts it in flight. It returns an
// error wrapping ErrNoBackend when none is eligible.
func (lb *LB) Pick(now time.Duration, r *rand.Rand, op *workloads.Op) (int, error) {
	if len(lb.eligible) == 0 {
		return -1, lb.noBackend()
	}
	b := lb.alg.pick(&lb.Pool, now, r, op)
	lb.inflight[b]++
	return b, nil
}

// Done reports that a request on b finished at now after rtt (the time from
// dispatch to response; negative when there is no sample, e.g. a request
// dropped by a dying backend).
func (lb *LB) Done(b int, now, rtt time.Duration) {
	lb.inflight[b]--
	lb.alg.done(&lb.Pool, b, now, rtt)
}

// SetHealthy marks backend b up or down, as a health check would.
func (lb *LB) SetHealthy(b int, ok bool) {
	if lb.healthy[b] == ok {
		return
	}
	lb.healthy[b] = ok
	lb.rebuild()
	lb.alg.health(&lb.Pool, b, ok)
}

// noState is embedded by policies that need no feedback.
type noState struct{}

func (noState) done(*Pool, int, time.Duration, time.Duration) {}
func (noState) health(*Pool, int, bool)                       {}
