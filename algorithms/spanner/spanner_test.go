package spanner

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

var paperTT = TTConfig{EpsilonMin: time.Millisecond, Drift: 200e-6, Poll: 30 * time.Second}

// The TrueTime guarantee: the true time is always inside TT.now(), and ε is
// the paper's sawtooth, 1 ms after a poll, 7 ms just before the next.
func TestTrueTimeInterval(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		c := NewClock(paperTT, r)
		if c.Phase < 0 || c.Phase >= paperTT.Poll || c.Rate < -paperTT.Drift || c.Rate > paperTT.Drift {
			t.Fatalf("clock draw out of bounds: %+v", c)
		}
		for range 2000 {
			at := time.Duration(r.Int64N(int64(300 * time.Second)))
			e, l := c.Now(at)
			if e > at || l < at {
				t.Fatalf("t=%v outside TT.now()=[%v, %v]", at, e, l)
			}
			if w := l - e; w < 2*time.Millisecond-2 || w > 14*time.Millisecond+2 {
				t.Fatalf("width %v at %v outside [2ms, 14ms]", w, at)
			}
		}
		if e := c.Epsilon(c.Phase + paperTT.Poll); e != time.Millisecond {
			t.Errorf("ε right after a poll = %v, want 1ms", e)
		}
		if e := c.Epsilon(c.Phase + 2*paperTT.Poll - 1); e < 6999*time.Microsecond || e > 7*time.Millisecond {
			t.Errorf("ε just before a poll = %v, want ≈7ms", e)
		}
	}
	if m := paperTT.MeanEpsilon(); m != 4*time.Millisecond {
		t.Errorf("mean ε = %v, want 4ms", m)
	}
}

// AfterTime is the first nanosecond at which TT.after(s) holds: checked
// against the definition, across poll boundaries too.
func TestAfterTimeIsFirstInstant(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	short := TTConfig{EpsilonMin: time.Millisecond, Drift: 0.01, Poll: 20 * time.Millisecond}
	for _, cfg := range []TTConfig{paperTT, short} {
		for range 3000 {
			c := NewClock(cfg, r)
			t0 := time.Duration(r.Int64N(int64(100 * time.Second)))
			_, s := c.Now(t0)
			got := c.AfterTime(s, t0)
			if !c.After(s, got) || (got > t0 && c.After(s, got-1)) {
				t.Fatalf("AfterTime(%v, %v) = %v is not the first instant", s, t0, got)
			}
			// No earlier instant in between (coarse scan for a poll jump).
			for u := t0; u < got; u += (got - t0) / 50 {
				if c.After(s, u) {
					t.Fatalf("TT.after(%v) already held at %v < %v", s, u, got)
				}
				if got == t0 {
					break
				}
			}
		}
	}
}

func run(t *testing.T, raw map[string]string, spec string, dur time.Duration, seed uint64) *harness.Report {
	t.Helper()
	return algotest.Run(t, "spanner/truetime", raw, spec, algotest.Options{Clock: algorithms.Virtual, Duration: dur, Seed: seed, Shards: 4})
}

// near reports whether got is within 0.2% of want (the latency histogram
// keeps three significant digits).
func near(got, want float64) bool { return math.Abs(got-want) <= 0.002*want+1e-9 }

