package gfs

import (
	"fmt"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness/simnet"
)

// maxReps bounds Config.Replicas (a message carries a chunk's replica list
// by value).
const maxReps = 8

// Config is one GFS cluster.
type Config struct {
	Cluster      algorithms.Cluster // the shared cluster vocabulary; Net.Nodes = Chunkservers
	Chunkservers int
	Clients      int // client machines (≥ 1)
	Racks        int // switches the chunkservers are spread over
	Replicas     int
	ChunkSize    int64 // bytes
	Dataset      int64 // bytes of existing chunks reads and writes address
	AppendFiles  int
	// AppendRetries: a failed record append is retried (at-least-once).
	AppendRetries    bool
	Lease            time.Duration
	Heartbeat        time.Duration
	HeartbeatTimeout time.Duration
	LinkBW, SwitchBW float64 // bytes per second
	Packet           int     // bytes
	Timeout          time.Duration
	Retries          int
	Clones           int
	// Record keeps every replica's mutation log and the acknowledged
	// mutations, for the checks in the tests (memory grows with the run).
	Record bool
}

// Check validates c.
func (c Config) Check() error {
	switch {
	case c.Chunkservers < 1:
		return fmt.Errorf("gfs: nodes=%d: need at least one chunkserver", c.Chunkservers)
	case c.Replicas > c.Chunkservers:
		return fmt.Errorf("gfs: replicas=%d exceeds the %d chunkservers (nodes=%d)", c.Replicas, c.Chunkservers, c.Chunkservers)
	case c.Replicas < 1 || c.Replicas > maxReps:
		return fmt.Errorf("gfs: replicas=%d out of range (valid: 1 … %d)", c.Replicas, maxReps)
	case c.Racks < 1 || c.Racks > c.Chunkservers:
		return fmt.Errorf("gfs: racks=%d out of range (valid: 1 … nodes=%d)", c.Racks, c.Chunkservers)
	case c.Clients < 0 || c.Chunkservers+1+c.Clients > simnet.MaxNodes:
		return fmt.Errorf("gfs: %d chunkservers + 1 master + %d clients exceed %d machines", c.Chunkservers, c.Clients, simnet.MaxNodes)
	case c.ChunkSize < 1<<20:
		return fmt.Errorf("gfs: chunk_size %d B below 1 MiB", c.ChunkSize)
	case c.Dataset < c.ChunkSize:
		return fmt.Errorf("gfs: dataset=%g GB is smaller than one chunk (%d MiB)", float64(c.Dataset)/1e9, c.ChunkSize>>20)
	case c.Dataset/c.ChunkSize > 1<<22:
		return fmt.Errorf("gfs: dataset=%g GB is %d chunks of %d MiB (at most %d)", float64(c.Dataset)/1e9, c.Dataset/c.ChunkSize, c.ChunkSize>>20, 1<<22)
	case c.HeartbeatTimeout <= c.Heartbeat:
		return fmt.Errorf("gfs: heartbeat_timeout=%v must exceed heartbeat=%v", c.HeartbeatTimeout, c.Heartbeat)
	case !(c.LinkBW > 0) || !(c.SwitchBW > 0):
		return fmt.Errorf("gfs: link_bw and switch_bw must be positive")
	case c.Packet < 1:
		return fmt.Errorf("gfs: packet must be positive")
	case int64(c.Packet) > c.ChunkSize:
		return fmt.Errorf("gfs: packet=%d KiB exceeds chunk_size=%d MiB", c.Packet>>10, c.ChunkSize>>20)
	case c.Timeout <= 0 || c.Lease <= 0 || c.Heartbeat <= 0 || c.Clones < 1 || c.AppendFiles < 1 || c.Retries < 0:
		return fmt.Errorf("gfs: timeout, lease, heartbeat, clones and append_files must be positive, retries ≥ 0")
	}
	if c.Cluster.Faults.Partition.Kind != simnet.PartitionNone && c.Chunkservers < 2 {
		return fmt.Errorf("gfs: a partition needs at least 2 chunkservers")
	}
	return nil
}
