package consensus

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The Raft paper's election experiment (trials) against a Monte Carlo of
// its mechanism. Followers reset their timers when the synchronized
// heartbeat arrives (d after it is sent); the leader crashes u ~ U[0, h)
// later; the first of the 4 live followers times out after min of 4 draws
// from U[min, max], asks for votes (d), gets them (d) and is heard by every
// follower (d): election = min(T) − u + 4d, when no vote splits (a wide
// range makes splits rare). Every protocol elects the same way.
func TestElectionTrialsTheory(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const lo, hi, h, d = 100.0, 200.0, 50.0, 1.0
	var want float64
	const mc = 200000
	for i := 0; i < mc; i++ {
		m := hi
		for f := 0; f < 4; f++ {
			m = math.Min(m, lo+(hi-lo)*r.Float64())
		}
		want += m - h*r.Float64() + 4*d
	}
	want /= mc
	const trials = 300
	for _, name := range targets {
		raw := map[string]string{"crash": "leader", "trials": "300", "election_timeout": "100ms..200ms", "heartbeat": "50ms", "delay": "const:d=1ms"}
		rep := run(t, name, "ycsb-a arrival=poisson:rate=0.01", raw, 1, 2)
		m := rep.Metrics
		if m["elections"] != trials || m["elections_cut"] != 0 {
			t.Fatalf("%s: %v elections (%v cut), want %d", name, m["elections"], m["elections_cut"], trials)
		}
		// The mean of 300 trials has a standard error of about 1.3 ms.
		if got := m["election_ms_mean"]; math.Abs(got-want) > 4 {
			t.Errorf("%s: mean election %.1fms, want %.1fms (Monte Carlo)", name, got, want)
		}
		if lo, p99 := m["election_ms_p50"], m["election_ms_p99"]; lo < 100-h || p99 > hi+4*d+20 {
			t.Errorf("%s: p50 %.1fms p99 %.1fms outside [min−h, max+4d]", name, lo, p99)
		}
	}
}

// Randomness is what avoids split votes (the paper's Fig. 16, top): with
// 5 ms of it and a network delay comparable to it, candidates tie often
// and elections take longer than with 150 ms of it; with none they tie
// forever and every trial is cut at the timeout.
func TestElectionRandomnessAvoidsSplitVotes(t *testing.T) {
	base := map[string]string{"crash": "leader", "trials": "100", "heartbeat": "75ms", "delay": "const:d=1ms", "jitter": "exp:mean=500us", "timeout": "5s"}
	fig := func(rng string) map[string]float64 {
		raw := map[string]string{"election_timeout": rng}
		for k, v := range base {
			raw[k] = v
		}
		return run(t, "raft", "ycsb-a arrival=poisson:rate=0.01", raw, 1, 1).Metrics
	}
	narrow, wide, none := fig("150ms..155ms"), fig("150ms..300ms"), fig("150ms..150ms")
	if narrow["split_votes"] <= 5*wide["split_votes"] || narrow["election_ms_p99"] <= wide["election_ms_p99"] {
		t.Errorf("150–155ms: %v split votes, p99 %vms; 150–300ms: %v, %vms: want many more splits and a longer tail with less randomness",
			narrow["split_votes"], narrow["election_ms_p99"], wide["split_votes"], wide["election_ms_p99"])
	}
	if none["elections_cut"] == 0 || none["election_ms_max"] != 5000 {
		t.Errorf("150–150ms: %v trials cut, max %vms; want every trial cut at the 5s timeout", none["elections_cut"], none["election_ms_max"])
	}
}
