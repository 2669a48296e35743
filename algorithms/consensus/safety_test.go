package consensus

import (
	"strconv"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms/algotest"
	"github.com/dsbench/dsbench/harness"
)

// faulty is a VOPR-style run: jitter, loss, duplication and a random
// schedule of partitions (isolate, split, one-way) and crashes for 250 ms,
// then a liveness phase in which everything heals.
var faulty = map[string]string{
	"jitter": "exp:mean=200us", "loss": "0.02", "dup": "0.02",
	"fault_gap": "10ms", "fault_len": "15ms", "faults_end": "250ms",
}

// violations is what the two checkers found: the safety check over the
// nodes' logs and the linearizability check over the clients' history.
func violations(rep *harness.Report) (logs float64, history int) {
	if rep.Check == nil {
		return rep.Metrics["safety_violations"], -1
	}
	return rep.Metrics["safety_violations"], rep.Check.Violations
}

// Safety holds under faults over many seeds — the nodes' logs agree and
// the clients' history is linearizable — and after healing every op
// completes (liveness): the run ends with every command answered.
func TestSafetyUnderFaults(t *testing.T) {
	seeds := 50
	if testing.Short() {
		seeds = 5
	}
	for _, name := range targets {
		var changes, retried float64
		for seed := uint64(1); seed <= uint64(seeds); seed++ {
			rep := run(t, name, "ycsb-a arrival=poisson:rate=2000", faulty, 600, seed)
			m := rep.Metrics
			logs, hist := violations(rep)
			if logs != 0 || hist != 0 || rep.Ops != 600 || rep.Errors != 0 || m["outstanding"] != 0 {
				t.Errorf("%s seed %d (dsbench run consensus/%s --check --seed %d): log violations %v, history violations %d, ops %d errors %d outstanding %v",
					name, seed, name, seed, logs, hist, rep.Ops, rep.Errors, m["outstanding"])
			}
			if rep.Check != nil && rep.Check.Ops < 600 {
				t.Errorf("%s seed %d: %d ops checked, want ≥ 600", name, seed, rep.Check.Ops)
			}
			if m["chosen"] < 600 {
				t.Errorf("%s seed %d: %v commands chosen, want ≥ 600", name, seed, m["chosen"])
			}
			changes += m["leader_changes"]
			retried += m["proposals_retried"]
		}
		if changes == 0 || retried == 0 {
			t.Errorf("%s: the faults changed no leader (%v) and retried nothing (%v): the test tests nothing", name, changes, retried)
		}
	}
}

// Both checkers catch a deliberately broken acceptor: one that promises
// without reporting what it accepted lets a new leader overwrite slots the
// old one had chosen (and answered) but not yet told the others, after a
// crash or a partition. The same runs with correct acceptors are clean.
func TestCheckersCatchBrokenAcceptor(t *testing.T) {
	spec := algotest.Spec(t, "ycsb-a arrival=poisson:rate=3000")
	p := algotest.Params(t, "consensus/multi-paxos", faulty)
	sc, err := simConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, broken := range []bool{false, true} {
		var logs float64
		var hist int
		for seed := uint64(1); seed <= 4; seed++ {
			st, err := NewPaxosSim(sc, PaxosConfig{Q1: 3, Q2: 3, brokenPromises: broken})
			if err != nil {
				t.Fatal(err)
			}
			l, h := violations(runTarget(t, st, spec, 5, 900, seed))
			if !broken && (l != 0 || h != 0) {
				t.Errorf("correct acceptors, seed %d: %v log and %d history violations", seed, l, h)
			}
			logs += l
			hist += h
		}
		if broken && (logs == 0 || hist == 0) {
			t.Errorf("broken acceptors: %v log and %d history violations caught; want both > 0", logs, hist)
		}
	}
}

