package spanner

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
	"github.com/dsbench/dsbench/bench"
	"github.com/dsbench/dsbench/harness"
)

// hot is a contended workload: 64 rows of 64 groups, zipf-skewed, a quarter
// blind writes, a quarter read-modify-writes, half read-only transactions.
const hot = "mix=update:0.25,rmw:0.25,read:0.5 keys=zipf:theta=0.9,n=4096 arrival=poisson:rate=400 clients=uniform:n=100"

func runTxn(t *testing.T, raw map[string]string, spec string, o algotest.Options) *harness.Report {
	t.Helper()
	o.Clock = algorithms.Virtual
	return algotest.Run(t, "spanner/txn", raw, spec, o)
}

// Two-phase commit's latency with constant delays d, fsync f and exact
// clocks (ε = 0, so commit wait ends at once): one participant is the
// single-group path, 2d (client round trip) + one Paxos round (2d + f: two
// replicas' accept round trips beside the leader's fsync); with more the
// client's write reaches each participant (d), which logs its prepare
// (2d + f) and tells the coordinator (d); the coordinator logs the commit
// (2d + f) and replies (d): 7d + 2f. (With a disk, more participants also
// queue at each other's disks: every node replicates every group; with
// f = 0 it stays 7d.) With ε > 0 and drift 0 the single
// participant's commit wait (2ε) overlaps the Paxos round: 2d + max(2ε,
// 2d + f).
func TestTxnCommitLatencyTheory(t *testing.T) {
	d := 300 * time.Microsecond
	for _, c := range []struct {
		p      int
		eps, f time.Duration
		want   time.Duration
	}{
		{1, 0, 700 * time.Microsecond, 4*d + 700*time.Microsecond},
		{2, 0, 700 * time.Microsecond, 7*d + 1400*time.Microsecond},
		{5, 0, 0, 7 * d},
		{1, 2 * time.Millisecond, 700 * time.Microsecond, 2*d + 4*time.Millisecond},
	} {
		raw := map[string]string{"participants": fmt.Sprint(c.p), "epsilon_min": c.eps.String(), "drift": "0s", "poll": "1h",
			"delay": "const:d=" + d.String(), "jitter": "0s", "fsync": "const:d=" + c.f.String()}
		rep := runTxn(t, raw, "mix=update:1 keys=uniform:n=1000000 arrival=constant:rate=50", algotest.Options{Duration: 10 * time.Second, Seed: 5})
		m := rep.Metrics
		if !near(m["commit_ms"], ms(c.want)) || !near(m["commit_ms_p99"], ms(c.want)) {
			t.Errorf("participants=%d ε=%v: commit_ms=%v p99=%v, want %v", c.p, c.eps, m["commit_ms"], m["commit_ms_p99"], ms(c.want))
		}
		if m["aborts"] != 0 || m["external_consistency_violations"] != 0 {
			t.Errorf("participants=%d: %v aborts, %v violations uncontended", c.p, m["aborts"], m["external_consistency_violations"])
		}
	}
}

// External consistency, snapshot correctness and cross-group atomicity of
// read-only transactions hold over seeds and participant counts, on hot
// keys (wounds happen), with random network jitter, random fsyncs, CPU
// costs and a slow node.
func TestTxnConsistencyOverSeeds(t *testing.T) {
	aborts := 0.0
	for seed := uint64(1); seed <= 4; seed++ {
		for _, p := range []string{"1", "3", "8"} {
			raw := map[string]string{"participants": p, "cpu_recv": "const:d=20us", "cpu_send": "const:d=10us", "slow": "2:3"}
			rep := runTxn(t, raw, hot, algotest.Options{Duration: 3 * time.Second, Seed: seed})
			m := rep.Metrics
			for _, k := range []string{"external_consistency_violations", "snapshot_violations", "torn_reads"} {
				if m[k] != 0 {
					t.Errorf("seed %d participants=%s: %s = %v", seed, p, k, m[k])
				}
			}
			if rep.Errors != 0 || m["rw_txns"] == 0 || m["ro_txns"] == 0 {
				t.Errorf("seed %d participants=%s: %d errors, %v rw, %v ro", seed, p, rep.Errors, m["rw_txns"], m["ro_txns"])
			}
			if p != "1" && m["prepared_waits"] == 0 {
				t.Errorf("seed %d participants=%s: no read waited for a prepared transaction", seed, p)
			}
			aborts += m["aborts"]
		}
	}
	if aborts == 0 {
		t.Error("no wounds on hot keys")
	}
}

