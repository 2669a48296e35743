package coordination

import (
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms/algotest"
)

// A leader crash: the followers see its connection reset, elect the server
// with the most of the history after finalize_wait, sync and serve again.
// The failover (crash → new leader serving) is finalize_wait plus a few
// network delays; the ops caught in it fail with CONNECTIONLOSS and nothing
// else fails; the lock recipe stays mutually exclusive and watches stay
// ordered; the old leader rejoins as a follower when it restarts.
func TestZKLeaderFailover(t *testing.T) {
	for _, fw := range []time.Duration{0, 50 * time.Millisecond, 200 * time.Millisecond} {
		raw := map[string]string{"crash": "leader", "crash_at": "300ms", "restart_at": "600ms", "finalize_wait": fw.String()}
		for seed := uint64(1); seed <= 3; seed++ {
			rep, _ := runTarget(t, "coordination/zookeeper", raw, ZKWorkload, time.Second, 0, 0, seed)
			m := rep.Metrics
			if m["elections"] != 1 || m["failovers"] != 1 {
				t.Fatalf("finalize_wait=%v seed %d: %v elections, %v failovers, want 1", fw, seed, m["elections"], m["failovers"])
			}
			// Detection (≤ 150 µs) + votes (≤ 150 µs + CPU) + finalize_wait +
			// NEWLEADER, its fsync and ack (≤ 300 µs + CPU).
			got := m["failover_ms_max"]
			want := float64(fw) / float64(time.Millisecond)
			if got < want || got > want+1.5 {
				t.Errorf("finalize_wait=%v seed %d: failover %.2fms, want within [%.0f, %.1f]ms", fw, seed, got, want, want+1.5)
			}
			if float64(rep.Errors) != m["connection_loss"] || m["lock_mutex_violations"] != 0 || m["watch_fired_late"] != 0 {
				t.Errorf("finalize_wait=%v seed %d: errors %d, %v", fw, seed, rep.Errors, m)
			}
			// The ops that fail are those started during the failover (20k/s)
			// and those pending when the followers went LOOKING.
			if lost, during := m["connection_loss"], 20000*got/1000; lost > 1.05*during+100 || lost < 0.5*during {
				t.Errorf("finalize_wait=%v seed %d: %v ops lost, %.0f started during the failover", fw, seed, lost, during)
			}
		}
	}
}

// A follower's crash costs no election: only its own clients' pending ops
// fail, and its clients move to the next server.
func TestZKFollowerCrash(t *testing.T) {
	rep, _ := runTarget(t, "coordination/zookeeper", map[string]string{"crash": "2", "crash_at": "300ms", "restart_at": "500ms"}, ZKWorkload, time.Second, 0, 0, 1)
	m := rep.Metrics
	if m["elections"] != 0 || m["connection_loss"] > 50 || float64(rep.Errors) != m["connection_loss"] || m["lock_mutex_violations"] != 0 {
		t.Errorf("%d errors, %v", rep.Errors, m)
	}
}

// Without a quorum no leader can be elected; once the crashed server
// restarts, the ensemble elects one and serves again.
func TestZKQuorumLossAndReturn(t *testing.T) {
	raw := map[string]string{"nodes": "2", "crash": "1", "crash_at": "200ms", "restart_at": "400ms", "finalize_wait": "10ms"}
	rep, _ := runTarget(t, "coordination/zookeeper", raw, "mix=read:0.5,update:0.5 keys=uniform:n=100 clients=uniform:n=10 arrival=poisson:rate=1000", time.Second, 0, 0, 1)
	m := rep.Metrics
	if m["elections"] != 1 || m["failovers"] != 1 {
		t.Fatalf("%v", m)
	}
	// No quorum from 200ms until the restart at 400ms, then an election.
	if f := m["failover_ms_max"]; f < 200 || f > 212 {
		t.Errorf("failover %.1fms, want ≈ 200ms + finalize_wait", f)
	}
	// About 200 ms × 1000/s refused, nothing else.
	if l := m["connection_loss"]; math.Abs(l-210) > 60 || float64(rep.Errors) != l {
		t.Errorf("%v ops lost (errors %d), want ≈ 210", l, rep.Errors)
	}
}

// Same seed, same run, faults included.
func TestZKFailoverDeterministic(t *testing.T) {
	raw := map[string]string{"crash": "random", "crash_at": "300ms", "restart_at": "450ms", "nodes": strconv.Itoa(3)}
	a, _ := runTarget(t, "coordination/zookeeper", raw, ZKWorkload, 700*time.Millisecond, 0, 0, 5)
	b, _ := runTarget(t, "coordination/zookeeper", raw, ZKWorkload, 700*time.Millisecond, 0, 0, 5)
	algotest.SameRun(t, "zookeeper crash=random", a, b)
}
