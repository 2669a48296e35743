package casestudy

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
)

const netflixName = "casestudy/netflix-search"

// netflixCorpus is n random annotations over a few titles and terms, with
// intervals from 1 ms to beyond several buckets.
func netflixCorpus(r *rand.Rand, n int) []Annotation {
	out := make([]Annotation, n)
	for i := range out {
		s := r.Uint32N(600000)
		l := uint32(1 + r.ExpFloat64()*8000)
		if r.IntN(20) == 0 {
			l = 1 + r.Uint32N(120000) // long: spans many buckets
		}
		out[i] = Annotation{ID: uint32(i + 1), Title: r.Uint32N(4), Term: uint32(r.IntN(6)), Start: s, End: s + l,
			Conf: float32(r.IntN(50)) / 50, Model: uint8(r.IntN(3))} // coarse confidences: many ties to rank
	}
	return out
}

func netflixQueries(r *rand.Rand, n int) []Query {
	qs := make([]Query, n)
	for i := range qs {
		q := Query{Title: r.Uint32N(4), Terms: []uint32{uint32(r.IntN(6))}, K: []int{0, 1, 5, 20}[r.IntN(4)]}
		if r.IntN(2) == 0 {
			q.Terms = append(q.Terms, uint32(r.IntN(6)))
		}
		q.From = r.Uint32N(640000)
		q.To = q.From + 1 + r.Uint32N([]uint32{100, 10000, 120000, 700000}[r.IntN(4)])
		qs[i] = q
	}
	return qs
}

// netflixMismatches runs every query on an index and on the brute-force
// search over the same annotations and counts the queries that differ.
func netflixMismatches(t *testing.T, x *TemporalIndex, wants [][]Hit, qs []Query) (bad int, scanned int) {
	var s QueryScratch
	for i := range qs {
		got, n := x.Search(&qs[i], &s)
		scanned += n
		if want := wants[i]; !slices.Equal(got, want) {
			if bad == 0 {
				t.Logf("query %+v: got %d hits, want %d", qs[i], len(got), len(want))
			}
			bad++
		}
	}
	return bad, scanned
}

// TestNetflixIndexMatchesBruteForce: with buckets of several widths and
// without, every query (one term or two intersected, ranges from 0.1 s to
// past the end, top 1/5/20 or all) returns exactly what a scan of every
// annotation returns, ranked the same; buckets read fewer postings; an
// index that keeps an interval only in its start bucket is caught.
func TestNetflixIndexMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	all := netflixCorpus(r, 10000)
	qs := netflixQueries(r, 2000)
	wants := make([][]Hit, len(qs))
	for i := range qs {
		wants[i] = BruteForceSearch(all, &qs[i])
	}
	scans := map[uint32]int{}
	for _, bucket := range []uint32{0, 1000, 10000, 60000} {
		x := NewTemporalIndex(bucket)
		for _, a := range all {
			x.Add(a)
		}
		bad, n := netflixMismatches(t, x, wants, qs)
		if bad != 0 {
			t.Errorf("bucket %d ms: %d of %d queries differ from brute force", bucket, bad, len(qs))
		}
		scans[bucket] = n
		if bucket > 0 && x.Postings() <= x.Annotations() {
			t.Errorf("bucket %d ms: %d postings for %d annotations, but long intervals span buckets", bucket, x.Postings(), x.Annotations())
		}
	}
	if scans[10000] >= scans[0]/2 {
		t.Errorf("postings read: %d with 10 s buckets, %d without", scans[10000], scans[0])
	}
	broken := NewTemporalIndex(10000)
	broken.broken = true
	for _, a := range all {
		broken.Add(a)
	}
	if bad, _ := netflixMismatches(t, broken, wants, qs); bad == 0 {
		t.Error("an index keeping intervals only in their start bucket matches brute force")
	}
}

func TestNetflixSearchAllocs(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	x := NewTemporalIndex(10000)
	for _, a := range netflixCorpus(r, 5000) {
		x.Add(a)
	}
	qs := netflixQueries(r, 100)
	var s QueryScratch
	for i := range qs {
		x.Search(&qs[i], &s)
	}
	i := 0
	if a := testing.AllocsPerRun(200, func() { x.Search(&qs[i%len(qs)], &s); i++ }); a != 0 {
		t.Errorf("a search allocates %v times", a)
	}
}

// TestNetflixTarget: through the harness on the wall clock, the figures are
// there and consistent; buckets=false holds one posting per annotation and
// reads more; bad parameters are refused.
func TestNetflixTarget(t *testing.T) {
	run := func(b string) map[string]float64 {
		rep := algotest.Run(t, netflixName, map[string]string{"buckets": b, "preload": "100000", "titles": "20"},
			"mix=read:0.9,scan:0.05,insert:0.05 keys=zipf:theta=0.99,n=20", algotest.Options{Clock: algorithms.Wall, Ops: 20000, Workers: 2, Seed: 1})
		if rep.Errors != 0 || rep.Ops != 20000 {
			t.Fatalf("buckets=%s: %d errors in %d ops", b, rep.Errors, rep.Ops)
		}
		return rep.Metrics
	}
	on, off := run("true"), run("false")
	for _, m := range []map[string]float64{on, off} {
		if m["query_ns_p50"] <= 0 || m["query_ns_p99"] < m["query_ns_p50"] || m["index_bytes"] <= 0 || m["intervals_returned"] <= 0 ||
			m["searches"]+m["range_queries"]+m["annotate_ops"] != 20000 || m["shard_query_ns_jain"] <= 0 || m["shard_query_ns_jain"] > 1 {
			t.Errorf("metrics %v", m)
		}
	}
	if off["postings_per_annotation"] != 1 || on["postings_per_annotation"] <= 1 || on["postings_scanned"] >= off["postings_scanned"] {
		t.Errorf("postings per annotation %v / %v, scanned %v / %v", on["postings_per_annotation"], off["postings_per_annotation"], on["postings_scanned"], off["postings_scanned"])
	}
	wantBad(t, netflixName, map[string]string{"range": "3h"}, "range=3h0m0s", "title_len")
	wantBad(t, netflixName, map[string]string{"bucket": "1ms", "title_len": "24h"}, "bucket=1ms", "1048576")
}

// BenchmarkNetflixCandidates: the candidates step alone on one list of
// 30,000 postings over a 2 h title, 2 min ranges, with 10 s buckets and
// without.
func BenchmarkNetflixCandidates(b *testing.B) {
	for _, bucket := range []uint32{10000, 0} {
		b.Run(map[uint32]string{10000: "buckets", 0: "flat"}[bucket], func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 1))
			x := NewTemporalIndex(bucket)
			for i := 0; i < 30000; i++ {
				s := r.Uint32N(7200000)
				x.Add(Annotation{ID: uint32(i), Start: s, End: s + 1 + uint32(r.ExpFloat64()*8000), Conf: r.Float32()})
			}
			var out []posting
			tot := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				from := uint32(i*7919) % 7000000
				var n int
				out, n = x.candidates(0, 0, from, from+120000, out[:0])
				tot += n
			}
			b.ReportMetric(float64(tot)/float64(b.N), "postings/op")
		})
	}
}
