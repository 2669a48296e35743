package driver

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// Backend is one server's client, as a driver writes it: one attempt of an
// op, the load phase's batched write, the cleanup, and its own figures.
type Backend interface {
	// Do makes one attempt of op; ctx carries the attempt's timeout.
	Do(ctx context.Context, op *workloads.Op) (Result, error)
	// LoadBatch writes keys [from, to) with values of size bytes in as few
	// round trips as the server allows.
	LoadBatch(ctx context.Context, from, to uint64, size int) error
	// Cleanup removes everything the run wrote under the key prefix.
	Cleanup(ctx context.Context) error
	// Close releases the connections.
	Close() error
	// Metrics are the driver's own figures (snake_case keys).
	Metrics() map[string]float64
}

// Result is what one attempt found besides an error.
type Result struct {
	Shard  int32 // the server or member that served (harness.NoShard: none)
	Denied bool  // refused by policy (a rate limiter's no)
}

// Permanent marks an error that a retry cannot fix (an op kind the server
// has no operation for): it fails the op at once, whatever retries says.
type Permanent struct{ Err error }

func (p Permanent) Error() string { return p.Err.Error() }
func (p Permanent) Unwrap() error { return p.Err }

// Target is a Backend as a harness.Target: each op is attempted once, and
// again up to Retries times after a failure; each attempt has OpTimeout.
type Target struct {
	cfg  Config
	b    Backend
	name string

	retries, timeouts, failures atomic.Uint64
}

var (
	_ harness.Target    = (*Target)(nil)
	_ harness.Loader    = (*Target)(nil)
	_ harness.Metricser = (*Target)(nil)
)

// NewTarget wraps b; name prefixes its errors ("real/redis").
func NewTarget(name string, cfg Config, b Backend) *Target {
	return &Target{cfg: cfg, b: b, name: name}
}

// Do runs op against the server.
func (t *Target) Do(_ time.Duration, op *workloads.Op) harness.Outcome {
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), t.cfg.OpTimeout)
		r, err := t.b.Do(ctx, op)
		cancel()
		if err == nil {
			return harness.Outcome{Shard: r.Shard, Denied: r.Denied}
		}
		if errors.Is(err, context.DeadlineExceeded) {
			t.timeouts.Add(1)
		}
		var p Permanent
		if errors.As(err, &p) || attempt >= t.cfg.Retries {
			t.failures.Add(1)
			return harness.Outcome{Shard: r.Shard, Err: err}
		}
		t.retries.Add(1)
	}
}

// Load writes keys [0, n) in batches of LoadBatch (YCSB's load phase).
func (t *Target) Load(n uint64, size int) error {
	return t.LoadContext(context.Background(), n, size)
}

// LoadContext is Load, stopping (a batch in flight cancelled) once parent
// is done.
func (t *Target) LoadContext(parent context.Context, n uint64, size int) error {
	batch := uint64(t.cfg.LoadBatch)
	for from := uint64(0); from < n; from += batch {
		if err := parent.Err(); err != nil {
			return err
		}
		to := min(from+batch, n)
		ctx, cancel := context.WithTimeout(parent, t.cfg.OpTimeout+time.Duration(to-from)*time.Millisecond)
		err := t.b.LoadBatch(ctx, from, to, size)
		cancel()
		if err != nil {
			return fmt.Errorf("%s: loading keys %d…%d: %w", t.name, from, to-1, err)
		}
	}
	return nil
}

// Metrics are the driver's figures plus the attempts: retries (attempts
// after a failure), timeouts (attempts cut off by op_timeout), failed_ops
// (ops that ended in an error).
func (t *Target) Metrics() map[string]float64 {
	m := t.b.Metrics()
	if m == nil {
		m = map[string]float64{}
	}
	m["retries"] = float64(t.retries.Load())
	m["timeouts"] = float64(t.timeouts.Load())
	m["failed_ops"] = float64(t.failures.Load())
	return m
}

// Close removes what the run wrote (cleanup=true) and closes the client.
func (t *Target) Close() error {
	var err error
	if t.cfg.Cleanup {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		if cerr := t.b.Cleanup(ctx); cerr != nil {
			err = fmt.Errorf("%s: cleanup: %w", t.name, cerr)
		}
		cancel()
	}
	return errors.Join(err, t.b.Close())
}

// Unsupported is the Permanent error of an op kind a server has no
// operation for.
func Unsupported(target string, k workloads.Kind, valid string) error {
	return Permanent{fmt.Errorf("%s: op kind %s is not supported (valid: %s)", target, k, valid)}
}
