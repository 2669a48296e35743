package consensus

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// faulty is a VOPR-style run: jitter, loss, duplication and a random
// schedule of partitions (isolate, split, one-way) and crashes for 250 ms,
// then a liveness phase in which everything heals.
var faulty = map[string]string{
	"jitter": "exp:mean=200us", "loss": "0.02", "dup": "0.02",
	"fault_gap": "10ms", "fault_len": "15ms", "faults_end": "250ms",
}

// Safety holds under faults over many seeds, and after healing every op
// completes (liveness): the run ends with every command acknowledged.
func TestSafetyUnderFaults(t *testing.T) {
	seeds := 12
	if testing.Short() {
		seeds = 3
	}
	for _, name := range targets {
		var changes, retried float64
		for seed := uint64(1); seed <= uint64(seeds); seed++ {
			rep := run(t, name, "ycsb-a arrival=poisson:rate=2000", faulty, 600, seed)
			m := rep.Metrics
			if m["safety_violations"] != 0 || rep.Ops != 600 || rep.Errors != 0 || m["outstanding"] != 0 {
				t.Errorf("%s seed %d (reproduce with seed %d): violations %v ops %d errors %d outstanding %v",
					name, seed, seed, m["safety_violations"], rep.Ops, rep.Errors, m["outstanding"])
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

// The safety check catches a deliberately broken acceptor: one that
// promises without reporting what it accepted lets a new leader overwrite
// slots the old one had chosen (and acknowledged) but not yet told the
// others, after a crash or a partition. The same runs with correct
// acceptors have no violation.
func TestSafetyCheckCatchesBrokenAcceptor(t *testing.T) {
	spec, err := workloads.ParseSpec("ycsb-a arrival=poisson:rate=3000")
	if err != nil {
		t.Fatal(err)
	}
	p, err := resolve("multi-paxos", faulty)
	if err != nil {
		t.Fatal(err)
	}
	for _, broken := range []bool{false, true} {
		var total float64
		for seed := uint64(1); seed <= 3; seed++ {
			st, err := NewPaxosSim(simConfig(p), PaxosConfig{Q1: 3, Q2: 3, brokenPromises: broken})
			if err != nil {
				t.Fatal(err)
			}
			rep := runTarget(t, st, spec, 5, 900, seed)
			v := rep.Metrics["safety_violations"]
			if !broken && v != 0 {
				t.Errorf("correct acceptors, seed %d: %v violations", seed, v)
			}
			total += v
		}
		if broken && total == 0 {
			t.Error("broken acceptors: no violation caught")
		}
	}
}

// The check itself, on hand-made logs.
func TestSafetyCheck(t *testing.T) {
	w := harness.NewWorld(1, nil)
	c := newCore(w, 3, 0)
	c.learn(0, 1, 10)
	c.learn(1, 1, 10)
	c.learn(2, 2, 11)
	c.acked = []ack{{10, 1}, {11, 2}}
	if v := c.safety(); v != 0 {
		t.Fatalf("consistent logs: %d violations", v)
	}
	c.learn(1, 2, 12)                     // disagrees with node 2 on slot 2
	c.acked = append(c.acked, ack{13, 3}) // acknowledged, never chosen
	c.learn(0, 1, 14)                     // node 0 relearns slot 1 differently
	// slot 2 disagrees; ack (11, 2) and ack (13, 3) are not in the agreed
	// log (slot 2 agrees on node 1's 12, the first learned); node 0's
	// conflict on slot 1.
	if v := c.safety(); v != 4 {
		t.Errorf("got %d violations, want 4", v)
	}
}

// A leader crash: a new leader takes over by phase 1 after an election
// timeout, in-flight commands are re-proposed, every op completes, and
// ops after the crash are served by another node.
func TestLeaderCrash(t *testing.T) {
	for _, name := range targets {
		raw := map[string]string{"crash": "0", "crash_at": "100ms"}
		rep := run(t, name, "ycsb-a arrival=poisson:rate=2000", raw, 600, 8)
		m := rep.Metrics
		if m["leader_changes"] < 1 || m["phase1_runs"] < 2 || m["proposals_retried"]+m["phase1_recovered"] < 1 || m["safety_violations"] != 0 || rep.Ops != 600 {
			t.Errorf("%s: %v", name, m)
		}
		// No leader from the crash until a follower's timeout, uniform in
		// [T, 2T) = [10ms, 20ms), plus phase 1 (a round trip, 1ms).
		if u := m["unavailable_s"]; u < 0.010 || u > 0.0225 {
			t.Errorf("%s: unavailable %.4fs, want within [10ms, 22.5ms)", name, u)
		}
		if rep.ShardOps[0] == 0 || rep.ShardOps[0] == rep.Ops {
			t.Errorf("%s: node 0 served %d of %d ops", name, rep.ShardOps[0], rep.Ops)
		}
		// The ops caught by the crash wait out the election.
		if p := time.Duration(rep.Latency.ValueAtQuantile(100)); p < 10*time.Millisecond {
			t.Errorf("%s: max latency %v, want ≥ the election timeout", name, p)
		}
	}
}

// Same seed, same run; another seed, another run (with faults on).
func TestDeterminism(t *testing.T) {
	for _, name := range targets {
		sig := func(seed uint64) string {
			rep := run(t, name, "ycsb-a arrival=poisson:rate=2000", faulty, 300, seed)
			return fmt.Sprint(rep.Latency.ValueAtQuantile(50), rep.Latency.ValueAtQuantile(99), rep.Latency.Mean(), rep.ShardOps, rep.Metrics)
		}
		a, b, c := sig(21), sig(21), sig(22)
		if a != b {
			t.Errorf("%s: two runs with seed 21 differ:\n%s\n%s", name, a, b)
		}
		if a == c {
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
		{"multi-paxos", map[string]string{"nodes": "3", "crash": "3"}, "crash=3: no such node"},
		{"raft", map[string]string{"crash": "1", "crash_at": "100ms", "restart_at": "50ms"}, "restart_at=50ms must be after"},
		{"raft", map[string]string{"loss": "0.95"}, "loss"},
	} {
		_, err := resolve(tc.name, tc.raw)
		if err == nil || !contains(err.Error(), tc.want) {
			t.Errorf("%s %v: error %v, want %q", tc.name, tc.raw, err, tc.want)
		}
	}
	for n := 1; n <= 7; n++ {
		for q1 := 1; q1 <= n; q1++ {
			for q2 := 1; q2 <= n; q2++ {
				_, err := resolve("flexible-paxos", map[string]string{"nodes": strconv.Itoa(n), "q1": strconv.Itoa(q1), "q2": strconv.Itoa(q2)})
				if (err == nil) != (q1+q2 > n) {
					t.Errorf("n=%d q1=%d q2=%d: %v", n, q1, q2, err)
				}
			}
		}
	}
}

// Why Flexible Paxos needs q1 + q2 > n: with q1 = q2 = 2 of 5, a split
// lets a leader elected on one side choose slots the other side's new
// leader never hears of; the safety check sees the conflicting logs. The
// same seeds with q1 = 4, q2 = 2 (intersecting) are safe.
func TestFlexibleQuorumsMustIntersect(t *testing.T) {
	spec, err := workloads.ParseSpec("ycsb-a arrival=poisson:rate=3000")
	if err != nil {
		t.Fatal(err)
	}
	p, err := resolve("flexible-paxos", faulty)
	if err != nil {
		t.Fatal(err)
	}
	for _, q1 := range []int{2, 4} {
		var total float64
		for seed := uint64(1); seed <= 6; seed++ {
			st, err := NewPaxosSim(simConfig(p), PaxosConfig{Q1: q1, Q2: 2, unsafeQuorums: true})
			if err != nil {
				t.Fatal(err)
			}
			total += runTarget(t, st, spec, 5, 900, seed).Metrics["safety_violations"]
		}
		if (total > 0) != (q1 == 2) {
			t.Errorf("q1=%d q2=2 nodes=5: %v violations over 6 seeds", q1, total)
		}
	}
	if _, err := NewPaxosSim(simConfig(p), PaxosConfig{Q1: 2, Q2: 2}); err == nil {
		t.Error("q1=2 q2=2 nodes=5 accepted")
	}
}

// A cluster that can never commit again ends the run: its ops fail with
// ErrTimeout after the op timeout instead of waiting forever (the harness
// runs until every op completes, so the CLI used to hang). Raft with 2
// nodes and one crashed for good keeps its leader (no CheckQuorum) but has
// no majority; Paxos with q1 = 3 of 3 cannot elect without node 0.
func TestNoQuorumEndsByTimeout(t *testing.T) {
	for _, tc := range []struct {
		name string
		raw  map[string]string
	}{
		{"raft", map[string]string{"nodes": "2", "crash": "1", "crash_at": "50ms", "timeout": "200ms"}},
		{"flexible-paxos", map[string]string{"nodes": "3", "q1": "3", "q2": "1", "crash": "0", "crash_at": "50ms", "timeout": "200ms"}},
		{"multi-paxos", map[string]string{"nodes": "3", "crash": "0", "crash_at": "50ms", "restart_at": "60ms", "tick": "10us", "timeout": "200ms"}},
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

// election_ticks must exceed the one-tick heartbeat period: with 1, etcd
// raft panics at start and the Paxos candidates duel forever. It is a usage
// error at Resolve (exit 2).
func TestElectionTicksAboveHeartbeat(t *testing.T) {
	for _, name := range targets {
		raw := map[string]string{"election_ticks": "1"}
		if _, err := resolve(name, raw); err == nil || !contains(err.Error(), "election_ticks") {
			t.Errorf("%s election_ticks=1: %v, want an error naming election_ticks", name, err)
		}
		if _, err := resolve(name, map[string]string{"election_ticks": "2"}); err != nil {
			t.Errorf("%s election_ticks=2: %v", name, err)
		}
	}
}
