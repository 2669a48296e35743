package zookeeper

import (
	"fmt"
	"strings"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/real/driver"
)

// Name is the target's registered name.
const Name = "real/zookeeper"

// DefaultAddr is where scripts/servers/zookeeper.sh starts ZooKeeper.
const DefaultAddr = "127.0.0.1:2181"

// Params are real/zookeeper's parameters.
var Params = append(driver.Params(algorithms.Param{Name: "addr", Type: algorithms.String, Default: DefaultAddr,
	Doc: "comma-separated host:port of the ensemble's servers (the order numbers the shards)"}, "/dsbench"),
	algorithms.Param{Name: "session_timeout", Type: algorithms.Duration, Default: "10s", Doc: "ZooKeeper session timeout (ephemeral lock nodes outlive a dead client this long)"}.Range(float64(time.Second), float64(time.Hour)),
	algorithms.Param{Name: "sync", Type: algorithms.Bool, Default: "false", Doc: "reads sync through the leader first (never stale)"},
	algorithms.Param{Name: "hold", Type: algorithms.Duration, Default: "10ms", Doc: "acquire: how long a lock is held at most (a release op of the same client and key ends it early)"}.Range(0, float64(24*time.Hour)),
)

func init() {
	algorithms.Register(algorithms.Info{
		Name:        Name,
		Description: "a ZooKeeper ensemble (go-zookeeper): getData/setData/create/delete, versioned read-modify-write, sync reads, the lock recipe",
		Params:      Params,
		// The coordination/zookeeper model's mix and keys, closed loop.
		Workload: "mix=read:0.9,update:0.08,acquire:0.01,release:0.01 keys=zipf:theta=0.99,n=10000 clients=uniform:n=1000",
		Loads:    true,
		External: true,
		Check: func(p algorithms.Params) error {
			pre := p.String("key_prefix")
			if !strings.HasPrefix(pre, "/") || strings.HasSuffix(pre, "/") || len(pre) < 2 {
				return fmt.Errorf("%s: key_prefix=%q: want a znode path such as /dsbench (cleanup removes it)", Name, pre)
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

func servers(p algorithms.Params) []string {
	var out []string
	for _, s := range strings.Split(p.String("addr"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// quiet drops the client's log lines: no package below cmd prints.
type quiet struct{}

func (quiet) Printf(string, ...any) {}

// connect opens one session and waits until it is established.
func connect(srv []string, timeout time.Duration) (*zk.Conn, error) {
	c, events, err := zk.Connect(srv, timeout, zk.WithLogger(quiet{}), zk.WithMaxConnBufferSize(4<<20))
	if err != nil {
		return nil, err
	}
	deadline := time.After(driver.ReachTimeout)
	for {
		select {
		case ev := <-events:
			if ev.State == zk.StateHasSession {
				go func() { // keep draining: the client blocks on a full channel
					for range events {
					}
				}()
				return c, nil
			}
		case <-deadline:
			c.Close()
			return nil, fmt.Errorf("no session within %v", driver.ReachTimeout)
		}
	}
}

// preflight checks that each server accepts connections, then that a
// session can be established.
func preflight(p algorithms.Params) error {
	srv := servers(p)
	if len(srv) == 0 {
		return fmt.Errorf("addr=%q: want host:port[,host:port…]", p.String("addr"))
	}
	for _, s := range srv {
		if err := driver.Dial(s); err != nil {
			return driver.Unreachable("ZooKeeper", "zookeeper", s, err)
		}
	}
	c, err := connect(srv, p.Duration("session_timeout"))
	if err != nil {
		return driver.Unreachable("ZooKeeper", "zookeeper", strings.Join(srv, ","), err)
	}
	c.Close()
	return nil
}

func open(p algorithms.Params, cfg driver.Config) (*backend, error) {
	srv := servers(p)
	b := &backend{prefix: cfg.KeyPrefix, sync: p.Bool("sync"), locks: driver.NewLocks(p.Duration("hold")),
		shards: map[string]int32{}, buckets: map[uint64]bool{}}
	for i, s := range srv {
		b.shards[s] = int32(i)
	}
	for range min(cfg.Pool, 256) {
		c, err := connect(srv, p.Duration("session_timeout"))
		if err != nil {
			b.Close()
			return nil, driver.Unreachable("ZooKeeper", "zookeeper", strings.Join(srv, ","), err)
		}
		b.conns = append(b.conns, c)
	}
	for _, path := range []string{b.prefix, b.prefix + "/k", b.prefix + "/locks"} {
		if err := b.ensure(b.conns[0], path); err != nil {
			b.Close()
			return nil, err
		}
	}
	return b, nil
}