// The log check itself, on hand-made logs.
func TestSafetyCheck(t *testing.T) {
	w := harness.NewWorld(1, nil)
	c := newCore(w, 3, 0)
	a, b, x := entry{cmd: 10<<1 | 1, key: 7}, entry{cmd: 11 << 1, key: 7}, entry{cmd: 12<<1 | 1, key: 8}
	c.learn(0, 1, a)
	c.learn(1, 1, a)
	c.learn(2, 2, b)
	c.learn(2, 2, b) // relearning the same value is fine
	if v := c.safety(); v != 0 {
		t.Fatalf("consistent logs: %d violations", v)
	}
	c.learn(1, 2, x) // disagrees with node 2 on slot 2
	c.learn(0, 1, x) // node 0 relearns slot 1 differently
	if v := c.safety(); v != 2 {
		t.Errorf("got %d violations, want 2 (one disagreement, one conflict)", v)
	}
}

// A leader crash: a new leader is elected after a follower's election
// timeout, in-flight commands are re-sent to it, every op completes, and
// ops after the crash are served by another node.
func TestLeaderCrash(t *testing.T) {
	for _, name := range targets {
		raw := map[string]string{"crash": "leader", "crash_at": "100ms"}
		rep := run(t, name, "ycsb-a arrival=poisson:rate=2000", raw, 600, 8)
		m := rep.Metrics
		logs, hist := violations(rep)
		if m["leader_changes"] < 1 || m["phase1_runs"] < 2 || m["proposals_retried"]+m["phase1_recovered"] < 1 || logs != 0 || hist != 0 || rep.Ops != 600 {
			t.Errorf("%s: %v", name, m)
		}
		// No leader from the crash until a follower's timeout, uniform in
		// [10ms, 20ms] from the last heartbeat it heard (≤ 1ms + 0.5ms
		// before the crash), plus a vote round trip (1ms).
		if u := m["unavailable_s"]; u < 0.0085 || u > 0.0215 {
			t.Errorf("%s: unavailable %.4fs, want within [8.5ms, 21.5ms]", name, u)
		}
		if rep.ShardOps[0] == 0 || rep.ShardOps[0] == rep.Ops {
			t.Errorf("%s: node 0 served %d of %d ops", name, rep.ShardOps[0], rep.Ops)
		}
		// The ops caught by the crash wait out the election.
		if p := time.Duration(rep.Latency.Max()); p < 8*time.Millisecond {
			t.Errorf("%s: max latency %v, want ≥ the election timeout", name, p)
		}
	}
}

// Same seed, same run (every figure); another seed, another run.
func TestDeterminism(t *testing.T) {
	for _, name := range targets {
		a := run(t, name, "ycsb-a arrival=poisson:rate=2000", faulty, 300, 21)
		b := run(t, name, "ycsb-a arrival=poisson:rate=2000", faulty, 300, 21)
		algotest.SameRun(t, name, a, b)
		c := run(t, name, "ycsb-a arrival=poisson:rate=2000", faulty, 300, 22)
		if a.Latency.Mean() == c.Latency.Mean() && a.Metrics["messages_per_op"] == c.Metrics["messages_per_op"] {
			t.Errorf("%s: seeds 21 and 22 gave the same run", name)
		}
	}
}