// A read-write transaction with constant delays d, fsync f and a constant
// ε (drift=0): the client's request takes d to the leader, which picks
// s = TT.now().latest and at once sends accepts and starts commit wait.
// Paxos is done when a majority holds the slot durably: the leader's own
// fsync (f) and two replicas' (d + f + d), so 2d + f with 5 nodes and f with
// one. Commit wait ends when TT.now().earliest > s: 2ε later (plus one or
// two nanoseconds of rounding). The reply leaves at the later of the two
// and takes d: latency = 2d + max(Paxos, 2ε) — commit wait overlaps
// replication, and only the part beyond it is exposed.
func TestCommitLatencyTheory(t *testing.T) {
	for _, c := range []struct {
		nodes      int
		eps, d, f  time.Duration
		commitWait bool
	}{
		{5, 2 * time.Millisecond, 500 * time.Microsecond, 0, true},                    // commit wait exposed: 1 + 4 ms
		{5, 100 * time.Microsecond, time.Millisecond, 0, true},                        // hidden behind Paxos: 2 + 2 ms
		{5, time.Millisecond, 250 * time.Microsecond, 2 * time.Millisecond, true},     // hidden behind the fsyncs: 0.5 + 2.5 ms
		{3, 3 * time.Millisecond, 250 * time.Microsecond, 2 * time.Millisecond, true}, // 0.5 + 6 ms
		{1, time.Millisecond, 250 * time.Microsecond, 0, true},                        // one replica: 0.5 + 2 ms
		{1, time.Millisecond, 250 * time.Microsecond, 0, false},                       // the paper's "1D": 0.5 ms
	} {
		raw := map[string]string{
			"nodes": fmt.Sprint(c.nodes), "epsilon_min": c.eps.String(), "drift": "0s", "poll": "1h",
			"delay": "const:d=" + c.d.String(), "fsync": "const:d=" + c.f.String(), "commit_wait": fmt.Sprint(c.commitWait), "groups": "1",
		}
		rep := run(t, raw, "mix=update:1 keys=uniform:n=1000000 arrival=constant:rate=50", 20*time.Second, 11)
		m := rep.Metrics
		paxos := c.f
		if c.nodes > 1 {
			paxos = 2*c.d + c.f
		}
		wait := time.Duration(0)
		if c.commitWait {
			wait = 2 * c.eps
		}
		want := float64(2*c.d + max(paxos, wait))
		label := fmt.Sprintf("nodes=%d ε=%v d=%v f=%v commit_wait=%v", c.nodes, c.eps, c.d, c.f, c.commitWait)
		if m["lock_waits"] != 0 || rep.Ops < 800 || rep.Errors != 0 {
			t.Fatalf("%s: lock waits %v, ops %d, errors %d", label, m["lock_waits"], rep.Ops, rep.Errors)
		}
		lo, hi := float64(rep.Latency.Min()), float64(rep.Latency.Max())
		if !near(lo, want) || !near(hi, want) {
			t.Errorf("%s: latency %v … %v, want %v", label, time.Duration(lo), time.Duration(hi), time.Duration(want))
		}
		if !c.commitWait {
			if _, ok := m["commit_wait_ms"]; ok {
				t.Errorf("%s: commit wait reported", label)
			}
			continue
		}
		if cw := m["commit_wait_ms"]; math.Abs(cw-2*ms(c.eps)) > 1e-5 {
			t.Errorf("%s: commit_wait_ms = %v, want 2ε = %v", label, cw, 2*ms(c.eps))
		}
		if ex := m["commit_wait_exposed_ms"]; math.Abs(ex-ms(max(0, wait-paxos))) > 1e-5 {
			t.Errorf("%s: commit_wait_exposed_ms = %v, want %v", label, ex, ms(max(0, wait-paxos)))
		}
		if v := m["external_consistency_violations"] + m["snapshot_violations"]; v != 0 {
			t.Errorf("%s: %v violations", label, v)
		}
	}
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// Snapshot reads with constant delays d. A fresh read (t = TT.now().latest)
// served by the leader waits for nothing (the leader promises no later
// write at or below t) and costs the client's round trip, 2d; served by a
// replica, it waits for the leader's promise, one more round trip: 4d, of
// which 2d is the safe-time wait. A read 100 ms in the past, on a group
// whose writes keep the replicas' safe time fresh, waits for nothing. (The
// leader answers a replica once its own TT.now().latest reaches the read's
// t; the clocks' offsets, within ±epsilon_min = ±50µs, stay below d, so
// that never adds to the round trip here.)
func TestSnapshotReadSafeTimeWait(t *testing.T) {
	d := 400 * time.Microsecond
	base := map[string]string{"delay": "const:d=400us", "groups": "1", "epsilon_min": "50us", "drift": "0s", "poll": "1h"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	readOnly := "mix=read:1 keys=uniform:n=1000 arrival=poisson:rate=200 clients=uniform:n=50"

	lead := run(t, with("reads", "leader"), readOnly, 5*time.Second, 1)
	if lo, hi := float64(lead.Latency.Min()), float64(lead.Latency.Max()); !near(lo, float64(2*d)) || !near(hi, float64(2*d)) {
		t.Errorf("reads at the leader: latency %v … %v, want 2d = %v", time.Duration(lo), time.Duration(hi), 2*d)
	}
	if m := lead.Metrics; m["safe_time_wait_ms"] != 0 || m["reads_replica"] != 0 || m["reads_leader"] != float64(lead.Ops) {
		t.Errorf("reads at the leader: %v", m)
	}

	near5 := run(t, with("reads", "nearest"), readOnly, 5*time.Second, 1)
	m := near5.Metrics
	share := m["reads_replica"] / float64(near5.Ops)
	if share < 0.7 || share > 0.9 || m["reads_leader"]+m["reads_replica"] != float64(near5.Ops) {
		t.Fatalf("nearest replica: %v of %d reads at replicas (want ≈ 4/5)", m["reads_replica"], near5.Ops)
	}
	if lo, hi := float64(near5.Latency.Min()), float64(near5.Latency.Max()); !near(lo, float64(2*d)) || !near(hi, float64(4*d)) {
		t.Errorf("fresh reads at replicas: latency %v … %v, want 2d … 4d", time.Duration(lo), time.Duration(hi))
	}
	if p := m["safe_time_wait_ms_p99"]; !near(p, ms(2*d)) {
		t.Errorf("safe_time_wait_ms_p99 = %v, want 2d = %v", p, ms(2*d))
	}
	if w := m["safe_time_wait_ms"]; math.Abs(w-share*ms(2*d)) > 1e-3 {
		t.Errorf("safe_time_wait_ms = %v, want %v (the replicas' share × 2d)", w, share*ms(2*d))
	}

	mixed := "mix=read:0.5,update:0.5 keys=uniform:n=1000 arrival=poisson:rate=500 clients=uniform:n=50"
	fresh := run(t, with(), mixed, 5*time.Second, 2)
	stale := run(t, with("staleness", "100ms"), mixed, 5*time.Second, 2)
	if fresh.Metrics["safe_time_waits"] < 0.5*fresh.Metrics["reads_replica"] {
		t.Errorf("fresh reads: only %v of %v replica reads waited", fresh.Metrics["safe_time_waits"], fresh.Metrics["reads_replica"])
	}
	if s := stale.Metrics; s["safe_time_waits"] != 0 || s["safe_time_wait_ms"] != 0 || s["reads_replica"] < 500 {
		t.Errorf("reads 100ms in the past waited: %v", s)
	}
	for _, r := range []*harness.Report{lead, near5, fresh, stale} {
		if v := r.Metrics["external_consistency_violations"] + r.Metrics["snapshot_violations"]; v != 0 {
			t.Errorf("%v violations", v)
		}
	}
}

// The paper's arithmetic: ε̄ = (1+7)/2 = 4 ms, so the mean commit wait is
// about 2ε̄ = 8 ms when no read raises the leader's timestamps; external
// consistency holds with commit wait and breaks without it.
func TestCommitWaitTheoryAndExternalConsistency(t *testing.T) {
	spec := "mix=update:1 keys=uniform:n=100000 arrival=poisson:rate=300 clients=50"
	rep := run(t, nil, spec, 300*time.Second, 7)
	m := rep.Metrics
	if e := m["epsilon_mean"]; e < 3.6 || e > 4.4 {
		t.Errorf("epsilon_mean = %.3f ms, want ≈ 4", e)
	}
	if cw := m["commit_wait_ms"]; cw < 7.2 || cw > 8.8 {
		t.Errorf("commit_wait_ms = %.3f ms, want ≈ 2ε̄ = 8", cw)
	}
	if mx := m["commit_wait_ms_max"]; mx > 14.1 || mx < 12 {
		t.Errorf("commit_wait_ms_max = %.3f ms, want just under 2·7 ms", mx)
	}
	if v := m["external_consistency_violations"]; v != 0 {
		t.Errorf("%v external-consistency violations with commit wait", v)
	}
	if rep.Errors != 0 || m["rw_txns"] < 80000 {
		t.Errorf("errors %d, rw %v", rep.Errors, m["rw_txns"])
	}
}

// Over seeds, with jitter, CPU costs, random fsyncs and hot keys, the safe
// model has no violation; switching off commit wait breaks external
// consistency and switching off the safe-time wait breaks snapshots — the
// checkers catch both.
func TestConsistencyOverSeedsAndBrokenVariants(t *testing.T) {
	spec := "mix=read:0.5,update:0.5 keys=zipf:theta=0.9,n=200 arrival=poisson:rate=1000 clients=uniform:n=40"
	raw := map[string]string{"jitter": "exp:mean=300us", "cpu_send": "const:d=5us", "cpu_recv": "const:d=5us",
		"fsync": "exp:mean=1ms", "poll": "2s", "drift": "2ms"}
	for seed := uint64(1); seed <= 10; seed++ {
		rep := run(t, raw, spec, 3*time.Second, seed)
		m := rep.Metrics
		if v := m["external_consistency_violations"] + m["snapshot_violations"]; v != 0 || rep.Errors != 0 {
			t.Errorf("seed %d: %v violations, %d errors", seed, v, rep.Errors)
		}
		if m["safe_time_waits"] == 0 || m["lock_waits"] == 0 || m["reads_replica"] == 0 {
			t.Errorf("seed %d: the run exercised too little: %v", seed, m)
		}
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{k: v}
		for a, b := range raw {
			m[a] = b
		}
		return m
	}
	if v := run(t, with("commit_wait", "false"), spec, 3*time.Second, 1).Metrics["external_consistency_violations"]; v == 0 {
		t.Error("commit_wait=false: no external-consistency violation caught")
	}
	if v := run(t, with("safe_wait", "false"), spec, 3*time.Second, 1).Metrics["snapshot_violations"]; v == 0 {
		t.Error("safe_wait=false: no snapshot violation caught")
	}
}

// Same seed, same run, whole report; the tour workload runs with every
// group serving.
func TestTourDeterministic(t *testing.T) {
	a := run(t, nil, Workload, time.Second, 3)
	b := run(t, nil, Workload, time.Second, 3)
	algotest.SameRun(t, "spanner/truetime", a, b)
	if a.Ops < 1500 || a.Errors != 0 || len(a.ShardOps) < 4 {
		t.Fatalf("ops %d errors %d shards %v", a.Ops, a.Errors, a.ShardOps)
	}
	for i := 0; i < 4; i++ {
		if a.ShardOps[i] == 0 {
			t.Errorf("group %d served nothing", i)
		}
	}
	c := run(t, nil, Workload, time.Second, 4)
	if c.Latency.Equals(a.Latency) {
		t.Error("two seeds gave the same latencies")
	}
}

// Writes to one key serialise on its lock and take increasing timestamps;
// reads at a snapshot that covers an in-flight write wait for it.
func TestLocksAndSnapshotReads(t *testing.T) {
	rep := run(t, nil, "mix=read:0.5,update:0.5 keys=uniform:n=3 arrival=poisson:rate=400", 10*time.Second, 5)
	m := rep.Metrics
	if m["lock_waits"] == 0 || m["safe_time_waits"] == 0 {
		t.Errorf("3 hot keys at 400/s: lock_waits %v safe_time_waits %v", m["lock_waits"], m["safe_time_waits"])
	}
	if m["external_consistency_violations"] != 0 || m["snapshot_violations"] != 0 {
		t.Errorf("violations %v", m)
	}
}

func TestBadParams(t *testing.T) {
	info, _ := algorithms.Lookup("spanner/truetime")
	for raw, want := range map[string]string{
		"groups=0":            "groups",
		"poll=0s":             "poll",
		"epsilon_min=-1ms":    "epsilon_min",
		"commit_wait=maybe":   "commit_wait",
		"drift=90ms/poll=1h":  "drift=90ms",
		"reads=any":           "nearest|leader",
		"nodes=0":             "nodes",
		"staleness=-1s":       "staleness",
		"replication_delay=x": "replication_delay", // removed: Paxos is messages on the cluster now
		"partition=isolate:1": "partition",         // no retransmission: partitions are not offered
		"lease=20ms":          "lease=20ms",        // below 8 × the top of ε (7ms)
	} {
		m := map[string]string{}
		for _, kv := range strings.Split(raw, "/") {
			k, v, _ := strings.Cut(kv, "=")
			m[k] = v
		}
		_, err := info.Resolve(m)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error naming %q", raw, err, want)
		}
	}
}

func BenchmarkAfterTime(b *testing.B) {
	c := NewClock(paperTT, rand.New(rand.NewPCG(1, 1)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		t0 := time.Duration(i) * 997 * time.Microsecond
		_, s := c.Now(t0)
		_ = c.AfterTime(s, t0)
	}
}

func BenchmarkSimTour(b *testing.B) { benchSim(b, "spanner/truetime", Workload) }

// benchSim runs target name with its default parameters on spec for b.N
// ops in virtual time: the whole simulation (harness, generator, cluster)
// per op.
func benchSim(b *testing.B, name, spec string) {
	info, _ := algorithms.Lookup(name)
	p, _ := info.Resolve(nil)
	ws, _ := workloads.ParseSpec(spec)
	st, err := info.NewSim(algorithms.Env{Params: p, Seed: 1, Clock: algorithms.Virtual, Workload: ws, Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	if _, err := harness.RunSim(context.Background(), st, harness.Config{
		Source: func(part workloads.Part) (workloads.Source, error) { return ws.Generator(1, part) },
		Ops:    uint64(b.N), Seed: 1, Shards: 4, Clients: ws.Clients(),
	}); err != nil {
		b.Fatal(err)
	}
}

// A write that starts after a snapshot read of its key completed must get a
// timestamp above the read's: otherwise the same snapshot read again would
// see it. TT.now().latest drops at each poll (by up to drift·poll), so a
// leader that did not keep its write timestamps above the reads it served
// broke this just after a poll; short polls and a large drift make it
// frequent (53 violations on this run before the fix).
func TestWritesAboveServedReads(t *testing.T) {
	raw := map[string]string{"poll": "50ms", "drift": "100ms"}
	rep := run(t, raw, "mix=read:0.5,update:0.5 keys=uniform:n=2 arrival=poisson:rate=400", 60*time.Second, 1)
	if v := rep.Metrics["external_consistency_violations"]; v != 0 {
		t.Errorf("%v writes got a timestamp at or below a snapshot read of their key served before they started", v)
	}
	if rep.Metrics["ro_txns"] < 10000 || rep.Metrics["rw_txns"] < 10000 {
		t.Errorf("too few transactions: %v", rep.Metrics)
	}
}

// crash=leader: the group's leader dies, its in-flight transactions fail,
// and after the lease a replica is elected (phase 1 at a higher ballot) and
// serves; timestamps stay monotonic across leaders, so both checkers stay
// at 0. The failover takes between the lease less a heartbeat interval
// (the replicas last heard from the leader up to Lease/4 before it died)
// and the lease plus the election's round trip.
func TestLeaderFailover(t *testing.T) {
	spec := "mix=read:0.5,update:0.5 keys=uniform:n=10000 arrival=poisson:rate=1000 clients=uniform:n=50"
	for seed := uint64(1); seed <= 5; seed++ {
		for _, lease := range []time.Duration{200 * time.Millisecond, time.Second} {
			raw := map[string]string{"crash": "leader", "crash_at": "2s", "restart_at": "5s", "lease": lease.String(), "jitter": "exp:mean=200us"}
			rep := run(t, raw, spec, 8*time.Second, seed)
			m := rep.Metrics
			label := fmt.Sprintf("seed %d lease %v", seed, lease)
			if m["elections"] != 1 {
				t.Errorf("%s: %v elections, want 1", label, m["elections"])
			}
			if f := m["failover_ms"]; f < 0.75*ms(lease) || f > ms(lease)+10 {
				t.Errorf("%s: failover %.1f ms, want within [%.0f, %.0f]", label, f, 0.75*ms(lease), ms(lease)+10)
			}
			if v := m["external_consistency_violations"] + m["snapshot_violations"]; v != 0 {
				t.Errorf("%s: %v violations", label, v)
			}
			if rep.Errors == 0 || m["txn_failed"] != float64(rep.Errors) {
				t.Errorf("%s: %d errors, txn_failed %v: the dead leader's transactions should fail", label, rep.Errors, m["txn_failed"])
			}
			// Only the crashed leader's group and clients are hit, and only
			// while it is down: a fraction of the 8000 ops.
			if float64(rep.Errors) > 0.2*float64(rep.Ops) {
				t.Errorf("%s: %d of %d ops failed", label, rep.Errors, rep.Ops)
			}
		}
	}
}

// Random crashes and restarts (crash=random) never break external
// consistency or snapshots, and a faulty run repeats byte for byte.
func TestFailoverConsistencyAndDeterminism(t *testing.T) {
	spec := "mix=read:0.5,update:0.5 keys=zipf:theta=0.9,n=500 arrival=poisson:rate=800 clients=uniform:n=40"
	for seed := uint64(1); seed <= 8; seed++ {
		raw := map[string]string{"crash": "random", "crash_at": "1s", "restart_at": "1500ms", "lease": "300ms",
			"jitter": "exp:mean=300us", "fsync": "exp:mean=500us", "groups": "5", "nodes": "3"}
		a := run(t, raw, spec, 4*time.Second, seed)
		if v := a.Metrics["external_consistency_violations"] + a.Metrics["snapshot_violations"]; v != 0 {
			t.Errorf("seed %d: %v violations", seed, v)
		}
		if seed <= 2 {
			algotest.SameRun(t, fmt.Sprintf("crash=random seed %d", seed), a, run(t, raw, spec, 4*time.Second, seed))
		}
	}
}

// The lease bound is what keeps timestamps monotonic across leaders: with
// it lifted and a 1 ms lease (ε up to 16 ms), a new leader takes over while
// its clock's TT.now().latest is still below snapshot reads its predecessor
// served, gives a write a timestamp inside them, and the snapshot checker
// catches it (seed 4: 4 such writes).
func TestLeaseBoundCaughtWhenLifted(t *testing.T) {
	defer func(f time.Duration) { minLeaseFactor = f }(minLeaseFactor)
	minLeaseFactor = 0
	raw := map[string]string{"crash": "leader", "crash_at": "2s", "lease": "1ms", "epsilon_min": "10ms", "reads": "leader"}
	rep := run(t, raw, "mix=read:0.5,update:0.5 keys=uniform:n=20 arrival=poisson:rate=3000 clients=uniform:n=50", 5*time.Second, 4)
	if v := rep.Metrics["snapshot_violations"]; v == 0 || rep.Metrics["elections"] != 1 {
		t.Errorf("unsafe lease: %v snapshot violations, %v elections", v, rep.Metrics["elections"])
	}
}
