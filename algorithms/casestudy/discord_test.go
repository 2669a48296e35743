package casestudy

import (
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
)

func TestCoalescer(t *testing.T) {
	c := NewCoalescer()
	a, b := PartKey{1, 0}, PartKey{2, 0}
	q1, s1 := c.Read(a, 10, true)
	q2, s2 := c.Read(a, 11, true)
	q3, s3 := c.Read(b, 12, true)
	if !s1 || s2 || !s3 || q1 != q2 || q1 == q3 || c.Queries != 2 || c.Joined != 1 {
		t.Fatalf("q %d %d %d start %v %v %v", q1, q2, q3, s1, s2, s3)
	}
	k, ws := c.Done(q1, nil)
	if k != a || len(ws) != 2 || ws[0] != 10 || ws[1] != 11 {
		t.Fatalf("done: %v %v", k, ws)
	}
	// After the query ends, the next read of a queries again (and may
	// reuse the freed slot), and b's query is untouched.
	q4, s4 := c.Read(a, 13, true)
	if !s4 || q4 != q1 {
		t.Fatalf("read after done: slot %d start %v", q4, s4)
	}
	if k, ws := c.Done(q3, nil); k != b || len(ws) != 1 || ws[0] != 12 {
		t.Fatalf("b: %v %v", k, ws)
	}
	// Without coalescing every read queries.
	d := NewCoalescer()
	for i := range 5 {
		if _, start := d.Read(a, int32(i), false); !start {
			t.Fatal("joined with coalesce off")
		}
	}
	if d.Joined != 0 || d.Queries != 5 {
		t.Fatalf("%+v", d)
	}
	if BucketOf(2500*time.Millisecond, time.Second) != 2 {
		t.Fatal("BucketOf")
	}
}

// Hot channels through the harness: coalescing turns concurrent identical
// reads into one query, cutting queries per read and the hot partition's
// load; every op completes, every write is stored, runs are deterministic.
func TestDiscordCoalescing(t *testing.T) {
	on := runSim(t, "casestudy/discord-messages", DiscordWorkload, nil, 20000, 4)
	on2 := runSim(t, "casestudy/discord-messages", DiscordWorkload, nil, 20000, 4)
	off := runSim(t, "casestudy/discord-messages", DiscordWorkload, map[string]string{"coalesce": "false"}, 20000, 4)
	if !sameRun(on, on2) {
		t.Fatal("two runs of one seed differ")
	}
	for _, r := range []struct {
		name string
		m    map[string]float64
		ops  uint64
		errs uint64
	}{{"on", on.Metrics, on.Ops, on.Errors}, {"off", off.Metrics, off.Ops, off.Errors}} {
		if r.ops != 20000 || r.errs != 0 || r.m["reads"]+r.m["writes"] != 20000 || r.m["partitions"] < 100 {
			t.Fatalf("%s: ops %d metrics %v", r.name, r.ops, r.m)
		}
	}
	mo, mf := on.Metrics, off.Metrics
	if mf["coalesced_reads"] != 0 || mf["db_queries_per_read"] != mf["buckets_per_read"] {
		t.Fatalf("off: %v", mf)
	}
	if mo["coalesced_reads"] == 0 || mo["db_queries_per_read"] >= 0.9*mf["db_queries_per_read"] ||
		mo["partition_queries_max"] >= mf["partition_queries_max"] || mf["partition_max_mean"] < 20 {
		t.Fatalf("coalescing did not help: on %v off %v", mo, mf)
	}
	if on.Latency.ValueAtQuantile(99) >= off.Latency.ValueAtQuantile(99) {
		t.Errorf("p99 on %d ≥ off %d", on.Latency.ValueAtQuantile(99), off.Latency.ValueAtQuantile(99))
	}
	wantBad(t, "casestudy/discord-messages", map[string]string{"db_service": "const:d=0s"}, "db_service", "positive mean")
}

