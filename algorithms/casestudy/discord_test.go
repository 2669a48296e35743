package casestudy

import (
	"testing"
	"time"
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
