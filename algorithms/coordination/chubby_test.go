package coordination

import (
	"strings"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
)

const chubbyLocks = "mix=read:0.5,update:0.1,acquire:0.2,release:0.2 keys=uniform:n=20 clients=50 arrival=poisson:rate=100"

// Sequencers fence a holder whose session expired during a pause: with them
// its late write is rejected and no write from a lost holder gets through;
// without them the same schedule lets stale writes in.
func TestChubbySequencersFence(t *testing.T) {
	raw := map[string]string{"stall": "0.3", "stall_for": "15s", "hold": "100ms"}
	on, st := runTarget(t, "coordination/chubby", raw, chubbyLocks, 60*time.Second, 0, 0, 9)
	m := on.Metrics
	if m["session_expirations"] == 0 || m["fenced_stale_writes"] == 0 {
		t.Fatalf("no expired holder was fenced: %v", m)
	}
	if m["unsafe_writes"] != 0 {
		t.Errorf("unsafe_writes = %v with sequencers", m["unsafe_writes"])
	}
	// Every fenced write is an expired holder's (each stalled holder whose
	// lock moved on writes once).
	if m["fenced_stale_writes"] > m["session_expirations"] {
		t.Errorf("fenced %v > expired %v", m["fenced_stale_writes"], m["session_expirations"])
	}
	// Every grant took a new generation.
	c := st.(*Chubby)
	var gens uint64
	for _, l := range c.locks {
		gens += l.gen
	}
	if gens < uint64(m["acquires"]) {
		t.Errorf("generations %d for %v acquires", gens, m["acquires"])
	}
	raw["sequencer"] = "false"
	off, _ := runTarget(t, "coordination/chubby", raw, chubbyLocks, 60*time.Second, 0, 0, 9)
	if off.Metrics["unsafe_writes"] == 0 || off.Metrics["fenced_stale_writes"] != 0 {
		t.Errorf("sequencer=false: unsafe %v fenced %v", off.Metrics["unsafe_writes"], off.Metrics["fenced_stale_writes"])
	}
}

// The master invalidates every cached copy before a write completes, so a
// cached read never misses an acknowledged write; caching serves most reads.
func TestChubbyCacheInvalidation(t *testing.T) {
	spec := "mix=read:0.98,update:0.02 keys=zipf:theta=0.99,n=100 clients=20 arrival=poisson:rate=5000"
	on, _ := runTarget(t, "coordination/chubby", nil, spec, 2*time.Second, 0, 0, 3)
	m := on.Metrics
	if m["stale_cache_reads"] != 0 {
		t.Errorf("stale_cache_reads = %v", m["stale_cache_reads"])
	}
	if m["cache_hit_rate"] < 0.5 || m["invalidations"] == 0 {
		t.Errorf("hit rate %v invalidations %v", m["cache_hit_rate"], m["invalidations"])
	}
	off, _ := runTarget(t, "coordination/chubby", map[string]string{"cache": "false"}, spec, 2*time.Second, 0, 0, 3)
	if off.Metrics["cache_hits"] != 0 || off.Metrics["invalidations"] != 0 {
		t.Errorf("cache=false: %v", off.Metrics)
	}
	// Invalidations make writes slower, caching makes reads faster.
	if on.Latency.ValueAtQuantile(50) >= off.Latency.ValueAtQuantile(50) {
		t.Errorf("median latency with cache %v ≥ without %v", on.Latency.ValueAtQuantile(50), off.Latency.ValueAtQuantile(50))
	}
}

// A fail-over shorter than lease + grace blocks ops but loses nothing; a
// longer one expires the sessions and their ops fail.
func TestChubbyFailoverGrace(t *testing.T) {
	spec := "mix=read:0.8,update:0.1,acquire:0.05,release:0.05 keys=uniform:n=50 clients=20 arrival=poisson:rate=50"
	ok, _ := runTarget(t, "coordination/chubby", map[string]string{"failover_at": "10s", "election": "20s"}, spec, 60*time.Second, 0, 0, 4)
	if ok.Errors != 0 || ok.Metrics["failover_blocked_ops"] == 0 {
		t.Errorf("20 s fail-over within 12 s lease + 45 s grace: errors %d blocked %v", ok.Errors, ok.Metrics["failover_blocked_ops"])
	}
	if ok.ShardOps[1] == 0 {
		t.Error("the new master served nothing")
	}
	if p := time.Duration(ok.Latency.Max()); p < 15*time.Second {
		t.Errorf("max latency %v: blocked ops should wait out the election", p)
	}
	bad, _ := runTarget(t, "coordination/chubby", map[string]string{"failover_at": "10s", "election": "70s"}, spec, 100*time.Second, 0, 0, 4)
	if bad.Errors == 0 || bad.Metrics["ops_failed_session_lost"] != float64(bad.Errors) {
		t.Errorf("70 s fail-over beyond lease + grace: errors %d lost %v", bad.Errors, bad.Metrics["ops_failed_session_lost"])
	}
}

func TestChubbyDeterministic(t *testing.T) {
	a, _ := runTarget(t, "coordination/chubby", map[string]string{"stall": "0.2"}, ChubbyWorkload, 3*time.Second, 0, 0, 8)
	b, _ := runTarget(t, "coordination/chubby", map[string]string{"stall": "0.2"}, ChubbyWorkload, 3*time.Second, 0, 0, 8)
	if a.Ops < 5000 || a.Errors != 0 {
		t.Fatalf("ops %d errors %d", a.Ops, a.Errors)
	}
	for k, v := range a.Metrics {
		if b.Metrics[k] != v {
			t.Errorf("%s: %v vs %v", k, v, b.Metrics[k])
		}
	}
}

func TestChubbyBadParams(t *testing.T) {
	info, _ := algorithms.Lookup("coordination/chubby")
	for _, c := range []struct {
		raw  map[string]string
		want string
	}{
		{map[string]string{"failover_at": "5s", "election": "0s"}, "election=0s"},
		{map[string]string{"lease": "0s"}, "lease"},
		{map[string]string{"stall": "-1"}, "stall"},
		{map[string]string{"cache": "yes"}, "cache"},
	} {
		_, err := info.Resolve(c.raw)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error naming %q", c.raw, err, c.want)
		}
	}
}
