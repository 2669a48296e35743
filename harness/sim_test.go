package harness

import (
	"bytes"
	"context"
	"reflect"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/dsbench/dsbench/workloads"
)

func encode(t *testing.T, h *hdr.Histogram) []byte {
	t.Helper()
	if h == nil {
		return nil
	}
	b, err := h.Encode(hdr.V2CompressedEncodingCookieBase)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// flatten turns a Report into comparable numbers and encoded histograms.
func flatten(t *testing.T, r *Report) map[string]any {
	m := map[string]any{
		"loop": r.Loop, "ops": r.Ops, "errors": r.Errors, "denied": r.Denied, "warmup": r.WarmupOps,
		"duration": r.Duration, "lat": encode(t, r.Latency), "svc": encode(t, r.Service),
		"shards": r.ShardOps, "shardp99": r.ShardLatencyP99, "clients": r.ClientOps,
		"clientDenied": r.ClientDenied, "metrics": r.Metrics,
	}
	for k, kr := range r.Kinds {
		m["kind"+workloads.Kind(k).String()] = []any{kr.Ops, kr.Errors, kr.Denied, encode(t, kr.Latency), encode(t, kr.Service)}
	}
	for i, iv := range r.Intervals {
		m["iv"+time.Duration(i).String()] = []any{iv.Start, iv.Ops, iv.Errors, iv.Denied, encode(t, iv.Latency), iv.Metrics}
	}
	return m
}

func simFIFO(t *testing.T, seed uint64, closed bool) *Report {
	t.Helper()
	srv := newFIFO(2, 400*time.Microsecond)
	srv.deny = true
	cfg := Config{Source: constRate(4000, 7, seed), Closed: closed, Workers: 3, Ops: 20000,
		WarmupOps: 500, Seed: seed, Interval: 500 * time.Millisecond, Shards: 4, Clients: 7}
	rep, err := RunSim(context.Background(), srv, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestSimDeterministic: the same seed gives the same Report, histograms
// encoded byte for byte; another seed does not.
func TestSimDeterministic(t *testing.T) {
	for _, closed := range []bool{false, true} {
		a, b := flatten(t, simFIFO(t, 42, closed)), flatten(t, simFIFO(t, 42, closed))
		if !reflect.DeepEqual(a, b) {
			for k := range a {
				if !reflect.DeepEqual(a[k], b[k]) {
					t.Errorf("closed=%v: %s differs between two runs with one seed", closed, k)
				}
			}
		}
		c := flatten(t, simFIFO(t, 43, closed))
		if bytes.Equal(a["lat"].([]byte), c["lat"].([]byte)) {
			t.Errorf("closed=%v: seeds 42 and 43 gave identical latency histograms", closed)
		}
	}
}

// TestSimCounts checks the counters against what the test server did.
func TestSimCounts(t *testing.T) {
	r := simFIFO(t, 7, false)
	if r.Ops != 20000 || r.WarmupOps != 500 {
		t.Fatalf("ops %d warmup %d, want 20000 and 500", r.Ops, r.WarmupOps)
	}
	// The server denies every 3rd and fails every 5th completion, warm-up
	// included; the measured ones are the last 20000 of 20500.
	wantDenied := uint64(20500/3 - 500/3)
	wantErr := uint64(20500/5 - 500/5)
	if r.Denied != wantDenied || r.Errors != wantErr {
		t.Errorf("denied %d errors %d, want %d and %d", r.Denied, r.Errors, wantDenied, wantErr)
	}
	var sh, cl, kinds uint64
	for _, v := range r.ShardOps {
		sh += v
	}
	for _, v := range r.ClientOps {
		cl += v
	}
	for _, k := range r.Kinds {
		kinds += k.Ops
	}
	if sh != r.Ops || cl != r.Ops || kinds != r.Ops || uint64(r.Latency.TotalCount()) != r.Ops {
		t.Errorf("shards %d clients %d kinds %d histogram %d, want %d each", sh, cl, kinds, r.Latency.TotalCount(), r.Ops)
	}
	if len(r.ShardOps) != 4 || len(r.ClientOps) != 7 {
		t.Errorf("%d shards, %d clients, want 4 and 7", len(r.ShardOps), len(r.ClientOps))
	}
	if r.Kinds[workloads.Read].Ops != 10000 || r.Kinds[workloads.Update].Ops != 10000 {
		t.Errorf("read %d update %d, want 10000 each", r.Kinds[workloads.Read].Ops, r.Kinds[workloads.Update].Ops)
	}
	var iv uint64
	for _, x := range r.Intervals {
		iv += x.Ops
		if x.Metrics == nil {
			t.Errorf("interval at %v has no gauges", x.Start)
		}
	}
	if iv != r.Ops {
		t.Errorf("intervals hold %d ops, want %d", iv, r.Ops)
	}
	// 20000 ops at 4000/s from the first measured op: 5 s, 10 intervals.
	if len(r.Intervals) < 10 || len(r.Intervals) > 11 {
		t.Errorf("%d intervals of 500ms over %v", len(r.Intervals), r.Duration)
	}
	if r.Metrics["served"] != 20500 {
		t.Errorf("metrics %v, want served=20500", r.Metrics)
	}
}

// TestSimQueueing: an open loop against one server at 90% load queues, and
// latency (from the intended start) counts the queue while service time
// (from the send) does too in virtual time — the op is sent on schedule, so
// both include the wait; and latency is never below service.
func TestSimQueueing(t *testing.T) {
	srv := newFIFO(1, 900*time.Microsecond)
	rep, err := RunSim(context.Background(), srv, Config{Source: constRate(1000, 1, 1), Duration: 20 * time.Second, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// M/D/1-like with exponential service (M/M/1 at ρ=0.9 has mean 9 ms;
	// deterministic arrivals queue less): far above the 0.9 ms service.
	if m := rep.Latency.Mean(); m < 3e6 {
		t.Errorf("mean latency %.0fns at 90%% load; expected queueing (≫ 0.9ms)", m)
	}
	if rep.Latency.Min() < 0 || rep.Latency.Mean() < rep.Service.Mean()-1 {
		t.Errorf("latency mean %v below service mean %v", rep.Latency.Mean(), rep.Service.Mean())
	}
	if rep.Duration < 20*time.Second-time.Millisecond || rep.Duration > 21*time.Second {
		t.Errorf("virtual duration %v, want about 20s", rep.Duration)
	}
	if rep.Ops < 19990 || rep.Ops > 20000 {
		t.Errorf("%d ops in 20s at 1000/s", rep.Ops)
	}
}

// TestSimClosedThink: n clients, service s, think z: throughput n/(s+z).
func TestSimClosedThink(t *testing.T) {
	think, _ := workloads.ParseDurationDist("const:d=1ms")
	srv := newFIFO(100, time.Millisecond)
	rep, err := RunSim(context.Background(), srv, Config{Source: constRate(0, 1, 1), Closed: true, Workers: 10,
		Think: think, Duration: 10 * time.Second, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	tput := float64(rep.Ops) / rep.Duration.Seconds()
	if tput < 4800 || tput > 5200 {
		t.Errorf("throughput %.0f ops/s, want ≈ 10/(1ms+1ms) = 5000", tput)
	}
	if rep.Loop != "closed" || !reflect.DeepEqual(encode(t, rep.Latency), encode(t, rep.Service)) {
		t.Errorf("closed loop: latency must equal service")
	}
}

// TestSimBoundedHeap: the open loop keeps one future arrival per part, so a
// long run's heap stays small.
func TestSimBoundedHeap(t *testing.T) {
	p := &peek{}
	_, err := RunSim(context.Background(), p, Config{Source: constRate(1e6, 1, 1), Ops: 200000, Workers: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if p.max > 8 {
		t.Errorf("heap held up to %d events for 4 parts and instant ops", p.max)
	}
}

type peek struct{ max int }

func (p *peek) Start(w *World, req *Request) {
	p.max = max(p.max, w.Pending())
	w.Complete(req, Outcome{Shard: NoShard})
}

func TestSimCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := RunSim(ctx, newFIFO(1, time.Millisecond), Config{Source: constRate(100, 1, 1), Ops: 1e9})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Interrupted {
		t.Fatal("cancelled run not marked interrupted")
	}
}

func TestSimWarmupByTime(t *testing.T) {
	rep, err := RunSim(context.Background(), newFIFO(4, 100*time.Microsecond),
		Config{Source: constRate(1000, 1, 1), Warmup: 2 * time.Second, Duration: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if rep.WarmupOps != 2000 || rep.Ops != 3000 {
		t.Errorf("warm-up %d, measured %d; want 2000 and 3000 at 1000/s", rep.WarmupOps, rep.Ops)
	}
}

func TestConfigErrors(t *testing.T) {
	src := constRate(100, 1, 1)
	for name, cfg := range map[string]Config{
		"no source":   {Ops: 1},
		"no stop":     {Source: src},
		"negative":    {Source: src, Ops: 1, Workers: -1},
		"bad warm-up": {Source: src, Ops: 1, Warmup: -time.Second},
	} {
		if _, err := RunSim(context.Background(), noopSim{}, cfg); err == nil {
			t.Errorf("%s: RunSim accepted %+v", name, cfg)
		}
		if _, err := RunWall(context.Background(), shardTarget{1}, cfg); err == nil {
			t.Errorf("%s: RunWall accepted %+v", name, cfg)
		}
	}
}

type noopSim struct{}

func (noopSim) Start(w *World, req *Request) { w.Complete(req, Outcome{Shard: NoShard}) }
