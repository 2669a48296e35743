package casestudy

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestFollowGraph(t *testing.T) {
	g, err := NewFollowGraph(2000, 40, 1, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	in := make([]int, 2000)
	for u, out := range g.Following {
		if len(out) != 40 || slices.Contains(out, int32(u)) || len(slices.Compact(slices.Clone(out))) != 40 {
			t.Fatalf("user %d follows %v", u, out)
		}
		for _, v := range out {
			in[v]++
		}
	}
	for v, f := range g.Followers {
		if len(f) != in[v] {
			t.Fatalf("user %d: %d followers listed, %d follow it", v, len(f), in[v])
		}
	}
	// Power law: under Zipf(1) over 2000 ranks user 0 draws ~12% of the
	// 80000 follows (capped at 1999 distinct followers), rank 100 ~0.12%.
	if in[0] < 1500 || in[100] > 300 || in[0] < 5*in[100] {
		t.Fatalf("followers: rank 0 %d, rank 100 %d, rank 1999 %d", in[0], in[100], in[1999])
	}
}

// The hybrid is an optimisation, not a change of meaning: whatever the
// threshold (all push, all pull, mixed) and however small the cap (≥ page),
// every read returns exactly the newest page tweets of the accounts the
// reader follows — checked against a brute-force scan of every tweet.
func TestTimelinesMatchReference(t *testing.T) {
	const users, page = 300, 7
	g, _ := NewFollowGraph(users, 20, 1.1, rand.New(rand.NewPCG(3, 4)))
	var tls []*Timelines
	for _, th := range []int{0, 5, 30, 1 << 30} {
		for _, c := range []int{page, 800} {
			tls = append(tls, NewTimelines(g, c, page, th))
		}
	}
	var log []int // tweet ID → author
	r := rand.New(rand.NewPCG(5, 6))
	var got []uint32
	for step := range 20000 {
		u := r.IntN(users)
		if r.IntN(3) == 0 {
			for _, tl := range tls {
				if id, _ := tl.Tweet(u); int(id) != len(log) {
					t.Fatalf("tweet ID %d, want %d", id, len(log))
				}
			}
			log = append(log, u)
			continue
		}
		var want []uint32
		for id := len(log) - 1; id >= 0 && len(want) < page; id-- {
			if _, ok := slices.BinarySearch(g.Following[u], int32(log[id])); ok {
				want = append(want, uint32(id))
			}
		}
		for i, tl := range tls {
			got, _ = tl.Read(u, got)
			if !slices.Equal(got, want) {
				t.Fatalf("step %d timelines %d (threshold %d cap %d) read of %d = %v, want %v", step, i, tl.threshold, tl.cap, u, got, want)
			}
		}
	}
	// Pure push writes every follower and reads one source; pure pull
	// writes none and reads 1 + follows sources.
	push, pull := tls[7], tls[1]
	var want uint64
	for _, a := range log {
		want += uint64(len(g.Followers[a]))
	}
	if push.FanoutWrites != want || push.MaxSources != 1 || push.Celebrities != 0 {
		t.Fatalf("push: fanout %d want %d, max sources %d", push.FanoutWrites, want, push.MaxSources)
	}
	if pull.FanoutWrites != 0 || pull.MergeSources != pull.Reads*21 {
		t.Fatalf("pull: fanout %d, sources %d over %d reads", pull.FanoutWrites, pull.MergeSources, pull.Reads)
	}
	if small := tls[6]; small.Entries > uint64(users)*2*page || small.Evictions == 0 {
		t.Fatalf("cap %d: %d entries, %d evictions", small.cap, small.Entries, small.Evictions)
	}
}

// Sweeping the threshold through the harness trades write cost for read
// cost: lower thresholds fan out less and merge more.
func TestTimelinesThresholdSweep(t *testing.T) {
	var prevFan, prevSrc float64 = -1, 1e18
	for _, th := range []string{"1000000", "500", "100", "0"} {
		raw := map[string]string{"celebrity_threshold": th, "users": "1500", "follows": "50"}
		a := runSim(t, "casestudy/twitter-timelines", TimelinesWorkload, raw, 8000, 9)
		b := runSim(t, "casestudy/twitter-timelines", TimelinesWorkload, raw, 8000, 9)
		if !sameRun(a, b) {
			t.Fatalf("threshold %s: two runs of one seed differ", th)
		}
		fan, src := a.Metrics["fanout_writes_per_tweet"], a.Metrics["read_merge_sources"]
		if a.Errors != 0 || a.Metrics["tweets"] == 0 || (prevFan >= 0 && (fan > prevFan || src < prevSrc)) {
			t.Fatalf("threshold %s: fanout %v (before %v) sources %v (before %v)", th, fan, prevFan, src, prevSrc)
		}
		if th == "0" && (fan != 0 || src != 51) {
			t.Fatalf("pure pull: fanout %v sources %v", fan, src)
		}
		if th == "1000000" && src != 1 {
			t.Fatalf("pure push: sources %v", src)
		}
		prevFan, prevSrc = fan, src
	}
	wantBad(t, "casestudy/twitter-timelines", map[string]string{"users": "10", "follows": "6"}, "follows=6", "users=10", "valid")
	wantBad(t, "casestudy/twitter-timelines", map[string]string{"page": "900"}, "page=900", "timeline_cap=800")
}

func BenchmarkTimelinesRead(b *testing.B) {
	g, _ := NewFollowGraph(10000, 100, 1, rand.New(rand.NewPCG(1, 1)))
	tl := NewTimelines(g, 800, 20, 1000)
	for i := range 20000 {
		tl.Tweet(i % 10000)
	}
	var page []uint32
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		page, _ = tl.Read(i%10000, page)
	}
}

func BenchmarkTimelinesTweet(b *testing.B) {
	g, _ := NewFollowGraph(10000, 100, 1, rand.New(rand.NewPCG(1, 1)))
	tl := NewTimelines(g, 800, 20, 1000)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		tl.Tweet(i % 10000)
	}
}
