package casestudy

import (
	"testing"
	"time"
)

func TestIdemStore(t *testing.T) {
	s := NewIdemStore(time.Second)
	if a, _ := s.Pre(7, 0); a != PreProceed {
		t.Fatal("new key not taken")
	}
	if a, _ := s.Pre(7, 500*time.Millisecond); a != PreConflict {
		t.Fatal("live lease not a conflict")
	}
	if a, _ := s.Pre(7, time.Second); a != PreProceed || s.Takeovers != 1 {
		t.Fatal("expired lease not taken over")
	}
	s.Post(7, Retryable)
	if a, _ := s.Pre(7, time.Second); a != PreProceed {
		t.Fatal("key not released after a retryable failure")
	}
	s.Post(7, Success)
	for _, now := range []time.Duration{time.Second, time.Hour} {
		if a, r := s.Pre(7, now); a != PreReplay || r != Success {
			t.Fatalf("recorded response not replayed: %v %v", a, r)
		}
	}
	s.Pre(8, 0)
	s.Post(8, Declined)
	if a, r := s.Pre(8, 0); a != PreReplay || r != Declined {
		t.Fatal("decline not final")
	}
	p := NewProcessor(true)
	if p.Process(3, 3, false) != Success || p.Process(3, 3, true) != Success || p.Charges[3] != 1 {
		t.Fatalf("processor: a repeated key: %v", p.Charges)
	}
	if p.Process(4, 4, true) != Declined || p.Process(4, 4, false) != Declined || p.Charges[4] != 0 {
		t.Fatalf("processor: a repeated declined key: %v", p.Charges)
	}
	if p.Process(3, 99, false) != Success || p.Charges[3] != 2 {
		t.Fatalf("processor: a new key charges again: %v", p.Charges)
	}
	q := NewProcessor(false)
	if q.Process(5, 5, false) != Success || q.Process(5, 5, false) != Success || q.Charges[5] != 2 {
		t.Fatalf("processor without keys: a repeated key must charge again: %v", q.Charges)
	}
}

// With a processor that honours keys, double_charges is 0 whatever the
// idempotency table does (the processor deduplicates every retry), so that
// check alone cannot tell Orpheus from no Orpheus. With processor_keys=false
// the table is all that stands between a retry and a second charge: a
// client that lost a final answer retries, and Orpheus must replay the
// recorded response instead of making the RPC again.
func TestOrpheusRecordsPreventDoubleCharges(t *testing.T) {
	raw := map[string]string{"processor_keys": "false", "fail_rate": "0", "db_fail_rate": "0", "response_loss": "0.3", "decline_rate": "0.1", "retries": "8", "backoff": "20ms"}
	for seed := uint64(1); seed <= 3; seed++ {
		m := runSim(t, "casestudy/airbnb-idempotency", OrpheusWorkload, raw, 3000, seed).Metrics
		if m["double_charges"] != 0 || m["declined_charged"] != 0 || m["success_uncharged"] != 0 || m["replayed_responses"] < 100 {
			t.Fatalf("seed %d: Orpheus with a key-blind processor: %v", seed, m)
		}
		if m["rpcs"] != m["payments"] {
			t.Fatalf("seed %d: %v RPCs for %v payments: a replayed answer must not call the processor again", seed, m["rpcs"], m["payments"])
		}
	}
	off := map[string]string{"idempotency": "false"}
	for k, v := range raw {
		off[k] = v
	}
	if m := runSim(t, "casestudy/airbnb-idempotency", OrpheusWorkload, off, 3000, 1).Metrics; m["double_charges"] < 100 {
		t.Fatalf("without idempotency keys, lost answers must double-charge: %v", m)
	}
	// Timeouts after the charge are retried with the same key: a key-blind
	// processor charges again, which is why Orpheus passes its key on.
	timeouts := map[string]string{"processor_keys": "false", "fail_rate": "0.2", "timeout_share": "1", "db_fail_rate": "0", "response_loss": "0"}
	if m := runSim(t, "casestudy/airbnb-idempotency", OrpheusWorkload, timeouts, 3000, 1).Metrics; m["double_charges"] == 0 {
		t.Fatalf("a retried timeout with a key-blind processor must show as a double charge: %v", m)
	}
}

// The invariant: with failures injected at every phase (pre-RPC transaction,
// the RPC before and after the charge, post-RPC crash, the response lost on
// its way back), no payment is ever charged twice, no success is
// uncharged, no decline is charged; without idempotency keys the same
// failures charge twice.
func TestOrpheusNeverChargesTwice(t *testing.T) {
	heavy := map[string]string{"fail_rate": "0.4", "db_fail_rate": "0.15", "response_loss": "0.2", "decline_rate": "0.1", "retries": "8", "backoff": "20ms"}
	for seed := uint64(1); seed <= 4; seed++ {
		rep := runSim(t, "casestudy/airbnb-idempotency", OrpheusWorkload, heavy, 3000, seed)
		m := rep.Metrics
		if m["double_charges"] != 0 || m["success_uncharged"] != 0 || m["declined_charged"] != 0 {
			t.Fatalf("seed %d: %v", seed, m)
		}
		// Every phase's failure happened, and so did every recovery path.
		for _, k := range []string{"retries", "lease_conflicts", "lease_takeovers", "replayed_responses", "responses_lost", "succeeded", "declined"} {
			if m[k] == 0 {
				t.Fatalf("seed %d: %s = 0: %v", seed, k, m)
			}
		}
		if rep.Ops != 3000 || m["payments"] != 3000 || m["succeeded"]+m["declined"]+m["gave_up"] != 3000 || uint64(m["gave_up"]) != rep.Errors {
			t.Fatalf("seed %d: ops %d errors %d %v", seed, rep.Ops, rep.Errors, m)
		}
		if m["charges"] != m["succeeded"]+m["gave_up_charged"] {
			t.Fatalf("seed %d: charges %v ≠ succeeded + gave_up_charged: %v", seed, m["charges"], m)
		}
	}
	off := map[string]string{"idempotency": "false"}
	for k, v := range heavy {
		off[k] = v
	}
	rep := runSim(t, "casestudy/airbnb-idempotency", OrpheusWorkload, off, 3000, 1)
	if rep.Metrics["double_charges"] < 50 || rep.Metrics["extra_charges"] < rep.Metrics["double_charges"] {
		t.Fatalf("without idempotency: %v", rep.Metrics)
	}
	// Default parameters: deterministic, and retries show in the latency.
	a := runSim(t, "casestudy/airbnb-idempotency", OrpheusWorkload, nil, 5000, 2)
	b := runSim(t, "casestudy/airbnb-idempotency", OrpheusWorkload, nil, 5000, 2)
	if !sameRun(a, b) {
		t.Fatal("two runs of one seed differ")
	}
	if a.Metrics["double_charges"] != 0 || a.Latency.ValueAtQuantile(99) < int64(100*time.Millisecond) || a.Latency.ValueAtQuantile(50) > int64(60*time.Millisecond) {
		t.Fatalf("defaults: p50 %d p99 %d %v", a.Latency.ValueAtQuantile(50), a.Latency.ValueAtQuantile(99), a.Metrics)
	}
	wantBad(t, "casestudy/airbnb-idempotency", map[string]string{"lease": "500ms"}, "lease=500ms", "504ms", "valid")
}
