package casestudy

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// The blog's worked example: 1387263000 ms since the epoch, user 31341 on
// 2000 logical shards (shard 1341), the table's 5001st sequence value
// (5001 % 1024 = 905). The literal was computed independently:
// 1387263000·2^23 + 1341·2^10 + 905.
func TestIDBlogWorkedExample(t *testing.T) {
	m, _ := NewShardMap(2000, 4)
	shard := m.Shard(31341)
	if shard != 1341 {
		t.Fatalf("shard of user 31341 = %d, want 1341", shard)
	}
	id := ComposeID(1387263000, uint32(shard), 5001%1024)
	if id != 11637205501278089 {
		t.Fatalf("id = %d, want 11637205501278089", id)
	}
	if ms, s, q := SplitID(id); ms != 1387263000 || s != 1341 || q != 905 {
		t.Fatalf("SplitID = %d %d %d", ms, s, q)
	}
	// The generator at that instant: the first ID of shard 1341 has seq 0,
	// the 906th seq 905 — the example's ID.
	g, _ := NewIDGen(2000, 1387263000, OverflowWait)
	var last uint64
	for range 906 {
		last, _ = g.Next(1341, 0)
	}
	if last != id {
		t.Fatalf("906th ID = %d, want %d", last, id)
	}
	// Field widths: 41 + 13 + 10 bits fill the 64.
	if ComposeID(MaxIDMillis, MaxLogicalShards-1, SeqPerMs-1) != ^uint64(0) {
		t.Fatal("fields do not fill 64 bits")
	}
}

// More than 1024 IDs in one millisecond on one shard: the wait policy stamps
// the overflow with the next milliseconds and makes the caller wait for
// them; IDs stay unique and time-ordered.
func TestIDOverflowWaits(t *testing.T) {
	g, _ := NewIDGen(8, 0, OverflowWait)
	now := 5*time.Millisecond + 300*time.Microsecond
	for i := range 3000 {
		id, ready := g.Next(3, now)
		ms, shard, seq := SplitID(id)
		wantMs := uint64(5 + i/SeqPerMs)
		if ms != wantMs || shard != 3 || seq != uint32(i%SeqPerMs) {
			t.Fatalf("ID %d = (%d, %d, %d), want (%d, 3, %d)", i, ms, shard, seq, wantMs, i%SeqPerMs)
		}
		wantReady := now
		if wantMs > 5 {
			wantReady = time.Duration(wantMs) * time.Millisecond
		}
		if ready != wantReady {
			t.Fatalf("ID %d ready at %v, want %v", i, ready, wantReady)
		}
	}
	st := g.Stats()
	if st.Overflows != 2 || st.Waits != 3000-SeqPerMs || st.MaxPerMs != SeqPerMs || st.Duplicates != 0 || st.NonMonotonic != 0 || st.MaxDemandPerMs != 3000 {
		t.Fatalf("stats %+v", st)
	}
	// A later request in real ms 6 continues after the borrowed ms 7.
	id, ready := g.Next(3, 6*time.Millisecond)
	if ms, _, seq := SplitID(id); ms != 7 || seq != 3000-2*SeqPerMs || ready != 7*time.Millisecond {
		t.Fatalf("after overflow: ms %d seq %d ready %v", ms, seq, ready)
	}
}

// On the wall clock a caller can read the clock, lose the race for the
// shard's lock and find the shard already stamping a later millisecond that
// another caller's clock reached. That is not a sequence overflow: it must
// not count as an overflow wait (the wall run showed overflow_waits > 0 with
// sequence_overflows = 0).
func TestIDLateCallerIsNotAnOverflow(t *testing.T) {
	g, _ := NewIDGen(8, 0, OverflowWait)
	g.Next(3, 5*time.Millisecond+100*time.Microsecond)
	id, ready := g.Next(3, 4*time.Millisecond+900*time.Microsecond) // read the clock earlier
	if ms, _, seq := SplitID(id); ms != 5 || seq != 1 || ready != 5*time.Millisecond {
		t.Fatalf("late caller: ms %d seq %d ready %v", ms, seq, ready)
	}
	if st := g.Stats(); st.Waits != 0 || st.WaitNs != 0 || st.Overflows != 0 || st.LateCallers != 1 || st.NonMonotonic != 0 {
		t.Fatalf("a late caller counted as an overflow wait: %+v", st)
	}
}

