package gfs

import (
	"fmt"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
	"github.com/dsbench/dsbench/workloads"
)

// Workload is the target's default workload: 16 clients (the paper's Fig. 3
// cluster has 16) reading and writing the file set and appending records to
// one file, 256 KiB … 1.75 MiB an op (1 MiB on average), a Poisson stream of
// 30 ops a second (≈ 31 MB/s, below the cluster's limits).
const Workload = "mix=read:0.5,update:0.25,rmw:0.25 keys=uniform:n=1e6 size=uniform:min=262144,max=1835008 clients=16 arrival=poisson:rate=30"

const day = float64(24 * time.Hour)

// Params are gfs/cluster's own parameters; the cluster's (nodes = the
// chunkservers, delay, jitter, loss, fifo, cpu_send, cpu_recv, crash…,
// partition, the fault plan, slow) come from the shared vocabulary.
var Params = []algorithms.Param{
	algorithms.Param{Name: "clients", Type: algorithms.Int, Default: "0", Doc: "client machines (0: the workload's clients, --clients N); set it to sweep: -p 'clients=1|2|4|8|16'. Each runs one op at a time and takes the next op waiting"}.Range(0, 512),
	algorithms.Param{Name: "racks", Type: algorithms.Int, Default: "2", Doc: "switches the chunkservers are spread over (round robin); the clients sit under one more switch"}.Range(1, 64),
	algorithms.Param{Name: "replicas", Type: algorithms.Int, Default: "3", Doc: "replicas per chunk, placed on distinct chunkservers across racks"}.Range(1, maxReps),
	algorithms.Param{Name: "chunk_size", Type: algorithms.Int, Default: "64", Doc: "chunk size in MiB"}.Range(1, 1024),
	algorithms.Param{Name: "dataset", Type: algorithms.Float, Default: "320", Doc: "GB of existing chunks (the file set reads and writes address; the paper's Fig. 3 reads a 320 GB set)"}.Range(0.001, 1e6),
	algorithms.Param{Name: "append_files", Type: algorithms.Int, Default: "1", Doc: "files record appends go to (key mod append_files); 1: every client appends to one file, as in Fig. 3"}.Range(1, 1e6),
	{Name: "append_retries", Type: algorithms.Bool, Default: "true", Doc: "a failed record append is retried by the client (at-least-once: duplicates possible); false: it fails the op (records lost, no duplicates)"},
	algorithms.Param{Name: "lease", Type: algorithms.Duration, Default: "60s", Doc: "chunk lease a primary holds to order mutations; extended on heartbeats while the chunk is mutated"}.Range(float64(time.Millisecond), day),
	algorithms.Param{Name: "heartbeat", Type: algorithms.Duration, Default: "1s", Doc: "period of a chunkserver's heartbeat to the master (carries lease extensions)"}.Range(float64(time.Millisecond), day),
	algorithms.Param{Name: "heartbeat_timeout", Type: algorithms.Duration, Default: "5s", Doc: "the master declares a chunkserver dead after no heartbeat for this long and re-replicates its chunks"}.Range(float64(time.Millisecond), day),
	algorithms.Param{Name: "link_bw", Type: algorithms.Float, Default: "100", Doc: "NIC bandwidth of every machine, each way, in Mbit/s (the paper: 100)"}.Range(0.001, 1e7),
	algorithms.Param{Name: "switch_bw", Type: algorithms.Float, Default: "1000", Doc: "bandwidth of each switch's link to the core, each way, in Mbit/s (the paper: 1 Gbps between its two switches)"}.Range(0.001, 1e8),
	algorithms.Param{Name: "packet", Type: algorithms.Int, Default: "64", Doc: "KiB per packet of a data transfer (the unit that queues on links)"}.Range(1, 65536),
	algorithms.Param{Name: "timeout", Type: algorithms.Duration, Default: "5s", Doc: "a client step (a lookup, a data push, a read, a write request) or a primary's wait for its secondaries fails after this long"}.Range(float64(time.Millisecond), day),
	algorithms.Param{Name: "retries", Type: algorithms.Int, Default: "5", Doc: "attempts after the first before an op fails (backoff 100 ms doubling, at most 2 s)"}.Range(0, 1000),
	algorithms.Param{Name: "clones", Type: algorithms.Int, Default: "2", Doc: "re-replications (chunk clones) the master keeps active at once: each moves a whole chunk over the network, competing with the clients"}.Range(1, 1e6),
}

