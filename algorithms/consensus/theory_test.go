package consensus

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"
)

// With a constant one-way delay d and no faults an op takes four delays:
// the client's request to the leader, the leader's round trip to a quorum,
// and the reply. Multi-Paxos sends exactly n−1 accepts and n−1 accepted per
// command; thesis Raft n−1 appends and n−1 answers (a few more while the
// leader's first no-op commits).
func TestSteadyStateTheory(t *testing.T) {
	const d = time.Millisecond
	for _, name := range targets {
		for _, n := range []int{3, 5, 7} {
			raw := map[string]string{"nodes": strconv.Itoa(n), "delay": "1ms"}
			if name == "flexible-paxos" {
				raw["q1"], raw["q2"] = strconv.Itoa(n-1), "2"
			}
			rep := run(t, name, "ycsb-a arrival=constant:rate=200", raw, 400, 3)
			// The first op waits out node 0's election (2d more).
			p50, p99 := rep.Latency.ValueAtQuantile(50), rep.Latency.ValueAtQuantile(99)
			if !near(p50, 4*d) || !near(p99, 4*d) {
				t.Errorf("%s n=%d: latency p50 %v p99 %v, want 4d = %v", name, n, time.Duration(p50), time.Duration(p99), 4*d)
			}
			m := rep.Metrics
			switch name {
			case "multi-paxos", "flexible-paxos":
				if m["messages_per_op_accept"] != float64(n-1) || m["messages_per_op_accepted"] != float64(n-1) {
					t.Errorf("%s n=%d: accept %v accepted %v per op, want %d each", name, n, m["messages_per_op_accept"], m["messages_per_op_accepted"], n-1)
				}
			case "raft":
				if a := m["messages_per_op_app"]; a < float64(n-1) || a > float64(n-1)*1.02 {
					t.Errorf("%s n=%d: %v appends per op, want n−1 = %d (+2%%)", name, n, a, n-1)
				}
			}
			if v, _ := violations(rep); v != 0 || rep.Check.Violations != 0 || m["chosen"] != 400 || m["phase1_runs"] != 1 || m["leader_changes"] != 0 {
				t.Errorf("%s n=%d: %v", name, n, m)
			}
		}
	}
}

// near is within HDR's 3 significant digits.
func near(v int64, want time.Duration) bool {
	return math.Abs(float64(v)-float64(want)) <= 0.002*float64(want)
}

// Nodes on a line (spread): the leader, node 0, reaches node i in
// delay + i·spread. A phase-2 quorum of q2 (the leader included) commits at
// the round trip of the (q2−1)-th nearest acceptor: with delay=1ms and
// spread=1ms, 2·(1+(q2−1)) ms, plus the client's two 1ms hops. Multi-Paxos's
// majority (q2=3 of 5) waits for the 2nd-nearest, 6+2ms; Flexible Paxos with
// q2=2 for the nearest, 4+2ms.
func TestFlexibleQuorumLatency(t *testing.T) {
	const hops = 2 * time.Millisecond
	for q2 := 1; q2 <= 5; q2++ {
		// The election timeout must exceed the round trip to the farthest
		// acceptor (10ms), or a leader waiting for q2=5 answers steps down
		// before it hears them (CheckQuorum).
		raw := map[string]string{"delay": "1ms", "spread": "1ms", "q2": strconv.Itoa(q2), "q1": strconv.Itoa(6 - q2), "election_timeout": "50ms..100ms", "heartbeat": "5ms"}
		rep := run(t, "flexible-paxos", "ycsb-a arrival=constant:rate=50", raw, 100, 4)
		want := hops + time.Duration(2*q2)*time.Millisecond
		if q2 == 1 {
			want = hops // the leader alone is a phase-2 quorum: chosen at once
		}
		if got := rep.Latency.ValueAtQuantile(50); !near(got, want) {
			t.Errorf("q2=%d: latency %v, want %v", q2, time.Duration(got), want)
		}
	}
	rep := run(t, "multi-paxos", "ycsb-a arrival=constant:rate=50", map[string]string{"delay": "1ms", "spread": "1ms", "election_timeout": "50ms..100ms", "heartbeat": "5ms"}, 100, 4)
	if got := rep.Latency.ValueAtQuantile(50); !near(got, hops+6*time.Millisecond) {
		t.Errorf("multi-paxos: latency %v, want 8ms", time.Duration(got))
	}
}

// With random delays, the mean latency is the mean of the client's two hops
// plus the mean of the (q2−1)-th order statistic of the n−1 followers'
// round trips, each 2·floor + two exponential jitters: checked against a
// Monte Carlo of that order statistic.
func TestFlexibleOrderStatistic(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, q2 := range []int{2, 3} {
		const floor, jit = 500e3, 500e3
		rtt := make([]float64, 4)
		var sum float64
		const trials = 200000
		for i := 0; i < trials; i++ {
			for f := range rtt {
				rtt[f] = 2*floor + jit*(r.ExpFloat64()+r.ExpFloat64())
			}
			slices.Sort(rtt)
			sum += rtt[q2-2]
		}
		want := 2*(floor+jit) + sum/trials
		raw := map[string]string{"delay": "500us", "jitter": "exp:mean=500us", "q2": strconv.Itoa(q2), "q1": strconv.Itoa(6 - q2)}
		rep := run(t, "flexible-paxos", "ycsb-a arrival=constant:rate=100", raw, 2000, 5)
		got := rep.Latency.Mean()
		if math.Abs(got-want)/want > 0.04 {
			t.Errorf("q2=%d: mean latency %.0fns, want %.0fns (Monte Carlo)", q2, got, want)
		}
	}
}

// An fsync on the commit path: every acceptor (and the leader) writes its
// log to disk before answering, so with a constant fsync f an op takes
// between 4d + f and 4d + 2f (the leader's and a quorum's writes overlap;
// the reply waits for both), and fsyncs are shared when ops arrive during
// one. etcd raft too: its Ready's messages wait for the write, except a
// leader's appends (thesis §10.2.1), and a commit index alone needs none.
func TestFsyncOnCommitPath(t *testing.T) {
	const d, f = time.Millisecond, 2 * time.Millisecond
	for _, name := range []string{"multi-paxos", "raft", "etcd-raft"} {
		raw := map[string]string{"delay": "1ms", "fsync": "2ms"}
		rep := run(t, name, "ycsb-a arrival=constant:rate=100", raw, 200, 6)
		if got := rep.Latency.ValueAtQuantile(50); got < int64(4*d+f) || got > int64(4*d+2*f)+int64(d/10) {
			t.Errorf("%s: latency %v, want within [4d+f, 4d+2f] = [%v, %v]", name, time.Duration(got), 4*d+f, 4*d+2*f)
		}
		// Unbatched, 5 nodes would fsync 5 times per op; group commit (or,
		// for etcd raft, one Ready's many entries per write) shares them.
		fast := run(t, name, "ycsb-a arrival=poisson:rate=20000", raw, 4000, 6)
		if f := fast.Metrics["fsyncs"] / 4000; f > 0.5 {
			t.Errorf("%s at 20k ops/s with a 2ms fsync: %.2f fsyncs per op, want batching (< 0.5)", name, f)
		}
	}
}