// The blog's literal nextval % 1024 repeats IDs beyond 1024 per ms; the
// counter says so and the repeats are real.
func TestIDWrapDuplicates(t *testing.T) {
	g, _ := NewIDGen(8, 0, OverflowWrap)
	seen := map[uint64]int{}
	for range 1500 {
		id, ready := g.Next(0, time.Millisecond)
		if ready != time.Millisecond {
			t.Fatal("wrap waited")
		}
		seen[id]++
	}
	dups := 0
	for _, n := range seen {
		dups += n - 1
	}
	if st := g.Stats(); dups != 1500-SeqPerMs || st.Duplicates != uint64(dups) || st.Overflows != 1 {
		t.Fatalf("duplicates %d, stats %+v", dups, g.Stats())
	}
}

// Millions of IDs from concurrent callers over bursty time: no duplicate,
// every ID sortable by time within its shard, stamped no earlier than its
// request and handed out no earlier than its millisecond.
func TestIDUniqueConcurrent(t *testing.T) {
	const workers, per = 4, 500_000
	g, _ := NewIDGen(16, 1000, OverflowWait)
	ids := make([][]uint64, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := make([]uint64, 0, per)
			for i := range per {
				// Time advances 1 ms every 4000 requests per worker: bursts
				// far above 1024 per shard per ms on the hot shards.
				now := time.Duration(i/4000) * time.Millisecond
				shard := (i * 7 % 13) % 16
				if i%3 == 0 {
					shard = 0
				}
				id, ready := g.Next(shard, now)
				ms, s, _ := SplitID(id)
				if int(s) != shard || ms < 1000+uint64(now/time.Millisecond) || ready < now || time.Duration(ms-1000)*time.Millisecond > ready {
					t.Errorf("id %d (ms %d shard %d) for shard %d at %v ready %v", id, ms, s, shard, now, ready)
					return
				}
				out = append(out, id)
			}
			ids[w] = out
		}()
	}
	wg.Wait()
	all := slices.Concat(ids...)
	slices.Sort(all)
	for i := 1; i < len(all); i++ {
		if all[i] == all[i-1] {
			t.Fatalf("duplicate ID %d", all[i])
		}
	}
	st := g.Stats()
	if st.Issued != workers*per || st.NonMonotonic != 0 || st.Waits == 0 || st.MaxPerMs != SeqPerMs {
		t.Fatalf("stats %+v", st)
	}
}

func TestShardMap(t *testing.T) {
	for _, c := range [][2]int{{8192, 16}, {8192, 7}, {2000, 3}, {5, 5}, {1, 1}} {
		m, err := NewShardMap(c[0], c[1])
		if err != nil {
			t.Fatal(err)
		}
		count := make([]int, c[1])
		for s := range c[0] {
			count[m.Server(s)]++
		}
		for srv, n := range count {
			if n != m.ShardsOn(srv) || n < c[0]/c[1] || n > c[0]/c[1]+1 {
				t.Errorf("%v: server %d has %d shards, ShardsOn %d", c, srv, n, m.ShardsOn(srv))
			}
		}
	}
	wantBad(t, "casestudy/instagram-ids", map[string]string{"logical_shards": "100", "servers": "200"}, "servers=200", "logical_shards=100", "valid")
	wantBad(t, "casestudy/instagram-ids", map[string]string{"logical_shards": "9000"}, "logical_shards", "8192")
	wantBad(t, "casestudy/instagram-ids", map[string]string{"overflow": "drop"}, "wait|wrap")
}

