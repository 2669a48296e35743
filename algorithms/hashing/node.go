package hashing

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Node is a member of the cluster. ID names it across membership changes
// (its ring points, its Maglev permutation and its rendezvous scores derive
// from the ID, never from its position in the list), so removing one node
// leaves the others' placement untouched.
type Node struct {
	ID     uint64
	Weight float64 // relative capacity; 0 takes no keys. Used by ring and rendezvous.
}

// Nodes returns n nodes with IDs 0…n−1, weighted by weights (nil = all 1).
func Nodes(n int, weights []float64) ([]Node, error) {
	if n < 1 {
		return nil, fmt.Errorf("hashing: nodes=%d: need at least 1 node", n)
	}
	if weights != nil && len(weights) != n {
		return nil, fmt.Errorf("hashing: weights gives %d weights for %d nodes (valid: one weight per node, ':'-separated, e.g. 1:1:2, or equal)", len(weights), n)
	}
	out := make([]Node, n)
	for i := range out {
		out[i] = Node{ID: uint64(i), Weight: 1}
		if weights != nil {
			out[i].Weight = weights[i]
		}
	}
	return out, checkWeights(out)
}

func checkWeights(nodes []Node) error {
	if len(nodes) == 0 {
		return errors.New("hashing: no nodes")
	}
	live := 0
	for _, n := range nodes {
		if n.Weight < 0 || math.IsNaN(n.Weight) || math.IsInf(n.Weight, 0) {
			return fmt.Errorf("hashing: weights: node %d has weight %v (valid: a finite number >= 0)", n.ID, n.Weight)
		}
		if n.Weight > 0 {
			live++
		}
	}
	if live == 0 {
		return errors.New("hashing: weights: every node has weight 0, so no node can own a key (valid: at least one weight > 0)")
	}
	return nil
}

// ParseWeights parses "1:1:2" (or "1,1,2") into weights; "" and "equal"
// mean none (every node weight 1).
// The separator is not "|" because the CLI sweeps a parameter over
// "a|b|c".
func ParseWeights(s string) ([]float64, error) {
	if s == "" || s == "equal" {
		return nil, nil
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == ',' })
	out := make([]float64, len(fields))
	for i, f := range fields {
		w, err := strconv.ParseFloat(f, 64)
		if err != nil || w < 0 || math.IsInf(w, 0) || math.IsNaN(w) {
			return nil, fmt.Errorf("weights=%q: %q is not a weight (valid: numbers >= 0 separated by ':', e.g. 1:1:2)", s, f)
		}
		out[i] = w
	}
	return out, nil
}

// meanWeight is the mean weight over all nodes.
func meanWeight(nodes []Node) float64 {
	s := 0.0
	for _, n := range nodes {
		s += n.Weight
	}
	return s / float64(len(nodes))
}
