package etcd

import (
	"context"
	"fmt"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/real/driver"
)

// Name is the target's registered name.
const Name = "real/etcd"

// DefaultEndpoints is where scripts/servers/etcd.sh starts one member.
const DefaultEndpoints = "127.0.0.1:2379"

// maxTxnOps is etcd's default --max-txn-ops: the load phase's batch bound.
const maxTxnOps = 128

// Params are real/etcd's parameters.
var Params = append(driver.Params(algorithms.Param{Name: "endpoints", Type: algorithms.String, Default: DefaultEndpoints,
	Doc: "comma-separated host:port of the members' client URLs (the order numbers the shards)"}, "dsbench/"),
	algorithms.Param{Name: "consistency", Type: algorithms.Enum, Default: "linearizable", Choices: []string{"linearizable", "serializable"},
		Doc: "reads and scans: linearizable (through the leader) or serializable (the member's local store, may be stale)"},
	algorithms.Param{Name: "lease_ttl", Type: algorithms.Duration, Default: "10s", Doc: "acquire: TTL of each lock session's lease (kept alive while held)"}.Range(float64(2*time.Second), float64(24*time.Hour)),
	algorithms.Param{Name: "hold", Type: algorithms.Duration, Default: "10ms", Doc: "acquire: how long a lock is held at most (a release op of the same client and key ends it early)"}.Range(0, float64(24*time.Hour)),
)

func init() {
	algorithms.Register(algorithms.Info{
		Name:        Name,
		Description: "an etcd cluster (clientv3): get/put/delete/range, Txn read-modify-write, lease and lock recipes; shard = the member that served",
		Params:      Params,
		Workload:    "ycsb-a keys=zipf:theta=0.99,n=100000",
		Loads:       true,
		External:    true,
		Check: func(p algorithms.Params) error {
			if p.String("key_prefix") == "" {
				return fmt.Errorf("%s: key_prefix must not be empty (cleanup removes every key under it)", Name)
			}
			return nil
		},
		Preflight: preflight,
		NewWall: func(env algorithms.Env) (harness.Target, error) {
			cfg := driver.Read(env)
			b, err := open(env.Params, cfg)
			if err != nil {
				return nil, err
			}
			return driver.NewTarget(Name, cfg, b), nil
		},
	})
}

func endpoints(p algorithms.Params) []string {
	var out []string
	for _, e := range strings.Split(p.String("endpoints"), ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

func newClient(eps []string) (*clientv3.Client, error) {
	return clientv3.New(clientv3.Config{
		Endpoints:   eps,
		DialTimeout: driver.ReachTimeout,
		Logger:      zap.NewNop(),
	})
}

// preflight asks every endpoint for its status: each must answer.
func preflight(p algorithms.Params) error {
	eps := endpoints(p)
	if len(eps) == 0 {
		return fmt.Errorf("endpoints=%q: want host:port[,host:port…]", p.String("endpoints"))
	}
	c, err := newClient(eps)
	if err != nil {
		return driver.Unreachable("etcd", "etcd", strings.Join(eps, ","), err)
	}
	defer c.Close()
	for _, e := range eps {
		ctx, cancel := context.WithTimeout(context.Background(), driver.ReachTimeout)
		_, err := c.Status(ctx, e)
		cancel()
		if err != nil {
			return driver.Unreachable("etcd", "etcd", e, err)
		}
	}
	return nil
}

// open connects and numbers the members in the order of endpoints.
func open(p algorithms.Params, cfg driver.Config) (*backend, error) {
	eps := endpoints(p)
	c, err := newClient(eps)
	if err != nil {
		return nil, driver.Unreachable("etcd", "etcd", strings.Join(eps, ","), err)
	}
	b := &backend{c: c, prefix: cfg.KeyPrefix, shards: map[uint64]int32{}, leader: -1,
		locks: driver.NewLocks(p.Duration("hold")), ttl: int(p.Duration("lease_ttl").Round(time.Second) / time.Second)}
	if p.String("consistency") == "serializable" {
		b.readOpts = []clientv3.OpOption{clientv3.WithSerializable()}
	}
	ctx, cancel := context.WithTimeout(context.Background(), driver.ReachTimeout)
	defer cancel()
	for i, e := range eps {
		st, err := c.Status(ctx, e)
		if err != nil {
			c.Close()
			return nil, driver.Unreachable("etcd", "etcd", e, err)
		}
		if _, seen := b.shards[st.Header.MemberId]; !seen {
			b.shards[st.Header.MemberId] = int32(i)
		}
		if st.Leader == st.Header.MemberId {
			b.leader = int32(i)
		}
	}
	return b, nil
}
