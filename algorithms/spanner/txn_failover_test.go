package spanner

import (
	"fmt"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
	"github.com/dsbench/dsbench/harness"
)

// warm is a contended workload for the crash tests: rows shared by several
// transactions (zipf over 20,000 keys), half of the writes read-modify-writes.
const warm = "mix=update:0.25,rmw:0.25,read:0.5 keys=zipf:theta=0.8,n=20000 arrival=poisson:rate=1500 clients=uniform:n=100"

// crashRaw: 3 participants, a 100 ms lease (ε tops out at 7 ms: the bound is
// 56 ms) and a 20 ms outcome timeout, a crash at 1 s.
func crashRaw(crash, restart string) map[string]string {
	return map[string]string{"participants": "3", "crash": crash, "crash_at": "1s", "restart_at": restart,
		"lease": "100ms", "outcome_timeout": "20ms"}
}

// runCrash runs spanner/txn for dur and then lets the world run on for
// another 2 s of virtual time (no new transactions: the participants log
// their outcomes, the restarted node catches up), returning the report and
// the simulator for its end state.
func runCrash(t *testing.T, raw map[string]string, spec string, dur time.Duration, seed uint64) (*harness.Report, *TxnSim) {
	t.Helper()
	o := algotest.Options{Clock: algorithms.Virtual, Duration: dur, Seed: seed}
	target := algotest.Build(t, "spanner/txn", raw, spec, o)
	rep := algotest.RunTarget(t, target, algotest.Spec(t, spec), o)
	x := target.(*TxnSim)
	w := x.nt.World()
	w.RunUntil(w.Now() + 2*time.Second)
	return rep, x
}

// settled checks the end state after a crash: no transaction is partially
// committed, every commit's outcome is logged in every participant group
// (no decision left unresolved, no prepared record left, every version's
// record logged), and the logs' timestamps never went backwards across
// leaders.
func settled(t *testing.T, label string, rep *harness.Report, x *TxnSim) {
	t.Helper()
	m := rep.Metrics
	for _, k := range []string{"external_consistency_violations", "snapshot_violations", "torn_reads", "lost_updates", "partial_commits"} {
		if m[k] != 0 {
			t.Errorf("%s: %s = %v", label, k, m[k])
		}
	}
	if rep.Errors != 0 {
		t.Errorf("%s: %d errors: every transaction should finish (retried after a crash)", label, rep.Errors)
	}
	if x.tsRegress != 0 {
		t.Errorf("%s: %d log records below an earlier record's timestamp", label, x.tsRegress)
	}
	for g := range x.groups {
		if n := len(x.dec[g]); n != 0 {
			t.Errorf("%s: group %d: %d commit records not resolved everywhere (first %+v)", label, g, n, x.dec[g][0])
		}
		if n := len(x.prep[g]); n != 0 && x.groups[g].leader >= 0 {
			t.Errorf("%s: group %d: %d transactions still prepared (first %+v)", label, g, n, x.prep[g][0])
		}
	}
	for key, h := range x.hist {
		for v := range h.n {
			if h.v[v].slot == 0 {
				t.Errorf("%s: key %d: a committed version (attempt %d at %v) never logged in its group", label, key, h.v[v].att, h.v[v].ts)
			}
		}
	}
}

// (a) Crashes in the middle of two-phase commit — the coordinator group's
// leader (crash=leader: node 0, which leads group 0 and 12 more, so it is
// coordinator and participant at once), a given node, a random node; with
// and without restart — over 20 seeds: every checker stays at 0, every
// transaction finishes, nothing is left partially committed, and the
// recovery paths all ran (prepared transactions re-locked by a new leader,
// commit records finished by one, presumed aborts, status queries).
func TestTxnCrashMid2PC(t *testing.T) {
	var sum = map[string]float64{}
	crashes := []string{"leader", "2", "random", "4"}
	for seed := uint64(1); seed <= 20; seed++ {
		crash, restart := crashes[seed%4], "0s"
		if seed%2 == 0 {
			restart = "1300ms"
		}
		rep, x := runCrash(t, crashRaw(crash, restart), warm, 2*time.Second, seed)
		label := fmt.Sprintf("seed %d crash=%s restart_at=%s", seed, crash, restart)
		settled(t, label, rep, x)
		m := rep.Metrics
		if m["elections"] < 10 || m["failover_ms"] < 70 || m["failover_ms"] > 115 {
			t.Errorf("%s: %v elections, failover %v ms: want every group the node led (12 or 13 of 64) re-elected after about the lease", label, m["elections"], m["failover_ms"])
		}
		for _, k := range []string{"recovered_prepared", "recovered_commits", "presumed_aborts", "outcome_queries", "retries"} {
			sum[k] += m[k]
		}
		if m["blocked_ms_max"] < 70 {
			t.Errorf("%s: blocked_ms_max %v: a prepared transaction of a crashed coordinator waits at least the failover", label, m["blocked_ms_max"])
		}
	}
	for k, v := range sum {
		if v == 0 {
			t.Errorf("%s = 0 over 20 seeds: that recovery path never ran", k)
		}
	}
	t.Logf("over 20 seeds: %v", sum)
}

