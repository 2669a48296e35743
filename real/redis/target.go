package redis

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/real/driver"
)

// Name is the target's registered name.
const Name = "real/redis"

// DefaultAddr is where scripts/servers/redis.sh starts Redis.
const DefaultAddr = "127.0.0.1:6379"

// Params are real/redis's parameters.
var Params = append(driver.Params(algorithms.Param{Name: "addr", Type: algorithms.String, Default: DefaultAddr,
	Doc: "Redis server host:port"}, "dsbench:"),
	algorithms.Param{Name: "db", Type: algorithms.Int, Default: "0", Doc: "database number (SELECT)"}.Range(0, 15),
	algorithms.Param{Name: "scan", Type: algorithms.Enum, Default: "index", Choices: []string{"index", "cursor"},
		Doc: "scan: ZRANGEBYSCORE on the insert index from the key (a key range, as YCSB's binding), or the SCAN command with MATCH (hash order)"},
	algorithms.Param{Name: "limiter", Type: algorithms.Enum, Default: "none", Choices: []string{"none", "gcra", "sliding-window"},
		Doc: "none: key-value ops; gcra or sliding-window: every op is a rate-limit decision by a Lua script in Redis"},
	algorithms.Param{Name: "rate", Type: algorithms.Float, Default: "100", Doc: "limiter: admitted ops per second (per client in keyed mode)"}.Range(0.001, 1e9),
	algorithms.Param{Name: "burst", Type: algorithms.Int, Default: "10", Doc: "gcra: ops admitted at once after idle"}.Range(1, 1_000_000),
	algorithms.Param{Name: "window", Type: algorithms.Duration, Default: "1s", Doc: "sliding-window: the window; rate·window ops are admitted in any window"}.Range(float64(time.Millisecond), float64(time.Hour)),
	algorithms.Param{Name: "mode", Type: algorithms.Enum, Default: "keyed", Choices: []string{"keyed", "global"},
		Doc: "limiter: one limiter per client (keyed) or one for all"},
)

// quiet drops the client's log lines: no package below cmd prints.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func init() {
	goredis.SetLogger(quiet{})
	algorithms.Register(algorithms.Info{
		Name:        Name,
		Description: "a Redis server (go-redis): GET/SET/DEL, scans on an index, WATCH/MULTI read-modify-write, or Lua rate limiters",
		Params:      Params,
		Workload:    "ycsb-a keys=zipf:theta=0.99,n=100000",
		Loads:       true,
		External:    true,
		Check:       check,
		Preflight:   preflight,
		NewWall: func(env algorithms.Env) (harness.Target, error) {
			cfg := driver.Read(env)
			b, err := open(env.Params, cfg, env.Seed)
			if err != nil {
				return nil, err
			}
			return driver.NewTarget(Name, cfg, b), nil
		},
	})
}

func check(p algorithms.Params) error {
	if p.String("limiter") == "sliding-window" && p.Float("rate")*p.Duration("window").Seconds() < 1 {
		return fmt.Errorf("%s: rate·window = %g admits no op per window (raise rate=%g or window=%v)",
			Name, p.Float("rate")*p.Duration("window").Seconds(), p.Float("rate"), p.Duration("window"))
	}
	if p.String("key_prefix") == "" {
		return fmt.Errorf("%s: key_prefix must not be empty (cleanup removes every key under it)", Name)
	}
	return nil
}

func options(p algorithms.Params, pool int) *goredis.Options {
	return &goredis.Options{
		Addr:            p.String("addr"),
		DB:              p.Int("db"),
		PoolSize:        pool,
		MinIdleConns:    0,
		DialTimeout:     driver.ReachTimeout,
		MaxRetries:      -1, // no hidden retries: retries= counts them
		DisableIdentity: true,
		Protocol:        2,
	}
}

// preflight pings the server: an unreachable one is bad input (exit 2).
func preflight(p algorithms.Params) error {
	c := goredis.NewClient(options(p, 1))
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), driver.ReachTimeout)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		return driver.Unreachable("Redis", "redis", p.String("addr"), err)
	}
	return nil
}

func open(p algorithms.Params, cfg driver.Config, seed uint64) (*backend, error) {
	b := &backend{
		c:      goredis.NewClient(options(p, cfg.Pool)),
		prefix: cfg.KeyPrefix,
		index:  cfg.KeyPrefix + "index",
		cursor: p.String("scan") == "cursor",
	}
	switch p.String("limiter") {
	case "gcra":
		t := 1e6 / p.Float("rate") // emission interval, µs
		b.limit = &limiter{script: gcraScript, args: []any{t, t * float64(p.Int("burst"))}}
	case "sliding-window":
		w := p.Duration("window")
		n := math.Floor(p.Float("rate") * w.Seconds())
		b.limit = &limiter{script: slidingScript, args: []any{w.Microseconds(), int64(n)}, log: true}
	}
	if b.limit != nil {
		b.limit.global = p.String("mode") == "global"
		b.limit.prefix = cfg.KeyPrefix + "rl:"
		// Sliding-window members must be unique across the shards of a
		// run on several machines: their seeds differ.
		b.limit.id = strconv.FormatUint(seed, 36) + ":"
	}
	ctx, cancel := context.WithTimeout(context.Background(), driver.ReachTimeout)
	defer cancel()
	if err := b.c.Ping(ctx).Err(); err != nil {
		b.c.Close()
		return nil, driver.Unreachable("Redis", "redis", p.String("addr"), err)
	}
	return b, nil
}

// isMiss reports a GET of a missing key: a miss, not an error.
func isMiss(err error) bool { return errors.Is(err, goredis.Nil) }
