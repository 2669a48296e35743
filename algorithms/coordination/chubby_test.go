package coordination

import (
	"strings"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
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
	// Every fenced write is an expired holder's (each paused holder whose
	// lock the master freed writes once).
	if m["fenced_stale_writes"] > m["locks_expired"] {
		t.Errorf("fenced %v > locks freed by expiry %v", m["fenced_stale_writes"], m["locks_expired"])
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

// chubbyFailover is a lock and file load on a 5-replica cell whose master
// crashes at 10 s.
const chubbyFailover = "mix=read:0.8,update:0.1,acquire:0.05,release:0.05 keys=uniform:n=50 clients=20 arrival=poisson:rate=50"

// The master's crash starts an election among the replicas: it is measured
// (failover_ms) and falls inside the bound its timers give. The replicas'
// master lease runs out master_lease after the last heartbeat they heard
// (sent at most a heartbeat before the crash), a candidate backs off up to a
// heartbeat more, then votes, the epoch entry's fsyncs and a few network
// delays (≤ 1 ms each) follow. A fail-over shorter than lease + grace loses
// no session: ops wait for the new master and then complete at it.
func TestChubbyFailoverMeasured(t *testing.T) {
	for _, c := range []struct{ lease, beat time.Duration }{{4 * time.Second, time.Second}, {2 * time.Second, 200 * time.Millisecond}} {
		for seed := uint64(1); seed <= 4; seed++ {
			raw := map[string]string{"crash": "leader", "crash_at": "10s", "master_lease": c.lease.String(), "heartbeat": c.beat.String()}
			r, _ := runTarget(t, "coordination/chubby", raw, chubbyFailover, 40*time.Second, 0, 0, seed)
			m := r.Metrics
			f := time.Duration(m["failover_ms"] * float64(time.Millisecond))
			lo, hi := c.lease-c.beat, c.lease+c.beat+20*time.Millisecond
			if m["failovers"] != 1 || f < lo || f > hi {
				t.Errorf("master_lease=%v heartbeat=%v seed %d: failovers %v failover %v, want one in [%v, %v]", c.lease, c.beat, seed, m["failovers"], f, lo, hi)
			}
			if r.Errors != 0 || m["failover_blocked_ops"] == 0 || m["sessions_lost"] != 0 || m["stale_cache_reads"] != 0 {
				t.Errorf("seed %d: errors %d blocked %v sessions_lost %v stale %v", seed, r.Errors, m["failover_blocked_ops"], m["sessions_lost"], m["stale_cache_reads"])
			}
			// Node 0 led before the crash, another node after it.
			var after uint64
			for s := 1; s < len(r.ShardOps); s++ {
				after += r.ShardOps[s]
			}
			if r.ShardOps[0] == 0 || after == 0 {
				t.Errorf("seed %d: ops per node %v", seed, r.ShardOps)
			}
			if p := time.Duration(r.Latency.Max()); p < lo-time.Second {
				t.Errorf("seed %d: max latency %v: ops blocked by the fail-over should wait for it", seed, p)
			}
		}
	}
}

// A fail-over longer than lease + grace (a 4 s master lease against a 2 s
// lease and 1 s grace) loses the sessions: their waiting ops fail, and
// the clients open new sessions at the new master. With a 10 s grace the
// same fail-over loses none: the new master extends every session by a
// lease, and clients find it within a heartbeat (1 s < the 2 s lease).
func TestChubbyFailoverBeyondGrace(t *testing.T) {
	raw := map[string]string{"crash": "leader", "crash_at": "10s", "lease": "2s", "grace": "1s"}
	bad, _ := runTarget(t, "coordination/chubby", raw, chubbyFailover, 40*time.Second, 0, 0, 4)
	m := bad.Metrics
	if bad.Errors == 0 || m["ops_failed_session_lost"] != float64(bad.Errors) || m["sessions_lost"] == 0 {
		t.Errorf("4 s fail-over beyond 2 s lease + 1 s grace: errors %d failed %v sessions_lost %v", bad.Errors, m["ops_failed_session_lost"], m["sessions_lost"])
	}
	if m["sessions_created"] <= 20 {
		t.Errorf("sessions_created %v: the clients should reopen sessions after losing them", m["sessions_created"])
	}
	raw["grace"] = "10s"
	for seed := uint64(1); seed <= 4; seed++ {
		ok, _ := runTarget(t, "coordination/chubby", raw, chubbyFailover, 40*time.Second, 0, 0, seed)
		if ok.Errors != 0 || ok.Metrics["sessions_lost"] != 0 || ok.Metrics["session_expirations"] != 0 {
			t.Errorf("grace=10s seed %d: errors %d sessions_lost %v expired %v", seed, ok.Errors, ok.Metrics["sessions_lost"], ok.Metrics["session_expirations"])
		}
	}
}

// KeepAlives dominate a cell's RPCs (the paper's Table 1: 93%). Its cell had
// 22k clients and 1–2k RPCs/s, so about 0.005 non-KeepAlive RPCs per client
// per second; a twentieth of it (1100 clients, 6 ops/s, mostly reads of
// distinct files) with the paper's 12 s lease, for 20 minutes so that
// opening the sessions weighs little, gives the same share. The count comes
// from the mechanism: each session sends one KeepAlive per lease −
// lease/12 (the master answers the held one when a twelfth of the lease is
// left), and a 60 s lease (§4.1: raising the lease cut KeepAlive load)
// sends about a fifth as many.
func TestChubbyKeepAliveShare(t *testing.T) {
	spec := "mix=read:0.98,update:0.015,acquire:0.005 keys=uniform:n=100000 clients=uniform:n=1100 arrival=poisson:rate=6"
	dur := 20 * time.Minute
	r, st := runTarget(t, "coordination/chubby", nil, spec, dur, 0, 0, 5)
	m := r.Metrics
	t.Logf("keepalive_share %.3f keepalives %v rpcs %v sessions %v", m["keepalive_share"], m["keepalives"], m["rpcs"], m["sessions_created"])
	if s := m["keepalive_share"]; s < 0.88 || s > 0.97 {
		t.Errorf("keepalive_share %.3f, want the paper's order (0.93)", s)
	}
	c := st.(*Chubby)
	var want float64
	end := c.nt.World().Now()
	for _, cl := range c.clients {
		if cl.sid != 0 {
			want += float64(end-cl.opened) / float64(11*time.Second)
		}
	}
	if got := m["keepalives"]; got < want*0.95 || got > want*1.05+m["sessions_created"] {
		t.Errorf("keepalives %v, want one per 11 s of each session's life: %.0f", got, want)
	}
	long, _ := runTarget(t, "coordination/chubby", map[string]string{"lease": "60s"}, spec, dur, 0, 0, 5)
	if ratio := long.Metrics["keepalives"] / m["keepalives"]; ratio < 0.15 || ratio > 0.3 {
		t.Errorf("lease=60s sends %.2f× the KeepAlives of 12 s, want about 1/5", ratio)
	}
}

func TestChubbyDeterministic(t *testing.T) {
	for _, raw := range []map[string]string{{"stall": "0.2"}, {"crash": "leader", "crash_at": "1s", "master_lease": "500ms", "heartbeat": "100ms"}} {
		a, _ := runTarget(t, "coordination/chubby", raw, ChubbyWorkload, 3*time.Second, 0, 0, 8)
		b, _ := runTarget(t, "coordination/chubby", raw, ChubbyWorkload, 3*time.Second, 0, 0, 8)
		if a.Ops < 5000 {
			t.Fatalf("%v: ops %d", raw, a.Ops)
		}
		algotest.SameRun(t, "coordination/chubby", a, b)
	}
}

func TestChubbyBadParams(t *testing.T) {
	info, _ := algorithms.Lookup("coordination/chubby")
	for _, c := range []struct {
		raw  map[string]string
		want string
	}{
		{map[string]string{"lease": "0s"}, "lease"},
		{map[string]string{"stall": "-1"}, "stall"},
		{map[string]string{"cache": "yes"}, "cache"},
		{map[string]string{"heartbeat": "5s"}, "heartbeat=5s"},
		{map[string]string{"crash": "7"}, "7"},
		{map[string]string{"failover_at": "5s"}, "failover_at"}, // replaced by crash=leader crash_at=…
		{map[string]string{"election": "5s"}, "election"},       // measured now (failover_ms), not set
		{map[string]string{"partition": "isolate:leader"}, "partition"},
	} {
		_, err := info.Resolve(c.raw)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error naming %q", c.raw, err, c.want)
		}
	}
}

// The stale-read check catches a broken master: if a write may start while
// the file's earlier write still waits for a paused client to acknowledge
// its invalidation, the later write completes and the paused client's cache
// serves the old version. The same seed with writes queued per file reads
// nothing stale.
func TestChubbyStaleCheckCatchesOvertakingWrites(t *testing.T) {
	raw := map[string]string{"stall": "0.2"}
	info, _ := algorithms.Lookup("coordination/chubby")
	run := func(overtake bool) float64 {
		o := algotest.Options{Clock: algorithms.Virtual, Duration: 3 * time.Second, Seed: 8, Shards: 8}
		st := algotest.Build(t, info.Name, raw, ChubbyWorkload, o).(*Chubby)
		st.overtake = overtake
		return algotest.RunTarget(t, st, algotest.Spec(t, ChubbyWorkload), o).Metrics["stale_cache_reads"]
	}
	if got := run(false); got != 0 {
		t.Errorf("stale_cache_reads = %v with writes queued per file", got)
	}
	if got := run(true); got == 0 {
		t.Error("overtaking writes read nothing stale: the check is blind")
	}
}

// A replica's crash (not the master's) costs no election: a majority still
// logs every entry. A 3-replica cell fails over as a 5-replica one does.
func TestChubbyReplicaCrashAndSmallCell(t *testing.T) {
	r, _ := runTarget(t, "coordination/chubby", map[string]string{"crash": "1", "crash_at": "5s"}, chubbyFailover, 20*time.Second, 0, 0, 2)
	if r.Errors != 0 || r.Metrics["elections"] != 0 || r.Metrics["failovers"] != 0 || r.ShardOps[0] != r.Ops {
		t.Errorf("replica crash: errors %d elections %v failovers %v ops per node %v", r.Errors, r.Metrics["elections"], r.Metrics["failovers"], r.ShardOps)
	}
	s, _ := runTarget(t, "coordination/chubby", map[string]string{"nodes": "3", "crash": "leader", "crash_at": "5s"}, chubbyFailover, 20*time.Second, 0, 0, 2)
	f := time.Duration(s.Metrics["failover_ms"] * float64(time.Millisecond))
	if s.Errors != 0 || s.Metrics["failovers"] != 1 || f < 3*time.Second || f > 5*time.Second+20*time.Millisecond {
		t.Errorf("3 replicas: errors %d failovers %v failover %v", s.Errors, s.Metrics["failovers"], f)
	}
}

// run --check: Chubby's files are linearizable registers, and the clients'
// history of reads (cached or from the master) and writes passes porcupine
// over seeds, with clients stalling past their lease and with a master
// fail-over. The broken master whose write overtakes the file's earlier one
// (still invalidating caches) is caught: a read returns an overwritten value.
func TestChubbyLinearizable(t *testing.T) {
	info, _ := algorithms.Lookup("coordination/chubby")
	run := func(raw map[string]string, spec string, d time.Duration, seed uint64, overtake bool) map[string]float64 {
		o := algotest.Options{Clock: algorithms.Virtual, Duration: d, Seed: seed, Check: true}
		st := algotest.Build(t, info.Name, raw, spec, o).(*Chubby)
		st.overtake = overtake
		return algotest.RunTarget(t, st, algotest.Spec(t, spec), o).Metrics
	}
	for seed := uint64(1); seed <= 4; seed++ {
		for _, c := range []struct {
			raw  map[string]string
			spec string
			d    time.Duration
		}{
			{map[string]string{"stall": "0.2"}, ChubbyWorkload, 3 * time.Second},
			{map[string]string{"crash": "leader", "crash_at": "5s"}, chubbyFailover, 15 * time.Second},
		} {
			m := run(c.raw, c.spec, c.d, seed, false)
			if m["linearizability_violations"] != 0 || m["linearizability_ops"] < 100 || m["linearizability_undecided"] != 0 {
				t.Errorf("seed %d %v: %v violations of %v ops (%v undecided)", seed, c.raw, m["linearizability_violations"], m["linearizability_ops"], m["linearizability_undecided"])
			}
		}
	}
	if m := run(map[string]string{"stall": "0.2"}, ChubbyWorkload, 3*time.Second, 8, true); m["linearizability_violations"] == 0 {
		t.Error("overtaking writes pass the linearizability check: it is blind")
	}
}