// Through the harness: the tour workload in virtual time is deterministic,
// spreads IDs over the 16 servers, and a hot-user workload overflows.
func TestIDsRunSim(t *testing.T) {
	even := "mix=insert:1 arrival=poisson:rate=2000000" // inserts take fresh, sequential keys
	a := runSim(t, "casestudy/instagram-ids", even, nil, 100_000, 3)
	b := runSim(t, "casestudy/instagram-ids", even, nil, 100_000, 3)
	if !sameRun(a, b) {
		t.Fatal("two runs of one seed differ")
	}
	if a.Ops != 100_000 || a.Errors != 0 || len(a.ShardOps) != 16 || a.Metrics["ids"] != 100_000 || a.Metrics["overflow_waits"] != 0 || a.Metrics["non_monotonic_ids"] != 0 {
		t.Fatalf("ops %d shards %d metrics %v", a.Ops, len(a.ShardOps), a.Metrics)
	}
	for s, n := range a.ShardOps {
		if n < 100_000/16*9/10 || n > 100_000/16*11/10 {
			t.Errorf("server %d served %d", s, n)
		}
	}
	tour := runSim(t, "casestudy/instagram-ids", IDsWorkload, nil, 50_000, 3)
	if tour.Metrics["ids_per_ms_max"] < 2 || tour.Metrics["overflow_waits"] != 0 || tour.ShardOps[0] < 2*tour.ShardOps[15] {
		t.Fatalf("tour (hot users on server 0): %v %v", tour.Metrics, tour.ShardOps)
	}
	// One user (one shard) at 2M/s: 2000 per ms, twice the sequence space.
	hot := runSim(t, "casestudy/instagram-ids", "mix=update:1 keys=uniform:n=1 arrival=constant:rate=2000000", nil, 20_000, 3)
	m := hot.Metrics
	if m["ids_per_ms_max"] != SeqPerMs || m["sequence_overflows"] == 0 || m["overflow_waits"] == 0 || m["duplicate_ids"] != 0 || hot.Latency.Max() < int64(time.Millisecond/2) {
		t.Fatalf("hot shard: %v, latency max %d", m, hot.Latency.Max())
	}
	wrap := runSim(t, "casestudy/instagram-ids", "mix=update:1 keys=uniform:n=1 arrival=constant:rate=2000000", map[string]string{"overflow": "wrap"}, 20_000, 3)
	if wrap.Metrics["duplicate_ids"] == 0 || wrap.Metrics["overflow_waits"] != 0 {
		t.Fatalf("wrap: %v", wrap.Metrics)
	}
}

func TestIDsRunWall(t *testing.T) {
	info, _ := algorithms.Lookup("casestudy/instagram-ids")
	p, _ := info.Resolve(nil)
	ws, _ := workloads.ParseSpec("mix=insert:1 keys=uniform:n=1000000")
	tg, err := info.NewWall(algorithms.Env{Params: p, Seed: 1, Clock: algorithms.Wall, Workload: ws, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := harness.RunWall(context.Background(), tg, harness.Config{
		Source: func(part workloads.Part) (workloads.Source, error) { return ws.Generator(1, part) },
		Closed: true, Workers: 2, Ops: 50_000, Seed: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Ops != 50_000 || rep.Metrics["ids"] != 50_000 || rep.Metrics["duplicate_ids"] != 0 || rep.Metrics["non_monotonic_ids"] != 0 {
		t.Fatalf("ops %d metrics %v", rep.Ops, rep.Metrics)
	}
}

func BenchmarkIDNext(b *testing.B) {
	g, _ := NewIDGen(8192, 0, OverflowWait)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		g.Next(i&8191, time.Duration(i)*time.Microsecond)
	}
}

func BenchmarkIDNextParallel(b *testing.B) {
	g, _ := NewIDGen(8192, 0, OverflowWait)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			g.Next(i*7919&8191, time.Duration(i)*time.Microsecond)
		}
	})
}
