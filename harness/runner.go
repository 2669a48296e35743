package harness

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/dsbench/dsbench/workloads"
)

// check validates cfg before anything runs (docs/design.md rule 7).
func (cfg *Config) check() error {
	switch {
	case cfg.Source == nil:
		return errors.New("harness: Config.Source is nil")
	case cfg.Ops == 0 && cfg.Duration <= 0:
		return errors.New("harness: set Config.Ops or Config.Duration (the run would never stop)")
	case cfg.Duration < 0 || cfg.Warmup < 0 || cfg.Interval < 0:
		return fmt.Errorf("harness: negative duration (duration %v, warmup %v, interval %v)", cfg.Duration, cfg.Warmup, cfg.Interval)
	case cfg.Workers < 0 || cfg.Shards < 0 || cfg.Clients < 0:
		return fmt.Errorf("harness: negative count (workers %d, shards %d, clients %d)", cfg.Workers, cfg.Shards, cfg.Clients)
	}
	return nil
}

// workers is the closed loop's worker count: Workers, but no more than Ops
// when a count is set, because a worker whose share of Ops is 0 would read
// that 0 as "no limit" and run forever.
func (cfg *Config) workers() int {
	n := max(cfg.Workers, 1)
	if cfg.Ops > 0 && uint64(n) > cfg.Ops {
		n = int(cfg.Ops)
	}
	return n
}

// sources opens the n parts of the workload, all before the run starts.
func (cfg *Config) sources(n int) ([]workloads.Source, error) {
	out := make([]workloads.Source, n)
	for k := range out {
		s, err := cfg.Source(workloads.Part{Index: k, Of: n})
		if err != nil {
			return nil, fmt.Errorf("harness: workload part %d/%d: %w", k, n, err)
		}
		out[k] = s
	}
	return out, nil
}

// share is worker k's part of a total split over n workers (0 stays 0: no limit).
func share(total uint64, k, n int) uint64 {
	if total == 0 {
		return 0
	}
	q := total / uint64(n)
	if uint64(k) < total%uint64(n) {
		q++
	}
	return q
}

// warmPhase is the warm-up of one worker: it lasts while both of its limits
// that are set hold (so "whichever first" ends it).
type warmPhase struct {
	ops   uint64        // this worker's warm-up ops; 0 = no count limit
	until time.Duration // end of warm-up, from the run's start; 0 = no time limit
	n     uint64
}

func (cfg *Config) warmPhase(k, n int) warmPhase {
	w := warmPhase{ops: share(cfg.WarmupOps, k, n), until: cfg.Warmup}
	if cfg.WarmupOps > 0 && w.ops == 0 {
		w.until = 0 // this worker's share of a small count is empty
	}
	return w
}

// active reports whether an op at t still belongs to the warm-up.
func (w *warmPhase) active(t time.Duration) bool {
	if w.ops == 0 && w.until == 0 {
		return false
	}
	return (w.ops == 0 || w.n < w.ops) && (w.until == 0 || t < w.until)
}

// counter is a cache-line-padded progress counter: one per worker, written
// by its owner only, read by the progress goroutine.
type counter struct {
	n atomic.Uint64
	_ [56]byte
}

func sum(cs []counter) uint64 {
	var t uint64
	for i := range cs {
		t += cs[i].n.Load()
	}
	return t
}
