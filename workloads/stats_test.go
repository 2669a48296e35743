package workloads

import (
	"math"
	"testing"
	"time"
)

// Stats of a hand-made stream, every field checked.
func TestComputeStatsExact(t *testing.T) {
	ops := []Op{
		{Kind: Read, Key: 5, Client: 0, At: 0},
		{Kind: Read, Key: 5, Client: 1, At: 500 * time.Millisecond},
		{Kind: Update, Key: 3, Client: 1, At: 1000 * time.Millisecond},
		{Kind: Insert, Key: 199, Client: 1, At: 1500 * time.Millisecond},
	}
	s := ComputeStats(NewTraceSource(ops, Whole), 100)
	if s.Ops != 4 || s.Distinct != 3 || s.KeySpan != 200 || s.Kinds[Read] != 2 || s.Kinds[Insert] != 1 {
		t.Errorf("counts: %+v", s)
	}
	if s.Top1 != 0.5 || s.Top10 != 1 || s.Top1Pct != 0.75 || s.TopKeys[0] != (KeyCount{5, 2}) {
		t.Errorf("top shares %v %v %v, top key %v", s.Top1, s.Top10, s.Top1Pct, s.TopKeys[0])
	}
	if s.Clients != 2 || s.ClientOps[1] != 3 || math.Abs(s.ClientMaxMean-1.5) > 1e-12 || math.Abs(s.ClientCV-0.5) > 1e-12 {
		t.Errorf("clients %d %v maxmean %v cv %v", s.Clients, s.ClientOps, s.ClientMaxMean, s.ClientCV)
	}
	if s.Closed || s.Span != 1500*time.Millisecond || s.MeanRate != 2 || s.GapCV != 0 || s.GapMean != 500*time.Millisecond {
		t.Errorf("arrivals: closed %v span %v rate %v cv %v", s.Closed, s.Span, s.MeanRate, s.GapCV)
	}
	if len(s.PerSecond) != 2 || s.PerSecond[0] != 2 || s.PerSecond[1] != 2 {
		t.Errorf("per second %v", s.PerSecond)
	}
}

// Zipf(0.99, 1e6): the hottest key takes 6.5% and the top 1% of keys ~67%
// — the figures YCSB's scrambled fold misses (3.8%, 40%).
func TestStatsZipfShares(t *testing.T) {
	g, _ := Spec{}.Generator(1, Whole)
	s := ComputeStats(g, 400_000)
	z, _ := NewZipf(0.99, 1e6, false)
	if math.Abs(s.Top1-z.Prob(0)) > 0.003 || math.Abs(z.Prob(0)-0.065) > 0.001 {
		t.Errorf("top-1 share %.4f, pmf %.4f", s.Top1, z.Prob(0))
	}
	// Top 1% of 1e6 keys, analytic: ζ(1e4)/ζ(1e6).
	want := Zeta(1e4, 0.99) / Zeta(1e6, 0.99)
	if math.Abs(s.Top1Pct-want) > 0.02 {
		t.Errorf("top-1%% share %.4f, want %.4f", s.Top1Pct, want)
	}
	sc, _ := ParseSpec("keys=scrambled-zipf:theta=0.99,n=1e6")
	g, _ = sc.Generator(1, Whole)
	ss := ComputeStats(g, 400_000)
	if ss.Top1 != s.Top1 || ss.Top10 != s.Top10 {
		t.Errorf("scrambled top shares %v %v differ from zipf's %v %v", ss.Top1, ss.Top10, s.Top1, s.Top10)
	}
}
