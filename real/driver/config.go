package driver

import (
	"fmt"
	"regexp"
	"time"

	"github.com/dsbench/dsbench/algorithms"
)

// Config is the part of a real target's parameters every driver shares.
type Config struct {
	OpTimeout time.Duration // each attempt of an op is cut off after this
	Retries   int           // attempts after a failed one (0: none); each is counted
	KeyPrefix string        // every key, table or path the run writes starts with it
	Cleanup   bool          // Close removes what the run wrote
	Pool      int           // connections to the server
	LoadBatch int           // records per write of the load phase
}

// DefaultOpenPool is the pool of an open-loop run with no --workers cap.
const DefaultOpenPool = 64

// Params returns the common parameters, after the driver's own address
// parameter addr (addr, endpoints, dsn or url), with prefix as key_prefix's
// default.
func Params(addr algorithms.Param, prefix string) []algorithms.Param {
	return []algorithms.Param{
		addr,
		algorithms.Param{Name: "op_timeout", Type: algorithms.Duration, Default: "5s",
			Doc: "each attempt of an op fails after this long"}.Range(float64(time.Millisecond), float64(time.Hour)),
		algorithms.Param{Name: "retries", Type: algorithms.Int, Default: "0",
			Doc: "attempts after a failed one (0: a failure is an error at once); counted in the retries metric"}.Range(0, 100),
		{Name: "key_prefix", Type: algorithms.String, Default: prefix,
			Doc: "namespace of every key the run writes (several runs side by side take different prefixes)"},
		{Name: "cleanup", Type: algorithms.Bool, Default: "true",
			Doc: "remove everything under key_prefix when the run ends"},
		algorithms.Param{Name: "pool", Type: algorithms.Int, Default: "0",
			Doc: fmt.Sprintf("connections to the server (0: --workers; an open loop with no --workers cap: %d)", DefaultOpenPool)}.Range(0, 10000),
		algorithms.Param{Name: "load_batch", Type: algorithms.Int, Default: "1000",
			Doc: "records per batched write of the load phase (--load N)"}.Range(1, 100000),
	}
}

// Read takes the common parameters from a run's environment.
func Read(env algorithms.Env) Config {
	p := env.Params
	c := Config{
		OpTimeout: p.Duration("op_timeout"),
		Retries:   p.Int("retries"),
		KeyPrefix: p.String("key_prefix"),
		Cleanup:   p.Bool("cleanup"),
		Pool:      p.Int("pool"),
		LoadBatch: p.Int("load_batch"),
	}
	if c.Pool == 0 {
		c.Pool = env.InFlight
	}
	if c.Pool == 0 {
		c.Pool = DefaultOpenPool
	}
	return c
}

var identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// CheckIdentifier rejects a key_prefix that cannot start an SQL identifier
// unquoted (lower-case letters, digits, underscores).
func CheckIdentifier(target, prefix string) error {
	if !identifier.MatchString(prefix) {
		return fmt.Errorf("%s: key_prefix=%q: want lower-case letters, digits and _ (it names tables)", target, prefix)
	}
	return nil
}
