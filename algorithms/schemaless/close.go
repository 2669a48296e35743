package schemaless

import (
	"fmt"
	"runtime"
)

func (st *Store) noteTriggerErr(err error) {
	st.errMu.Lock()
	if st.triggerErr == nil {
		st.triggerErr = err
	}
	st.errMu.Unlock()
}

// settle drains every buffer (the run is over: shards count as up again)
// and waits until every consumer has reached its log's end.
func (st *Store) settle() error {
	for i := range st.shards {
		if err := st.drainShard(i); err != nil {
			return err
		}
	}
	for _, s := range st.shards {
		for s.consumed.Load() < s.end.Load() {
			select {
			case s.wake <- struct{}{}:
			default:
			}
			runtime.Gosched()
		}
	}
	return nil
}

// Metrics settles the store, then reports cells written, buffered and
// triggered, trigger lag, cells_lost = written − triggered (0 when every
// cell reached a trigger) and the bytes the shards' engines wrote.
func (st *Store) Metrics() map[string]float64 {
	st.settle()
	m := map[string]float64{
		"cells_written":    float64(st.written.Load()),
		"cells_triggered":  float64(st.triggered.Load()),
		"cells_buffered":   float64(st.buffered.Load()),
		"cells_drained":    float64(st.drained.Load()),
		"cells_lost":       float64(st.written.Load()) - float64(st.triggered.Load()),
		"trigger_lag_max":  float64(st.lagMax.Load()),
		"trigger_lag_mean": 0,
	}
	if n := st.lagN.Load(); n > 0 {
		m["trigger_lag_mean"] = float64(st.lagSum.Load()) / float64(n)
	}
	st.engineFigures(m)
	return m
}

// IntervalMetrics samples the current trigger lag over all shards.
func (st *Store) IntervalMetrics() map[string]float64 {
	var lag uint64
	for _, s := range st.shards {
		lag += s.end.Load() - s.consumed.Load()
	}
	return map[string]float64{"trigger_lag": float64(lag)}
}

// Close settles the store, stops the consumers and proves that every cell
// written was triggered exactly once: per shard the count, sum and xor of
// the ref keys the consumer saw equal those committed, and no buffered cell
// is left. It returns an error naming the discrepancy otherwise.
func (st *Store) Close() error {
	st.closeOnce.Do(func() {
		err := st.settle()
		close(st.stop)
		st.wg.Wait()
		if err == nil {
			err = st.verify()
		}
		if cerr := st.closeShards(); err == nil {
			err = cerr
		}
		st.closeErr = err
	})
	return st.closeErr
}

func (st *Store) verify() error {
	st.errMu.Lock()
	terr := st.triggerErr
	st.errMu.Unlock()
	if terr != nil {
		return terr
	}
	if w, t := st.written.Load(), st.triggered.Load(); w != t {
		return fmt.Errorf("schemaless: %d cells written, %d triggered: %d lost", w, t, int64(w)-int64(t))
	}
	for _, s := range st.shards {
		s.mu.Lock()
		n, sum, xor := s.end.Load(), s.refSum, s.refXor
		s.mu.Unlock()
		if s.seenN != n || s.seenSum != sum || s.seenXor != xor || s.pending.Load() != 0 {
			return fmt.Errorf("schemaless: shard %d: trigger saw %d cells (ref sum %d, xor %x), log holds %d (sum %d, xor %x), %d still buffered",
				s.id, s.seenN, s.seenSum, s.seenXor, n, sum, xor, s.pending.Load())
		}
	}
	return nil
}

func (st *Store) closeShards() error {
	var first error
	for _, s := range st.shards {
		for _, kv := range []interface{ Close() error }{s.data, s.buffer} {
			if kv == nil {
				continue
			}
			if err := kv.Close(); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}
