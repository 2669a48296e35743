package kafka

import (
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

func simCfg(t *testing.T, raw map[string]string) Config {
	t.Helper()
	cfg, err := ConfigFrom(algotest.Params(t, "kafka/topic", raw))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// driven is the outcome of a run that keeps the cluster going after the
// last op (drive): consumers catch up, so every acknowledged record can be
// checked against what the groups processed.
type driven struct {
	m          map[string]float64
	ops, errs  int
	lastArrive time.Duration
}

// drive runs ops ops of spec on s, then drain more virtual time.
func drive(t *testing.T, s *Sim, spec string, ops int, seed uint64, drain time.Duration) driven {
	t.Helper()
	src, err := algotest.Spec(t, spec).Generator(seed, workloads.Whole)
	if err != nil {
		t.Fatal(err)
	}
	var d driven
	w := harness.NewWorld(seed, func(_ *harness.Request, o harness.Outcome) {
		d.ops++
		if o.Err != nil {
			d.errs++
		}
	})
	s.Setup(w)
	start := func(w *harness.World, req *harness.Request, _ int64) { s.Start(w, req) }
	for i := 0; i < ops; i++ {
		req := &harness.Request{}
		if !src.Next(&req.Op) {
			break
		}
		w.At(req.Op.At, start, req, 0)
		d.lastArrive = req.Op.At
	}
	w.RunUntil(d.lastArrive + drain)
	d.m = s.Metrics()
	return d
}

func runSim(t *testing.T, st harness.SimTarget, spec string, ops uint64, seed uint64) *harness.Report {
	t.Helper()
	return algotest.RunTarget(t, st, algotest.Spec(t, spec), algotest.Options{Clock: algorithms.Virtual, Ops: ops, Seed: seed, Shards: 8})
}

// Every produced record is processed exactly once, in offset order within
// its partition (so each key's records in production order), through two
// rebalances (a consumer leaves, one joins); at the end every partition's
// committed offset is its log end offset: lag 0.
func TestSimExactlyOnceInOrderThroughRebalances(t *testing.T) {
	for _, assignor := range []string{AssignRange, AssignRoundRobin} {
		cfg := simCfg(t, map[string]string{"assignor": assignor, "leave_at": "1500ms", "join_at": "2500ms"})
		s, err := NewSim(cfg)
		if err != nil {
			t.Fatal(err)
		}
		next := make([]int64, cfg.Partitions)
		lastSeq := map[uint64]uint64{}
		bad := 0
		s.OnConsume = func(_, p int, off int64, rec Record) {
			if off != next[p] {
				bad++
			}
			next[p] = off + 1
			if q, ok := lastSeq[rec.Key]; ok && rec.Seq <= q {
				bad++
			}
			lastSeq[rec.Key] = rec.Seq
		}
		d := drive(t, s, Workload, 16000, 3, 3*time.Second)
		m := d.m
		if bad != 0 || m["order_violations"] != 0 {
			t.Errorf("%s: %d ordering faults, %v violations", assignor, bad, m["order_violations"])
		}
		if d.ops != 16000 || d.errs != 0 || m["produced"] != 16000 || m["consumed"] != 16000 || m["lag_final"] != 0 ||
			m["acked"] != 16000 || m["acked_lost"] != 0 || m["acked_unconsumed"] != 0 || m["duplicates"] != 0 {
			t.Errorf("%s: ops %d errors %d metrics %v", assignor, d.ops, d.errs, m)
		}
		if m["rebalances"] != 2 {
			t.Errorf("%s: rebalances %v, want 2", assignor, m["rebalances"])
		}
		for p := 0; p < cfg.Partitions; p++ {
			if s.Committed(p) != s.EndOffset(p) || next[p] != s.EndOffset(p) {
				t.Errorf("%s: partition %d committed %d consumed to %d end %d", assignor, p, s.Committed(p), next[p], s.EndOffset(p))
			}
		}
	}
}

// Membership changes that overlap a rebalance in progress (a leave while
// the join's barrier waits for busy members, or both at once) end in one
// group that consumes everything.
func TestSimOverlappingMembershipChanges(t *testing.T) {
	for _, at := range [][2]string{{"1000ms", "1010ms"}, {"1200ms", "1200ms"}, {"1010ms", "1000ms"}} {
		cfg := simCfg(t, map[string]string{"consumers": "2", "join_at": at[0], "leave_at": at[1], "consume_rate": "1500"})
		s, _ := NewSim(cfg)
		d := drive(t, s, Workload, 8000, 5, 5*time.Second)
		m := d.m
		if d.ops != 8000 || d.errs != 0 || m["consumed"] != 8000 || m["lag_final"] != 0 || m["rebalances"] < 1 || m["rebalances"] > 2 {
			t.Errorf("join %s leave %s: ops %d metrics %v", at[0], at[1], d.ops, m)
		}
		for p := 0; p < cfg.Partitions; p++ {
			if o := s.Owner(p); o != 0 && o != 2 {
				t.Errorf("join %s leave %s: partition %d owned by %d", at[0], at[1], p, o)
			}
		}
	}
}

// Ownership follows the assignor across a leave and a join.
func TestSimRebalanceOwnership(t *testing.T) {
	cfg := simCfg(t, map[string]string{"consumers": "3", "leave_at": "1s", "join_at": "2s"})
	s, _ := NewSim(cfg)
	w := harness.NewWorld(1, func(*harness.Request, harness.Outcome) {})
	s.Setup(w)
	owners := func() []int {
		var o []int
		for p := 0; p < cfg.Partitions; p++ {
			o = append(o, s.Owner(p))
		}
		return o
	}
	eq := func(a, b []int) bool {
		for i := range a {
			if a[i] != b[i] {
				return false
			}
		}
		return len(a) == len(b)
	}
	// range over 8 partitions: 3,3,2.
	if o := owners(); !eq(o, []int{0, 0, 0, 1, 1, 1, 2, 2}) {
		t.Fatalf("initial owners %v", o)
	}
	w.RunUntil(1500 * time.Millisecond)
	if o := owners(); !eq(o, []int{0, 0, 0, 0, 1, 1, 1, 1}) {
		t.Fatalf("after consumer 2 left: %v", o)
	}
	w.RunUntil(2500 * time.Millisecond)
	// consumer 3 joined: members 0, 1, 3.
	if o := owners(); !eq(o, []int{0, 0, 0, 1, 1, 1, 3, 3}) || s.groups[0].rebalances != 2 {
		t.Fatalf("after consumer 3 joined: %v (%d rebalances)", o, s.groups[0].rebalances)
	}
}

// Lag builds during each burst and drains in the silence; with consumers
// that keep up and long polls it stays near zero.
func TestSimLagBuildsAndDrains(t *testing.T) {
	s, _ := NewSim(simCfg(t, nil))
	m := drive(t, s, Workload, 12000, 7, time.Second).m
	// A burst brings about 20000/s × 200 ms = 4000 records; three
	// consumers drain at most 6000/s × 200 ms of them meanwhile.
	if m["lag_max"] < 1500 || m["lag_mean"] > m["lag_max"]/2 || m["lag_final"] != 0 {
		t.Errorf("bursty lag: %v", m)
	}
	if m["lag_partition_max"] > m["lag_max"] || m["lag_skew"] < 1 {
		t.Errorf("partition lag %v above group lag %v, skew %v", m["lag_partition_max"], m["lag_max"], m["lag_skew"])
	}

	fast, _ := NewSim(simCfg(t, map[string]string{"consume_rate": "1e6", "fetch": "long"}))
	mf := drive(t, fast, Workload, 12000, 7, time.Second).m
	// What lag is left is the fetch round trip: a burst's 20 records/ms
	// during the 1 ms a fetch and its answer spend on the network.
	if mf["lag_max"] > 60 || mf["lag_mean"] > 10 {
		t.Errorf("fast consumers: %v", mf)
	}
	// The same consumers polling on a 100 ms timer let up to 100 ms of a
	// burst pile up.
	timer, _ := NewSim(simCfg(t, map[string]string{"consume_rate": "1e6"}))
	mt := runSim(t, timer, Workload, 12000, 7).Metrics
	if mt["lag_max"] < 500 {
		t.Errorf("timer polls: %v", mt)
	}
}

// Hot keys under Zipf make hot partitions; uniform keys do not.
func TestSimHotKeysMakeHotPartitions(t *testing.T) {
	zipf, _ := NewSim(simCfg(t, map[string]string{}))
	mz := runSim(t, zipf, "mix=produce:1 keys=zipf:theta=0.99,n=100000 arrival=poisson:rate=10000", 20000, 1).Metrics
	uni, _ := NewSim(simCfg(t, map[string]string{}))
	mu := runSim(t, uni, "mix=produce:1 keys=uniform:n=100000 arrival=poisson:rate=10000", 20000, 1).Metrics
	if mz["partition_max_mean"] < 1.3 || mu["partition_max_mean"] > 1.1 {
		t.Errorf("partition_max_mean zipf %v uniform %v", mz["partition_max_mean"], mu["partition_max_mean"])
	}
	// Null keys with the round-robin partitioner are perfectly even.
	rr, _ := NewSim(simCfg(t, map[string]string{"key": "null", "null_partitioner": "round-robin"}))
	if m := runSim(t, rr, "mix=produce:1 keys=zipf:theta=0.99,n=100000 arrival=poisson:rate=10000", 16000, 1).Metrics; m["partition_max_mean"] != 1 {
		t.Errorf("round-robin null keys: %v", m["partition_max_mean"])
	}
}

// Retention that deletes records before slow consumers reach them loses
// them: their produce ops fail, the group skips ahead.
func TestSimRetentionLosesUnconsumed(t *testing.T) {
	s, _ := NewSim(simCfg(t, map[string]string{"segment_bytes": "2000", "retention_bytes": "4000", "consume_rate": "100", "partitions": "2", "consumers": "1"}))
	d := drive(t, s, "mix=produce:1 keys=uniform:n=1000 arrival=poisson:rate=2000", 4000, 2, 3*time.Second)
	m := d.m
	if m["lost"] == 0 || d.errs != 0 || d.ops != 4000 || m["lag_final"] != 0 {
		t.Errorf("errors %d metrics %v", d.errs, m)
	}
	// Every record is either processed or lost, never both: a record a
	// consumer fetched before retention deleted its segment is processed.
	// Counting from the committed offset instead of the fetch position
	// made consumed + lost exceed produced. The records retention took
	// are exactly the acknowledged ones no consumer saw.
	if m["consumed"]+m["lost"] != m["produced"] || m["lost"] != m["acked_lost"] || m["acked_unconsumed"] != 0 {
		t.Errorf("consumed %v + lost %v ≠ produced %v, or lost ≠ acked_lost %v", m["consumed"], m["lost"], m["produced"], m["acked_lost"])
	}
}

func TestSimDeterministic(t *testing.T) {
	run := func() *harness.Report {
		s, _ := NewSim(simCfg(t, map[string]string{"leave_at": "700ms"}))
		return runSim(t, s, Workload, 6000, 11)
	}
	algotest.SameRun(t, "kafka/topic", run(), run())
}

func TestBadParams(t *testing.T) {
	algotest.ResolveCases(t, "kafka/topic", map[string]string{
		"consumers=1,leave_at=1s":                 "leave_at",
		"segment_bytes=1000,retention_bytes=500":  "retention_bytes=500",
		"assignor=sticky":                         "range|round-robin",
		"partitions=0":                            "partitions",
		"consume_rate=0":                          "consume_rate",
		"key=bytes":                               "decimal|null",
		"consumers=2,leave_at=1s,join_at=500ms":   "",
		"consumers=1,leave_at=1s,join_at=500ms":   "",
		"segment_bytes=1000,retention_bytes=1000": "",
		"null_partitioner=random,key=null":        "sticky|round-robin",
	})
}

// Unsupported kinds fail; reads fetch from the key's partition.
func TestSimKinds(t *testing.T) {
	s, _ := NewSim(simCfg(t, nil))
	rep := runSim(t, s, "mix=read:0.5,acquire:0.5 keys=uniform:n=100 arrival=poisson:rate=1000", 1000, 1)
	if rep.Kinds[workloads.Acquire].Errors != rep.Kinds[workloads.Acquire].Ops || rep.Kinds[workloads.Read].Errors != 0 || rep.Kinds[workloads.Read].Ops == 0 {
		t.Errorf("kinds: %+v", rep.Kinds)
	}
}

// A consumer that leaves while it is already stopped at a rebalance's
// barrier (another member is still busy) leaves for good: the next
// assignment does not give it partitions.
func TestSimLeaveDuringBarrier(t *testing.T) {
	cfg := simCfg(t, map[string]string{"partitions": "2", "consumers": "2", "fetch": "long", "consume_rate": "1000",
		"join_at": "100ms", "leave_at": "200ms"})
	s, _ := NewSim(cfg)
	w := harness.NewWorld(1, func(*harness.Request, harness.Outcome) {})
	s.Setup(w)
	var key uint64
	for PartitionForKey(KeyBytes(nil, key), 2) != 0 {
		key++
	}
	produce := func(w *harness.World, _ *harness.Request, _ int64) {
		for i := 0; i < 500; i++ {
			s.Start(w, &harness.Request{Op: workloads.Op{Kind: workloads.Produce, Key: key, Seq: uint64(i), Size: 10}})
		}
	}
	w.At(time.Millisecond, produce, nil, 0)
	w.RunUntil(150 * time.Millisecond)
	if !s.groups[0].rebalancing || s.cons[1].state != barrier || s.cons[0].state != busy {
		t.Fatalf("setup: rebalancing %v, states %v %v", s.groups[0].rebalancing, s.cons[0].state, s.cons[1].state)
	}
	w.RunUntil(2 * time.Second)
	for p := 0; p < 2; p++ {
		if o := s.Owner(p); o != 0 && o != 2 {
			t.Errorf("partition %d owned by %d after consumer 1 left", p, o)
		}
	}
	if s.groups[0].rebalances != 1 || s.Committed(0) != 500 {
		t.Errorf("rebalances %d, committed %d", s.groups[0].rebalances, s.Committed(0))
	}
}
