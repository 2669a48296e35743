package kafka

import (
	"fmt"
	"math/bits"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
	"github.com/dsbench/dsbench/harness"
)

func with(base map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// checkReplicas checks the replication invariants at the end of a run:
// below its leader's HW every ISR member holds the leader's records, and
// no group committed past the HW any leader exposed.
func checkReplicas(t *testing.T, label string, s *Sim) {
	t.Helper()
	for p := range s.meta {
		m := &s.meta[p]
		if m.leader < 0 {
			continue
		}
		lr := s.brokers[m.leader].parts[p]
		for i, b := range m.replicas {
			if b == m.leader || m.isr&(1<<i) == 0 || !s.net.Up(b) {
				continue
			}
			r := s.brokers[b].parts[p]
			hi := min(lr.hw, r.log.EndOffset())
			for o := max(lr.log.StartOffset(), r.log.StartOffset()); o < hi; o++ {
				a, _ := lr.log.Read(o)
				c, _ := r.log.Read(o)
				if a.Seq != c.Seq {
					t.Errorf("%s: partition %d offset %d: leader %d holds seq %d, ISR member %d seq %d", label, p, o, m.leader, a.Seq, b, c.Seq)
					return
				}
			}
		}
		for _, g := range s.groups {
			if g.committed[p] > s.exposed[p] {
				t.Errorf("%s: group %d committed %d past the HW %d of partition %d", label, g.id, g.committed[p], s.exposed[p], p)
			}
		}
	}
}

// crashRun crashes the leader of partition 0 at crashAt, restarts it at
// 2 s and drains; it returns the metrics and the sim.
func crashRun(t *testing.T, raw map[string]string, crashAt string, seed uint64) (map[string]float64, *Sim) {
	t.Helper()
	s, err := NewSim(simCfg(t, with(raw, "crash", "leader", "crash_at", crashAt, "restart_at", "2s")))
	if err != nil {
		t.Fatal(err)
	}
	d := drive(t, s, Workload, 8000, seed, 3*time.Second)
	checkReplicas(t, fmt.Sprintf("%v seed %d crash %s", raw, seed, crashAt), s)
	return d.m, s
}

var crashTimes = []string{"1001ms", "1050ms", "1100ms", "1150ms"}

// acks=all with min_insync_replicas=2 never loses an acknowledged record
// when a leader crashes (over seeds and crash times within a burst), and
// after the drain every acknowledged record was processed by the group.
// The crashed leader's partitions move to other brokers and it rejoins
// the ISR after its restart.
func TestAcksAllMinISR2LosesNothing(t *testing.T) {
	t.Parallel()
	raw := map[string]string{"acks": "all", "min_insync_replicas": "2"}
	elections := 0.0
	for seed := uint64(1); seed <= 5; seed++ {
		for _, at := range crashTimes {
			m, s := crashRun(t, raw, at, seed)
			if m["acked_lost"] != 0 || m["acked_unconsumed"] != 0 || m["order_violations"] != 0 {
				t.Errorf("seed %d crash %s: lost %v unconsumed %v order %v", seed, at, m["acked_lost"], m["acked_unconsumed"], m["order_violations"])
			}
			elections += m["leader_elections"]
			for p := range s.meta {
				if bits.OnesCount64(s.meta[p].isr) != 3 {
					t.Errorf("seed %d crash %s: partition %d ISR %b after the restart and drain", seed, at, p, s.meta[p].isr)
				}
			}
		}
	}
	if elections < 20 {
		t.Errorf("%v elections over 20 crashes of a leader", elections)
	}
}

// acks=1 answers at the leader's append, so records the followers had not
// fetched when the leader crashed are acknowledged and lost: the new leader
// never had them and the old one truncates them when it rejoins.
func TestAcks1LosesAcknowledgedRecords(t *testing.T) {
	t.Parallel()
	lost, losing, truncated := 0.0, 0, 0.0
	for seed := uint64(1); seed <= 5; seed++ {
		for _, at := range crashTimes {
			m, _ := crashRun(t, map[string]string{"acks": "1"}, at, seed)
			lost += m["acked_lost"]
			truncated += m["truncated"]
			if m["acked_lost"] > 0 {
				losing++
			}
		}
	}
	if losing < 5 || truncated < lost {
		t.Errorf("acks=1: %v records lost in %d of 20 crashes, %v truncated", lost, losing, truncated)
	}
}

// The acked_lost check catches a broken leader that advances its HW
// before the ISR has the record: acks=all then acknowledges what only the
// leader holds, and a crash loses it.
func TestBrokenHWIsCaught(t *testing.T) {
	t.Parallel()
	lost := 0.0
	for seed := uint64(1); seed <= 5; seed++ {
		for _, at := range crashTimes {
			cfg := simCfg(t, map[string]string{"acks": "all", "min_insync_replicas": "2", "crash": "leader", "crash_at": at, "restart_at": "2s"})
			cfg.brokenHW = true
			s, _ := NewSim(cfg)
			lost += drive(t, s, Workload, 8000, seed, 3*time.Second).m["acked_lost"]
		}
	}
	if lost == 0 {
		t.Error("a leader advancing its HW before the ISR lost nothing under acks=all: the check cannot fail")
	}
}

// uncleanScenario: replicas=2; broker 1 cannot reach broker 0 from 200 ms
// (it drops out of the ISR of broker 0's partitions and is fenced), then
// broker 0 crashes at 1 s and restarts at 2 s. Broker 0's partitions have
// no live ISR member.
var uncleanScenario = map[string]string{"replicas": "2", "acks": "all", "partition": "oneway:1>0@200ms..1500ms",
	"crash": "0", "crash_at": "1s", "restart_at": "2s", "delivery_timeout": "5s"}

// Unclean election trades loss for availability: with it, broker 0's
// partitions get the stale replica as leader at once and acknowledged
// records are lost; without it they stay offline until broker 0 returns,
// and nothing acknowledged is lost.
func TestUncleanElectionTradesLossForAvailability(t *testing.T) {
	t.Parallel()
	for seed := uint64(1); seed <= 4; seed++ {
		clean, sc := crashFree(t, with(uncleanScenario, "unclean_election", "false"), seed)
		dirty, _ := crashFree(t, with(uncleanScenario, "unclean_election", "true"), seed)
		if clean["acked_lost"] != 0 || clean["unclean_elections"] != 0 || dirty["unclean_elections"] == 0 {
			t.Errorf("seed %d: clean %v lost / %v unclean, unclean run %v unclean elections", seed, clean["acked_lost"], clean["unclean_elections"], dirty["unclean_elections"])
		}
		if !(dirty["acked_lost"] > 0 && dirty["unavailable_s"] < clean["unavailable_s"]/2) {
			t.Errorf("seed %d: unclean lost %v unavailable %v s; clean lost %v unavailable %v s", seed,
				dirty["acked_lost"], dirty["unavailable_s"], clean["acked_lost"], clean["unavailable_s"])
		}
		checkReplicas(t, "clean", sc)
	}
}

func crashFree(t *testing.T, raw map[string]string, seed uint64) (map[string]float64, *Sim) {
	s, err := NewSim(simCfg(t, raw))
	if err != nil {
		t.Fatal(err)
	}
	return drive(t, s, Workload, 12000, seed, 4*time.Second).m, s
}

// A broker cut off from the others leaves every ISR after
// replica_lag_max and rejoins once it has caught up; acks=all with
// min_insync_replicas=3 is refused meanwhile (NOT_ENOUGH_REPLICAS), with
// 2 it is served. (Its own partitions move to new leaders once the
// controller fences it; the records it still takes from producers — client
// links are not cut — wait for an HW that cannot move, since its ISR
// shrink is refused, until the heal tells it to follow: with a
// delivery_timeout of 2 s they are retried to the new leaders in time.)
func TestISRShrinksAndExpands(t *testing.T) {
	for _, min := range []string{"2", "3"} {
		dt := "2s"
		if min == "3" {
			dt = "100ms"
		}
		s, _ := NewSim(simCfg(t, map[string]string{"partition": "isolate:2@300ms..1300ms", "min_insync_replicas": min, "delivery_timeout": dt}))
		d := drive(t, s, Workload, 12000, 1, 2*time.Second)
		m := d.m
		if m["isr_shrinks"] == 0 || m["isr_expands"] == 0 {
			t.Errorf("min %s: shrinks %v expands %v", min, m["isr_shrinks"], m["isr_expands"])
		}
		for p := range s.meta {
			if bits.OnesCount64(s.meta[p].isr) != 3 {
				t.Errorf("min %s: partition %d ISR %b after the heal", min, p, s.meta[p].isr)
			}
		}
		if (min == "3") != (m["not_enough_replicas"] > 0) || (min == "3") != (d.errs > 0) || m["acked_lost"] != 0 {
			t.Errorf("min %s: not_enough_replicas %v, %d errors, lost %v", min, m["not_enough_replicas"], d.errs, m["acked_lost"])
		}
		checkReplicas(t, "isolate", s)
	}
}

// Groups read one log independently: each processes every record once;
// group 0's rebalances (a member leaves and one joins) hold back only its
// own end-to-end latency.
func TestGroupsIndependent(t *testing.T) {
	s, _ := NewSim(simCfg(t, map[string]string{"groups": "3", "leave_at": "1100ms", "join_at": "2100ms", "rebalance_time": "300ms"}))
	seen := make([]map[uint64]int, 3)
	for g := range seen {
		seen[g] = map[uint64]int{}
	}
	s.OnConsume = func(g, _ int, _ int64, rec Record) { seen[g][rec.Seq]++ }
	d := drive(t, s, Workload, 12000, 2, 4*time.Second)
	m := d.m
	for g := range seen {
		if len(seen[g]) != 12000 {
			t.Errorf("group %d processed %d distinct records", g, len(seen[g]))
		}
		for seq, n := range seen[g] {
			if n != 1 {
				t.Errorf("group %d processed %d %d times", g, seq, n)
				break
			}
		}
		if _, ok := m[fmt.Sprintf("end_to_end_ms_p99_g%d", g)]; !ok {
			t.Errorf("no end_to_end_ms_p99_g%d", g)
		}
	}
	if m["consumed"] != 36000 || m["rebalances"] != 2 || !(m["end_to_end_ms_max_g0"] > m["end_to_end_ms_max_g1"]+100) {
		t.Errorf("consumed %v rebalances %v e2e max g0 %v g1 %v", m["consumed"], m["rebalances"], m["end_to_end_ms_max_g0"], m["end_to_end_ms_max_g1"])
	}
}

// A run with a leader crash, its restart and random faults repeats byte for
// byte.
func TestSimDeterministicWithFaults(t *testing.T) {
	run := func() *harness.Report {
		s, _ := NewSim(simCfg(t, map[string]string{"crash": "leader", "crash_at": "1100ms", "restart_at": "1500ms", "fault_gap": "300ms", "fault_len": "50ms", "faults_end": "2500ms", "groups": "2"}))
		return runSim(t, s, Workload, 8000, 11)
	}
	algotest.SameRun(t, "kafka/topic", run(), run())
}

// The random fault plan (isolations, splits, one-way cuts, crashes) never
// makes acks=all with min_insync_replicas=2 lose a record, and the ISR
// members agree below the HW.
func TestRandomFaultsAcksAll(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		s, _ := NewSim(simCfg(t, map[string]string{"min_insync_replicas": "2", "fault_gap": "200ms", "fault_len": "100ms", "faults_end": "2500ms", "delivery_timeout": "5s"}))
		d := drive(t, s, Workload, 12000, seed, 4*time.Second)
		if d.m["acked_lost"] != 0 || d.m["isr_shrinks"]+d.m["brokers_fenced"] == 0 {
			t.Errorf("seed %d: lost %v after %v ISR shrinks, %v fenced", seed, d.m["acked_lost"], d.m["isr_shrinks"], d.m["brokers_fenced"])
		}
		checkReplicas(t, fmt.Sprintf("faults seed %d", seed), s)
	}
}

func TestBadReplicationParams(t *testing.T) {
	algotest.ResolveCases(t, "kafka/topic", map[string]string{
		"replicas=4":                       "replicas=4 exceeds nodes=3",
		"min_insync_replicas=3,replicas=2": "min_insync_replicas=3",
		"acks=2":                           "0|1|all",
		"replica_fetch_wait=200ms":         "replica_fetch_wait",
		"heartbeat=1s":                     "session_timeout",
		"groups=0":                         "groups",
		"nodes=5,replicas=5,min_insync_replicas=5": "",
		"dup=0.1": "dup",
	})
}

// BenchmarkSimProduce is the virtual-time cost of one produce with
// acks=all on 3 replicas, its replication and its consumption by one group
// (the tour workload); allocs/op shows the pools hold.
func BenchmarkSimProduce(b *testing.B) {
	cfg, err := ConfigFrom(algotest.Params(b, "kafka/topic", nil))
	if err != nil {
		b.Fatal(err)
	}
	s, _ := NewSim(cfg)
	b.ReportAllocs()
	algotest.RunTarget(b, s, algotest.Spec(b, Workload), algotest.Options{Clock: algorithms.Virtual, Ops: uint64(b.N), Seed: 1})
}