func TestBadParams(t *testing.T) {
	for _, tc := range []struct {
		name string
		raw  map[string]string
		want string
	}{
		{"flexible-paxos", map[string]string{"q1": "2", "q2": "3"}, "q1=2 + q2=3 must exceed nodes=5"},
		{"flexible-paxos", map[string]string{"nodes": "3", "q1": "4"}, "q1=4 out of range"},
		{"multi-paxos", map[string]string{"nodes": "3", "crash": "3"}, `crash: "3" is not a node`},
		{"raft", map[string]string{"crash": "1", "crash_at": "100ms", "restart_at": "50ms"}, "restart_at=50ms"},
		{"raft", map[string]string{"election_timeout": "20ms..10ms"}, `election_timeout="20ms..10ms"`},
		{"raft", map[string]string{"election_timeout": "soon"}, "election_timeout"},
		{"etcd-raft", map[string]string{"heartbeat": "10ms"}, "heartbeat=10ms"},
		{"multi-paxos", map[string]string{"trials": "10"}, "crash=leader"},
		{"raft", map[string]string{"trials": "10", "crash": "leader", "nodes": "2"}, "nodes ≥ 3"},
	} {
		_, err := resolve(tc.name, tc.raw)
		if err == nil || !contains(err.Error(), tc.want) {
			t.Errorf("%s %v: error %v, want %q", tc.name, tc.raw, err, tc.want)
		}
	}
	for n := 1; n <= 7; n++ {
		for q1 := 1; q1 <= n; q1++ {
			for q2 := 1; q2 <= n; q2++ {
				raw := map[string]string{"nodes": strconv.Itoa(n), "q1": strconv.Itoa(q1), "q2": strconv.Itoa(q2)}
				if _, err := resolve("flexible-paxos", raw); (err == nil) != (q1+q2 > n) {
					t.Errorf("n=%d q1=%d q2=%d: %v", n, q1, q2, err)
				}
				raw["unsafe"] = "true"
				if _, err := resolve("flexible-paxos", raw); err != nil {
					t.Errorf("n=%d q1=%d q2=%d unsafe=true: %v", n, q1, q2, err)
				}
			}
		}
	}
}

// Why Flexible Paxos needs q1 + q2 > n: with q1 = q2 = 2 of 5 (unsafe=true)
// and the cluster split into {0,1} and {2,3,4}, the old leader (node 0)
// goes on choosing slots with node 1 while the other side elects a leader
// of its own that never hears of them: the log check sees the conflicting
// logs and the history check sees reads miss acknowledged writes. The same
// runs with q1 = 4, q2 = 2 (intersecting) are safe.
func TestFlexibleQuorumsMustIntersect(t *testing.T) {
	for _, q1 := range []string{"2", "4"} {
		var logs float64
		var hist int
		raw := map[string]string{"q1": q1, "q2": "2", "unsafe": "true", "partition": "split:0,1/2,3,4@100ms..400ms"}
		for seed := uint64(1); seed <= 3; seed++ {
			l, h := violations(run(t, "flexible-paxos", Workload, raw, 3000, seed))
			logs += l
			hist += h
		}
		if unsafe := q1 == "2"; (logs > 0) != unsafe || (hist > 0) != unsafe {
			t.Errorf("q1=%s q2=2 nodes=5: %v log and %d history violations over 3 seeds", q1, logs, hist)
		}
	}
}

// A cluster that can never commit again ends the run: its ops fail with
// ErrTimeout after the op timeout instead of waiting forever. Raft with 2
// nodes and one crashed for good keeps its leader but has no majority;
// Paxos with q1 = 3 of 3 cannot elect without node 0.
func TestNoQuorumEndsByTimeout(t *testing.T) {
	for _, tc := range []struct {
		name string
		raw  map[string]string
	}{
		{"raft", map[string]string{"nodes": "2", "crash": "1", "crash_at": "50ms", "timeout": "200ms"}},
		{"etcd-raft", map[string]string{"nodes": "2", "crash": "1", "crash_at": "50ms", "timeout": "200ms"}},
		{"flexible-paxos", map[string]string{"nodes": "3", "q1": "3", "q2": "1", "crash": "0", "crash_at": "50ms", "timeout": "200ms"}},
	} {
		rep := run(t, tc.name, "ycsb-a arrival=poisson:rate=2000", tc.raw, 400, 1)
		m := rep.Metrics
		if rep.Ops != 400 || rep.Errors == 0 || m["timed_out"] != float64(rep.Errors) || m["outstanding"] != 0 || m["safety_violations"] != 0 {
			t.Errorf("%s %v: ops %d errors %d %v", tc.name, tc.raw, rep.Ops, rep.Errors, m)
		}
		if mx := time.Duration(rep.Latency.Max()); mx < 200*time.Millisecond || mx > 201*time.Millisecond {
			t.Errorf("%s: max latency %v, want the 200ms timeout", tc.name, mx)
		}
	}
}
