package dynamo

import (
	"errors"
	"fmt"
	"time"

	"github.com/dsbench/dsbench/algorithms/hashing"
	"github.com/dsbench/dsbench/workloads"
)

// Config describes a simulated Dynamo cluster.
type Config struct {
	Nodes, VNodes int
	N, R, W       int
	// Sloppy enables the sloppy quorum and hinted handoff (§4.6); without
	// it, ops go to the healthy nodes among the first N of the preference
	// list only (strict quorum).
	Sloppy bool
	Hash   hashing.Hash
	// Per-link one-way delay: a draw from Delay plus one from Jitter (nil:
	// none); each message is lost with probability Loss (harness/simnet).
	Delay, Jitter workloads.DurationDist
	Loss          float64
	// Timeout bounds an op: a quorum not met by then fails.
	Timeout time.Duration
	// Down is a node that is unreachable from DownAt for DownFor (0 =
	// never comes back); -1 for none. It keeps its data (a transient
	// failure, §4.6), unless it never recovers.
	Down            int
	DownAt, DownFor time.Duration
	// AntiEntropy is the period of Merkle-tree anti-entropy (0 = off);
	// Handoff the period at which nodes try to hand hinted replicas back.
	AntiEntropy, Handoff time.Duration
	Leaves               int // Merkle leaves per key range (a power of two)
}

// check returns what is wrong with c, naming the bad value and the valid
// choices.
func (c Config) check() error {
	switch {
	case c.Nodes < 1 || c.Nodes > MaxNodes:
		return fmt.Errorf("dynamo: nodes=%d (valid: 1…%d)", c.Nodes, MaxNodes)
	case c.N < 1 || c.N > c.Nodes:
		return fmt.Errorf("dynamo: n=%d with nodes=%d (valid: 1 ≤ n ≤ nodes = %d)", c.N, c.Nodes, c.Nodes)
	case c.R < 1 || c.R > c.N:
		return fmt.Errorf("dynamo: r=%d with n=%d (valid: 1 ≤ r ≤ n = %d)", c.R, c.N, c.N)
	case c.W < 1 || c.W > c.N:
		return fmt.Errorf("dynamo: w=%d with n=%d (valid: 1 ≤ w ≤ n = %d)", c.W, c.N, c.N)
	case c.Down >= c.Nodes || c.Down < -1:
		return fmt.Errorf("dynamo: down=%d with nodes=%d (valid: -1 for none, 0…%d)", c.Down, c.Nodes, c.Nodes-1)
	case c.Delay == nil:
		return errors.New("dynamo: no delay distribution")
	case c.Loss < 0 || c.Loss >= 1:
		return fmt.Errorf("dynamo: loss=%v (valid: 0 ≤ loss < 1)", c.Loss)
	case c.Timeout <= 0:
		return fmt.Errorf("dynamo: timeout=%v (valid: > 0)", c.Timeout)
	case c.Handoff <= 0:
		return fmt.Errorf("dynamo: handoff=%v (valid: > 0)", c.Handoff)
	case c.AntiEntropy < 0:
		return fmt.Errorf("dynamo: antientropy=%v (valid: 0 = off, or a period)", c.AntiEntropy)
	case c.Leaves < 2 || c.Leaves&(c.Leaves-1) != 0:
		return fmt.Errorf("dynamo: merkle_leaves=%d (valid: a power of two ≥ 2)", c.Leaves)
	case c.VNodes < 1 || c.Nodes*c.VNodes > 1<<20:
		return fmt.Errorf("dynamo: vnodes=%d over %d nodes (valid: 1…%d)", c.VNodes, c.Nodes, (1<<20)/c.Nodes)
	}
	return nil
}