// Each safeguard switched off is caught: no commit wait breaks external
// consistency; serving reads before t_safe, ignoring prepared transactions
// in t_safe, or a commit timestamp below a participant's prepare timestamp
// break the snapshot (and the cross-group atomicity) of read-only
// transactions.
func TestTxnBrokenVariantsCaught(t *testing.T) {
	exact := map[string]string{"participants": "2", "fsync": "0s", "jitter": "0s", "commit_wait": "false"}
	if m := runTxn(t, exact, TxnWorkload, algotest.Options{Duration: 10 * time.Second, Seed: 2}).Metrics; m["external_consistency_violations"] == 0 {
		t.Error("commit_wait=false: no external-consistency violation found")
	}
	if m := runTxn(t, map[string]string{"participants": "3", "safe_wait": "false"}, hot, algotest.Options{Duration: 3 * time.Second, Seed: 1}).Metrics; m["snapshot_violations"] == 0 || m["torn_reads"] == 0 {
		t.Errorf("safe_wait=false: %v snapshot violations, %v torn reads", m["snapshot_violations"], m["torn_reads"])
	}
	for name, flag := range map[string]*bool{"no t_TM": &brokenNoTM, "s below a prepare timestamp": &brokenIgnorePrepare} {
		*flag = true
		m := runTxn(t, map[string]string{"participants": "3"}, hot, algotest.Options{Duration: 3 * time.Second, Seed: 1}).Metrics
		*flag = false
		if m["snapshot_violations"] == 0 {
			t.Errorf("%s: no snapshot violation found", name)
		}
	}
}

// Wound-wait never deadlocks: a closed loop of rmw transactions on a few hot
// rows, each over 4 groups taken in different orders, finishes every op,
// with wounds. With wounds switched off the same run deadlocks: its
// clients stop (fewer ops than asked, or the run never reaches them).
func TestWoundWaitNoDeadlock(t *testing.T) {
	spec := "mix=rmw:0.7,update:0.3 keys=uniform:n=64 clients=uniform:n=40 arrival=closed"
	raw := map[string]string{"participants": "4", "groups": "8"}
	rep := runTxn(t, raw, spec, algotest.Options{Ops: 3000, Seed: 2, Workers: 40})
	if rep.Ops != 3000 || rep.Errors != 0 || rep.Metrics["aborts"] == 0 {
		t.Fatalf("ops %d errors %d aborts %v, want 3000, 0, > 0", rep.Ops, rep.Errors, rep.Metrics["aborts"])
	}
	if rep.Metrics["external_consistency_violations"] != 0 {
		t.Errorf("violations %v", rep.Metrics["external_consistency_violations"])
	}
	brokenNoWound = true
	defer func() { brokenNoWound = false }()
	target := algotest.Build(t, "spanner/txn", raw, spec, algotest.Options{Clock: algorithms.Virtual, Seed: 2, Workers: 40})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rep2, err := bench.Measure(ctx, target, algotest.Spec(t, spec), bench.Options{Clock: algorithms.Virtual, Ops: 3000, Seed: 2, Workers: 40})
	if err == nil && rep2.Ops == 3000 && !rep2.Interrupted {
		t.Errorf("without wounds every op finished: ops %d", rep2.Ops)
	}
	if err == nil {
		t.Logf("without wounds: %d of 3000 ops", rep2.Ops)
	}
}

// The shape of the paper's Table 4: commit latency grows with the number of
// participants, as the coordinator waits for the slowest prepare.
func TestTxnLatencyGrowsWithParticipants(t *testing.T) {
	var last float64
	for _, p := range []int{1, 2, 10, 25} {
		m := runTxn(t, map[string]string{"participants": fmt.Sprint(p)}, TxnWorkload, algotest.Options{Duration: 2 * time.Second, Seed: 3}).Metrics
		if m["commit_ms"] <= last {
			t.Errorf("participants=%d: commit_ms %v not above %v", p, m["commit_ms"], last)
		}
		last = m["commit_ms"]
		if m["external_consistency_violations"] != 0 || m["snapshot_violations"] != 0 {
			t.Errorf("participants=%d: violations", p)
		}
	}
}

func TestTxnBadParams(t *testing.T) {
	info, err := algorithms.Lookup("spanner/txn")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		raw  map[string]string
		want string
	}{
		{map[string]string{"participants": "65"}, "participants=65"},
		{map[string]string{"participants": "5", "groups": "4"}, "groups=4"},
		{map[string]string{"participants": "0"}, "participants"},
		{map[string]string{"crash": "7"}, "crash"},
		{map[string]string{"crash": "leader", "lease": "10ms"}, "lease=10ms"},
		{map[string]string{"crash": "leader", "crash_at": "2s", "restart_at": "1s"}, "restart_at"},
		{map[string]string{"outcome_timeout": "0s"}, "outcome_timeout"},
		{map[string]string{"loss": "0.1"}, "loss"},
		{map[string]string{"partition": "oneway:0>1"}, "partition"},
	} {
		p, err := info.Resolve(c.raw)
		if err == nil {
			err = info.Check(p)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error naming %q", c.raw, err, c.want)
		}
	}
}

func TestTxnDeterministic(t *testing.T) {
	o := algotest.Options{Duration: time.Second, Seed: 9}
	a := runTxn(t, map[string]string{"participants": "3"}, hot, o)
	b := runTxn(t, map[string]string{"participants": "3"}, hot, o)
	algotest.SameRun(t, "spanner/txn", a, b)
}

func BenchmarkTxnSim(b *testing.B) { benchSim(b, "spanner/txn", TxnWorkload) }
