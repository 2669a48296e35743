package consensus

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"
)

// With a constant one-way delay d and no faults an op completes at the
// leader after one round trip, 2d (the client→leader hop is not modelled),
// and Multi-Paxos sends exactly n−1 accepts and n−1 accepted per command.
// Raft's steady state is also 2d (its message count is reported, not
// asserted: etcd broadcasts an extra append to spread each new commit
// index).
func TestSteadyStateTheory(t *testing.T) {
	const d = time.Millisecond
	for _, name := range targets {
		for _, n := range []int{3, 5, 7} {
			raw := map[string]string{"nodes": strconv.Itoa(n), "delay": "1ms"}
			if name == "flexible-paxos" {
				raw["q1"], raw["q2"] = strconv.Itoa(n-1), "2"
			}
			rep := run(t, name, "ycsb-a arrival=constant:rate=200", raw, 400, 3)
			// The first ops wait out the initial election (phase 1: 2d).
			lo, hi := rep.Latency.ValueAtQuantile(0), rep.Latency.ValueAtQuantile(99)
			if !near(lo, 2*d) || !near(hi, 2*d) {
				t.Errorf("%s n=%d: latency %v … %v, want 2d = %v", name, n, time.Duration(lo), time.Duration(hi), 2*d)
			}
			m := rep.Metrics
			if name != "raft" {
				if m["messages_per_op_accept"] != float64(n-1) || m["messages_per_op_accepted"] != float64(n-1) {
					t.Errorf("%s n=%d: accept %v accepted %v per op, want %d each", name, n, m["messages_per_op_accept"], m["messages_per_op_accepted"], n-1)
				}
			}
			if m["safety_violations"] != 0 || m["chosen"] != 400 || m["phase1_runs"] != 1 || m["leader_changes"] != 0 {
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
// spread=1ms, 2·(1+(q2−1)) ms. Multi-Paxos's majority (q2=3 of 5) waits for
// the 2nd-nearest, 6ms; Flexible Paxos with q2=2 for the nearest, 4ms.
func TestFlexibleQuorumLatency(t *testing.T) {
	for q2 := 1; q2 <= 5; q2++ {
		raw := map[string]string{"delay": "1ms", "spread": "1ms", "q2": strconv.Itoa(q2), "q1": strconv.Itoa(6 - q2)}
		rep := run(t, "flexible-paxos", "ycsb-a arrival=constant:rate=50", raw, 100, 4)
		want := time.Duration(2*q2) * time.Millisecond
		if q2 == 1 {
			want = 0 // the leader alone is a phase-2 quorum: chosen at once
		}
		if got := rep.Latency.ValueAtQuantile(50); !near(got, want) && !(want == 0 && got < 1000) {
			t.Errorf("q2=%d: latency %v, want %v", q2, time.Duration(got), want)
		}
	}
	rep := run(t, "multi-paxos", "ycsb-a arrival=constant:rate=50", map[string]string{"delay": "1ms", "spread": "1ms"}, 100, 4)
	if got := rep.Latency.ValueAtQuantile(50); !near(got, 6*time.Millisecond) {
		t.Errorf("multi-paxos: latency %v, want 6ms", time.Duration(got))
	}
}

// With random delays, the mean latency is the mean of the (q2−1)-th order
// statistic of the n−1 followers' round trips, each 2·floor + two
// exponential jitters: checked against a Monte Carlo of that order statistic.
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
		want := sum / trials
		raw := map[string]string{"delay": "500us", "jitter": "exp:mean=500us", "q2": strconv.Itoa(q2), "q1": strconv.Itoa(6 - q2)}
		rep := run(t, "flexible-paxos", "ycsb-a arrival=constant:rate=100", raw, 2000, 5)
		got := rep.Latency.Mean()
		if math.Abs(got-want)/want > 0.04 {
			t.Errorf("q2=%d: mean latency %.0fns, want %.0fns (Monte Carlo)", q2, got, want)
		}
	}
}
