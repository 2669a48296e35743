package casestudy

import (
	"fmt"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// IDsWorkload is the tour's workload: photos posted by Zipf-popular users
// (op.Key is the user; every op kind asks for one ID) at 2M IDs/s of
// virtual time. The hottest user asks ~140 IDs per ms, under the 1024 a
// shard can stamp; the hot users' shards make server 0 the busiest.
// (Inserts take fresh sequential keys, so mix=insert:1 spreads evenly.)
const IDsWorkload = "mix=update:1 keys=zipf:theta=0.99,n=1000000 arrival=poisson:rate=2000000"

var idsParams = []algorithms.Param{
	algorithms.Param{Name: "logical_shards", Type: algorithms.Int, Default: "8192", Doc: "logical shards (13 bits: 1 … 8192); a user's shard is user_id mod logical_shards"}.Range(1, MaxLogicalShards),
	algorithms.Param{Name: "servers", Type: algorithms.Int, Default: "16", Doc: "database servers; logical shard s lives on server s·servers/logical_shards (Outcome.Shard)"}.Range(1, MaxLogicalShards),
	algorithms.Param{Name: "start_ms", Type: algorithms.Int, Default: "1387263000", Doc: "milliseconds since the custom epoch at the run's start (default: the blog's worked example)"}.Range(0, MaxIDMillis),
	{Name: "overflow", Type: algorithms.Enum, Default: OverflowWait, Choices: []string{OverflowWait, OverflowWrap}, Doc: "the 1025th ID of a shard in one ms: wait for the next ms, or wrap the sequence (the blog's nextval % 1024: duplicates)"},
}

func idsInfo() algorithms.Info {
	mk := func(env algorithms.Env) (*idsTarget, error) {
		m, err := idsCheck(env.Params)
		if err != nil {
			return nil, err
		}
		g, err := NewIDGen(env.Params.Int("logical_shards"), uint64(env.Params.Int("start_ms")), env.Params.String("overflow"))
		if err != nil {
			return nil, fmt.Errorf("casestudy/instagram-ids: %w", err)
		}
		return &idsTarget{gen: g, m: m, completeFn: idsComplete}, nil
	}
	return algorithms.Info{
		Name:         "casestudy/instagram-ids",
		Description:  "Instagram IDs: 41 bits ms | 13 bits logical shard | 10 bits sequence; logical shards on fewer servers",
		Params:       idsParams,
		Tour:         true,
		Workload:     IDsWorkload,
		DefaultClock: algorithms.Virtual,
		Check:        func(p algorithms.Params) error { _, err := idsCheck(p); return err },
		NewWall:      func(env algorithms.Env) (harness.Target, error) { return mk(env) },
		NewSim:       func(env algorithms.Env) (harness.SimTarget, error) { return mk(env) },
	}
}

func idsCheck(p algorithms.Params) (ShardMap, error) {
	m, err := NewShardMap(p.Int("logical_shards"), p.Int("servers"))
	if err != nil {
		return m, fmt.Errorf("casestudy/instagram-ids: %w", err)
	}
	return m, nil
}

// idsTarget issues one ID per op for the logical shard of op.Key. On the wall
// clock Do costs one ID (per-shard lock) and sleeps out an overflow wait; in
// virtual time an overflowed ID completes when its millisecond begins.
type idsTarget struct {
	gen        *IDGen
	m          ShardMap
	completeFn harness.EventFunc
}

func (t *idsTarget) Do(now time.Duration, op *workloads.Op) harness.Outcome {
	shard := t.m.Shard(op.Key)
	_, ready := t.gen.Next(shard, now)
	if ready > now {
		time.Sleep(ready - now) // the database waits for the next millisecond
	}
	return harness.Outcome{Shard: int32(t.m.Server(shard))}
}

func (t *idsTarget) Start(w *harness.World, req *harness.Request) {
	shard := t.m.Shard(req.Op.Key)
	_, ready := t.gen.Next(shard, w.Now())
	server := int64(t.m.Server(shard))
	if ready > w.Now() {
		w.At(ready, t.completeFn, req, server)
		return
	}
	w.Complete(req, harness.Outcome{Shard: int32(server)})
}

func idsComplete(w *harness.World, req *harness.Request, server int64) {
	w.Complete(req, harness.Outcome{Shard: int32(server)})
}

// Metrics: see NOTES.md.
func (t *idsTarget) Metrics() map[string]float64 {
	st := t.gen.Stats()
	out := map[string]float64{
		"ids":                   float64(st.Issued),
		"ids_per_ms_max":        float64(st.MaxPerMs),
		"demand_per_ms_max":     float64(st.MaxDemandPerMs),
		"ids_per_ms_capacity":   SeqPerMs,
		"sequence_overflows":    float64(st.Overflows),
		"overflow_waits":        float64(st.Waits),
		"late_caller_ids":       float64(st.LateCallers),
		"duplicate_ids":         float64(st.Duplicates),
		"non_monotonic_ids":     float64(st.NonMonotonic),
		"active_logical_shards": float64(st.ActiveShards),
	}
	if st.Waits > 0 {
		out["overflow_wait_mean_ns"] = float64(st.WaitNs) / float64(st.Waits)
	}
	lo, hi := t.m.logical, 0
	for s := 0; s < t.m.servers; s++ {
		n := t.m.ShardsOn(s)
		lo, hi = min(lo, n), max(hi, n)
	}
	out["logical_shards_per_server_min"], out["logical_shards_per_server_max"] = float64(lo), float64(hi)
	return out
}
