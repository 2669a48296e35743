package consensus

import "fmt"

// checkQuorums checks Flexible Paxos's condition: phase-1 and phase-2
// quorums must intersect, q1 + q2 > n.
func checkQuorums(n, q1, q2 int) error {
	switch {
	case q1 < 1 || q1 > n:
		return fmt.Errorf("q1=%d out of range (valid: 1 … nodes=%d)", q1, n)
	case q2 < 1 || q2 > n:
		return fmt.Errorf("q2=%d out of range (valid: 1 … nodes=%d)", q2, n)
	case q1+q2 <= n:
		return fmt.Errorf("q1=%d + q2=%d must exceed nodes=%d so every phase-1 quorum meets every phase-2 quorum (e.g. q1=%d with q2=%d)", q1, q2, n, n-q2+1, q2)
	}
	return nil
}

// majority is ⌊n/2⌋+1.
func majority(n int) int { return n/2 + 1 }