// Cluster declares the shared cluster parameters with GFS's defaults:
// nodes are the chunkservers (the master and the client machines are extra
// nodes outside the fault domain). Omitted: dup (a duplicated apply would
// append a record twice, which GFS's TCP never does), fsync and
// group_commit (chunkservers write to their file system's cache; the model
// has no disk).
var Cluster = &algorithms.ClusterSpec{
	Defaults: map[string]string{
		simnet.ParamNodes: "16", simnet.ParamDelay: "const:d=100us", simnet.ParamFIFO: "true",
	},
	MaxNodes: 512,
	Omit:     []string{simnet.ParamDup, simnet.ParamFsync, simnet.ParamGroup},
}

func init() {
	algorithms.Register(algorithms.Info{
		Name:         "gfs/cluster",
		Description:  "GFS: master, 64 MB chunks × 3 replicas across racks, leases, pipelined data push on NIC/switch bandwidth, record append, re-replication (virtual time)",
		Params:       Params,
		Cluster:      Cluster,
		Tour:         true,
		Workload:     Workload,
		DefaultClock: algorithms.Virtual,
		Check: func(p algorithms.Params) error {
			_, err := ConfigFrom(p)
			return err
		},
		CheckWorkload: checkKinds,
		NewSim: func(env algorithms.Env) (harness.SimTarget, error) {
			cfg, err := ConfigFrom(env.Params)
			if err != nil {
				return nil, err
			}
			if err := checkKinds(env.Workload); err != nil {
				return nil, err
			}
			if cfg.Clients == 0 {
				cfg.Clients = env.Workload.Clients()
			}
			return New(cfg)
		},
	})
}

// ConfigFrom validates a target's parameters as a whole.
func ConfigFrom(p algorithms.Params) (Config, error) {
	cl, err := algorithms.ClusterOf(p)
	if err != nil {
		return Config{}, err
	}
	cfg := Config{
		Cluster: cl, Chunkservers: cl.Net.Nodes, Clients: p.Int("clients"), Racks: p.Int("racks"),
		Replicas: p.Int("replicas"), ChunkSize: int64(p.Int("chunk_size")) << 20,
		Dataset: int64(p.Float("dataset") * 1e9), AppendFiles: p.Int("append_files"),
		AppendRetries: p.Bool("append_retries"), Lease: p.Duration("lease"),
		Heartbeat: p.Duration("heartbeat"), HeartbeatTimeout: p.Duration("heartbeat_timeout"),
		LinkBW: p.Float("link_bw") * 1e6 / 8, SwitchBW: p.Float("switch_bw") * 1e6 / 8,
		Packet: p.Int("packet") << 10, Timeout: p.Duration("timeout"), Retries: p.Int("retries"),
		Clones: p.Int("clones"),
	}
	if err := cfg.Check(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// checkKinds refuses a workload with an op kind GFS gives no meaning to.
func checkKinds(ws workloads.Spec) error {
	kinds, _ := ws.Kinds()
	for _, k := range kinds {
		if _, ok := opOf(k); !ok {
			return fmt.Errorf("op kind %q is not a GFS op (valid: read; update and insert = write; rmw and produce = record append)", k)
		}
	}
	return nil
}

// opOf maps a workload op kind to a GFS op.
func opOf(k workloads.Kind) (uint8, bool) {
	switch k {
	case workloads.Read:
		return opRead, true
	case workloads.Update, workloads.Insert:
		return opWrite, true
	case workloads.RMW, workloads.Produce:
		return opAppend, true
	}
	return 0, false
}

var (
	_ harness.SimTarget = (*Sim)(nil)
	_ harness.SimSetup  = (*Sim)(nil)
	_ harness.Metricser = (*Sim)(nil)
)