// (c) A crashed node that restarts catches up: it applies every group's
// log to the end (the slots it missed come from the leaders on request)
// and serves read-only transactions again.
func TestTxnRestartCatchesUp(t *testing.T) {
	rep, x := runCrash(t, crashRaw("3", "1300ms"), warm, 2*time.Second, 7)
	settled(t, "restart", rep, x)
	for g := range x.groups {
		r := x.rep(3, int32(g))
		if c := x.groups[g].commit; r.applied != c {
			t.Errorf("group %d: the restarted node applied up to slot %d, the group committed %d", g, r.applied, c)
		}
	}
	if x.groups[3].leader == 3 {
		t.Error("group 3 is led by node 3 again: the restarted node should rejoin as a replica (its successor's lease holds)")
	}
}

// (b) Broken recovery is caught: a new participant leader that rebuilds its
// prepared records without re-taking their write locks lets a
// read-modify-write read a key under a prepared (and then committed) write
// and overwrite it (lost updates); a new coordinator leader that ignores the
// commit records it inherits presumes abort for committed attempts, so
// participants abort what the coordinator committed (partial commits) and
// the clients re-execute them.
func TestTxnBrokenRecoveryCaught(t *testing.T) {
	spec := "mix=rmw:0.5,read:0.5 keys=zipf:theta=0.9,n=2000 arrival=poisson:rate=1000 clients=uniform:n=100"
	for _, c := range []struct {
		name, by string
		flag     *bool
	}{{"no re-lock", "lost_updates", &brokenNoRelock}, {"presume abort over a commit record", "partial_commits", &brokenPresume}} {
		caught := 0
		for seed := uint64(1); seed <= 4; seed++ {
			*c.flag = true
			rep := runTxn(t, crashRaw("leader", "0s"), spec, algotest.Options{Duration: 2 * time.Second, Seed: seed})
			*c.flag = false
			m := rep.Metrics
			if m[c.by] > 0 {
				caught++
			}
			t.Logf("%s seed %d: lost_updates %v partial_commits %v snapshot_violations %v torn_reads %v", c.name, seed, m["lost_updates"], m["partial_commits"], m["snapshot_violations"], m["torn_reads"])
		}
		if caught < 2 {
			t.Errorf("%s: %s > 0 in %d of 4 seeds, want at least 2", c.name, c.by, caught)
		}
	}
	// The same runs with correct recovery are clean.
	for seed := uint64(1); seed <= 2; seed++ {
		rep, x := runCrash(t, crashRaw("leader", "0s"), spec, 2*time.Second, seed)
		settled(t, fmt.Sprintf("correct recovery seed %d", seed), rep, x)
	}
}

// (d) A run with a crash and a restart repeats byte for byte.
func TestTxnCrashDeterministic(t *testing.T) {
	o := algotest.Options{Duration: 2 * time.Second, Seed: 4}
	raw := crashRaw("random", "1300ms")
	a := runTxn(t, raw, warm, o)
	b := runTxn(t, raw, warm, o)
	algotest.SameRun(t, "spanner/txn crash=random", a, b)
}

// With no majority up (one node, crashed for good) no group can elect a
// leader: clients give up at once with an error instead of waiting forever,
// as spanner/truetime's do.
func TestTxnNoQuorumFails(t *testing.T) {
	raw := map[string]string{"nodes": "1", "crash": "0", "crash_at": "1s"}
	rep := runTxn(t, raw, TxnWorkload, algotest.Options{Duration: 2 * time.Second, Seed: 1})
	if m := rep.Metrics; rep.Errors == 0 || m["txn_failed"] != float64(rep.Errors) || rep.Errors > rep.Ops*6/10 {
		t.Errorf("%d errors of %d ops, txn_failed %v: want the ops after the crash to fail", rep.Errors, rep.Ops, m["txn_failed"])
	}
}

// With two nodes every slot needs both acks. A crash cuts the fsyncs of the
// slots the replica had just received, so after its restart it must log
// and ack that tail again and fetch what it missed as soon as the leader's
// heartbeat shows slots beyond its log — before, neither happened (the
// tail was never acked, and it asked only for slots already committed), no
// group committed again and the run stalled until the harness reported its
// ops lost. Both targets, over seeds: the groups commit everything after
// the restart and the checkers stay at 0.
func TestTwoNodesRestartCommitsAgain(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		raw := map[string]string{"nodes": "2", "crash": "leader", "crash_at": "1s", "restart_at": "1500ms", "lease": "100ms"}
		rep := run(t, raw, "mix=update:0.5,read:0.5 keys=uniform:n=100000 arrival=poisson:rate=1000", 3*time.Second, seed)
		if rep.Errors == 0 || rep.Errors > rep.Ops/2 {
			t.Errorf("spanner/truetime seed %d: %d errors of %d ops; want only those while a node was down", seed, rep.Errors, rep.Ops)
		}
		for _, k := range []string{"external_consistency_violations", "snapshot_violations"} {
			if rep.Metrics[k] != 0 {
				t.Errorf("spanner/truetime seed %d: %s = %v", seed, k, rep.Metrics[k])
			}
		}
		raw["participants"] = "2"
		trep, x := runCrash(t, raw, TxnWorkload, 3*time.Second, seed)
		for _, k := range []string{"external_consistency_violations", "snapshot_violations", "torn_reads", "lost_updates", "partial_commits"} {
			if trep.Metrics[k] != 0 {
				t.Errorf("spanner/txn seed %d: %s = %v", seed, k, trep.Metrics[k])
			}
		}
		for g := range x.groups {
			if gr := &x.groups[g]; gr.commit != gr.next {
				t.Errorf("spanner/txn seed %d: group %d committed up to %d of %d", seed, g, gr.commit, gr.next)
			}
		}
	}
}