// discordRun builds and runs casestudy/discord-messages, returning the sim
// for inspection of its replicas.
func discordRun(t *testing.T, raw map[string]string, ops, seed uint64) (*discordSim, map[string]float64, uint64) {
	t.Helper()
	o := algotest.Options{Clock: algorithms.Virtual, Ops: ops, Seed: seed}
	d := algotest.Build(t, "casestudy/discord-messages", raw, DiscordWorkload, o).(*discordSim)
	rep := algotest.RunTarget(t, d, algotest.Spec(t, DiscordWorkload), o)
	return d, rep.Metrics, rep.Errors
}

// Quorum reads and writes (⌊rf/2⌋+1 of rf = 3): every read query returns
// at least the newest message acknowledged before it began, and every
// acknowledged message is on at least a quorum of its partition's replicas
// at the end — over seeds, with network jitter reordering replica messages
// and a node crashing mid-run. With consistency=one a write is acknowledged
// by one replica and a read asks one (a random replica coordinates each), so
// reads miss acknowledged messages: the checker catches it.
func TestDiscordQuorumReadYourWrites(t *testing.T) {
	faults := map[string]string{"jitter": "exp:mean=2ms", "crash": "random", "crash_at": "300ms"}
	for seed := uint64(1); seed <= 5; seed++ {
		d, m, errs := discordRun(t, faults, 8000, seed)
		// The crashed node's queue and the requests on their way to it are
		// lost: those requests time out, failing the ops waiting on them
		// (a coalesced query fails all its readers), and only those fail.
		if m["ryw_violations"] != 0 || float64(errs) < m["timeouts"] || (errs == 0) != (m["timeouts"] == 0) || errs > 1000 || m["faults_injected"] != 1 {
			t.Errorf("seed %d quorum: violations %v errors %d timeouts %v faults %v", seed, m["ryw_violations"], errs, m["timeouts"], m["faults_injected"])
		}
		for part, id := range d.acked {
			held := 0
			for _, node := range d.replicas(part) {
				if d.data[node][part].maxID >= id {
					held++
				}
			}
			if held < 2 {
				t.Fatalf("seed %d: message %d of %v acknowledged but on %d replicas", seed, id, part, held)
			}
		}
	}
	one := map[string]string{"jitter": "exp:mean=2ms", "consistency": "one"}
	caught := 0.0
	for seed := uint64(1); seed <= 3; seed++ {
		_, m, _ := discordRun(t, one, 8000, seed)
		caught += m["ryw_violations"]
	}
	if caught == 0 {
		t.Error("consistency=one: no stale read found over 3 seeds")
	}
}

// The engines differ in their pauses, not their work: Cassandra's
// stop-the-world GC pauses and single-chunk compactions put the ops that
// meet one in a tail of the pause's length, while Scylla (no GC,
// compaction in task_quota slices) has no pause and a p99 near its
// unpaused one.
func TestDiscordEnginePauses(t *testing.T) {
	_, c, _ := discordRun(t, map[string]string{"engine": "cassandra", "gc_every": "1s"}, 40000, 2)
	_, s, _ := discordRun(t, map[string]string{"engine": "scylla", "gc_every": "1s"}, 40000, 2)
	if c["gc_pauses"] < 5 || c["paused_ops"] == 0 || c["paused_p99_ms"] < 50 || c["unpaused_p99_ms"] > c["paused_p99_ms"]/3 {
		t.Errorf("cassandra: %v", c)
	}
	if s["gc_pauses"] != 0 || s["paused_ops"] != 0 || s["compactions"] == 0 || s["cold_p99_ms"] > 20 || s["hot_p99_ms"] > 20 {
		t.Errorf("scylla: %v", s)
	}
	if c["cold_p99_ms"] < 3*s["cold_p99_ms"] {
		t.Errorf("cold p99: cassandra %v ms, scylla %v ms", c["cold_p99_ms"], s["cold_p99_ms"])
	}
	wantBad(t, "casestudy/discord-messages", map[string]string{"crash": "leader"}, "no leader")
	wantBad(t, "casestudy/discord-messages", map[string]string{"rf": "7"}, "rf=7", "nodes=6")
	wantBad(t, "casestudy/discord-messages", map[string]string{"engine": "mongo"}, "cassandra", "scylla")
}
