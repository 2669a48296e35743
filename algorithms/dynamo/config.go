package dynamo

import (
	"errors"
	"fmt"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/hashing"
	"github.com/dsbench/dsbench/harness/simnet"
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
	// Cluster is the simulated cluster (harness/simnet) and its scheduled
	// faults: network, CPU costs, crash/restart, partitions, a random
	// fault plan, slow nodes. Cluster.Net.Nodes must equal Nodes. A
	// crashed node keeps its data (a transient failure, §4.6).
	Cluster algorithms.Cluster
	// BlockingRepair makes a get write back what it returns to W
	// replicas before it returns (read_repair=blocking); otherwise read
	// repair runs after the get returned (Dynamo's, §5).
	BlockingRepair bool
	// Timeout bounds an op: a quorum not met by then fails.
	Timeout time.Duration
	// AntiEntropy is the period of Merkle-tree anti-entropy (0 = off);
	// Handoff the period at which nodes try to hand hinted replicas back.
	AntiEntropy, Handoff time.Duration
	Leaves               int // Merkle leaves per key range (a power of two)
}

// leaderAimed reports whether a scheduled fault picks the leader.
func leaderAimed(f simnet.Faults) bool {
	leader := func(s simnet.Selector) bool { return s.Kind == simnet.SelectLeader }
	return leader(f.Crash) || leader(f.Partition.A) || leader(f.Partition.B)
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
	case c.Cluster.Net.Nodes != c.Nodes:
		return fmt.Errorf("dynamo: a cluster of %d nodes for nodes=%d", c.Cluster.Net.Nodes, c.Nodes)
	case leaderAimed(c.Cluster.Faults):
		return errors.New("dynamo: crash=leader or a partition aimed at the leader: Dynamo has no leader (valid: none, random, or a node 0 … nodes−1)")
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
