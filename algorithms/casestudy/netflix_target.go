package casestudy

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// NetflixWorkload: mostly searches, some range queries and new annotations,
// over Zipf-popular titles.
const NetflixWorkload = "mix=read:0.9,scan:0.05,insert:0.05 keys=zipf:theta=0.99,n=100"

var netflixParams = []algorithms.Param{
	algorithms.Param{Name: "titles", Type: algorithms.Int, Default: "100", Doc: "titles; op.Key mod titles is the title an op is about (Zipf keys make popular titles)"}.Range(1, 1<<20-1),
	algorithms.Param{Name: "title_len", Type: algorithms.Duration, Default: "2h", Doc: "length of every title"}.Range(float64(time.Minute), float64(24*time.Hour)),
	algorithms.Param{Name: "terms", Type: algorithms.Int, Default: "5000", Doc: "label vocabulary of the models"}.Range(2, 1<<24-1),
	algorithms.Param{Name: "term_theta", Type: algorithms.Float, Default: "1", Doc: "Zipf exponent of label frequency, for annotations and queries alike"}.Range(0, 5),
	algorithms.Param{Name: "models", Type: algorithms.Int, Default: "3", Doc: "models annotating (an insert is one model's labels on one segment)"}.Range(1, 255),
	algorithms.Param{Name: "labels_per_segment", Type: algorithms.Int, Default: "8", Doc: "labels one model gives a segment (an insert)"}.Range(1, 1000),
	algorithms.Param{Name: "segment", Type: algorithms.Duration, Default: "30s", Doc: "a segment's length; each label's interval starts within it"}.Range(float64(time.Second), float64(time.Hour)),
	{Name: "label_len", Type: algorithms.Dist, Default: "exp:mean=8s", Doc: "length of a label's interval (at least 1 ms)"},
	algorithms.Param{Name: "preload", Type: algorithms.Int, Default: "600000", Doc: "annotations indexed before the run, spread evenly over titles (6000 per title covers a 2 h title: 3 models × 8 labels per 30 s segment)"}.Range(0, 1e8),
	{Name: "buckets", Type: algorithms.Bool, Default: "true", Doc: "time buckets in the posting lists; false: one list per (term, title), sorted by start"},
	algorithms.Param{Name: "bucket", Type: algorithms.Duration, Default: "10s", Doc: "time bucket width"}.Range(float64(time.Millisecond), float64(24*time.Hour)),
	algorithms.Param{Name: "range", Type: algorithms.Duration, Default: "2m", Doc: "time range of a search (read)"}.Range(float64(time.Millisecond), float64(24*time.Hour)),
	algorithms.Param{Name: "scan_unit", Type: algorithms.Duration, Default: "1m", Doc: "a range query (scan) covers op.Size × scan_unit (the workload's scan length), for one term, all hits"}.Range(float64(time.Millisecond), float64(24*time.Hour)),
	algorithms.Param{Name: "pair_share", Type: algorithms.Float, Default: "0.5", Doc: "share of searches for two labels seen together (an interval intersection); the rest are for one"}.Range(0, 1),
	algorithms.Param{Name: "k", Type: algorithms.Int, Default: "20", Doc: "intervals a search returns (the best by confidence)"}.Range(1, 1e6),
	algorithms.Param{Name: "shards", Type: algorithms.Int, Default: "8", Doc: "index shards, by title (title mod shards; Outcome.Shard)"}.Range(1, 4096),
}

func netflixInfo() algorithms.Info {
	return algorithms.Info{
		Name:        "casestudy/netflix-search",
		Description: "Netflix in-video search: model labels over time intervals in a title-sharded temporal inverted index; term and interval-intersection queries",
		Params:      netflixParams,
		Workload:    NetflixWorkload,
		Check:       netflixCheck,
		NewWall: func(env algorithms.Env) (harness.Target, error) {
			if err := netflixCheck(env.Params); err != nil {
				return nil, err
			}
			return newNetflix(env), nil
		},
	}
}

func netflixCheck(p algorithms.Params) error {
	tl, b := p.Duration("title_len"), p.Duration("bucket")
	if n := tl / b; p.Bool("buckets") && n >= 1<<20 {
		return fmt.Errorf("casestudy/netflix-search: bucket=%v makes %d buckets per title of %v (valid: title_len/bucket < 1048576)", b, n, tl)
	}
	if r := p.Duration("range"); r > tl {
		return fmt.Errorf("casestudy/netflix-search: range=%v is longer than title_len=%v (valid: range ≤ title_len)", r, tl)
	}
	if s := p.Duration("segment"); s > tl {
		return fmt.Errorf("casestudy/netflix-search: segment=%v is longer than title_len=%v (valid: segment ≤ title_len)", s, tl)
	}
	return nil
}

type nfShard struct {
	mu  sync.RWMutex
	idx *TemporalIndex
}

type netflixTarget struct {
	shards                  []nfShard
	titles                  uint32
	titleMs, segMs, rangeMs uint32
	scanUnitMs              uint32
	termCDF                 []float64
	models, labels, k       int
	labelLen                workloads.DurationDist
	pairShare               float64
	nextID                  atomic.Uint32
	seed                    uint64

	mu      sync.Mutex
	workers []*nfWorker
}

func newNetflix(env algorithms.Env) *netflixTarget {
	p := env.Params
	bucket := uint32(p.Duration("bucket") / time.Millisecond)
	if !p.Bool("buckets") {
		bucket = 0
	}
	t := &netflixTarget{titles: uint32(p.Int("titles")), titleMs: uint32(p.Duration("title_len") / time.Millisecond),
		segMs: uint32(p.Duration("segment") / time.Millisecond), rangeMs: uint32(max(1, p.Duration("range")/time.Millisecond)),
		scanUnitMs: uint32(max(1, p.Duration("scan_unit")/time.Millisecond)), models: p.Int("models"), labels: p.Int("labels_per_segment"),
		k: p.Int("k"), labelLen: p.Dist("label_len"), pairShare: p.Float("pair_share"), seed: env.Seed}
	t.shards = make([]nfShard, p.Int("shards"))
	for i := range t.shards {
		t.shards[i].idx = NewTemporalIndex(bucket)
	}
	theta := p.Float("term_theta")
	t.termCDF = make([]float64, p.Int("terms"))
	sum := 0.0
	for i := range t.termCDF {
		sum += math.Pow(float64(i+1), -theta)
		t.termCDF[i] = sum
	}
	for i := range t.termCDF {
		t.termCDF[i] /= sum
	}
	r := rand.New(rand.NewPCG(env.Seed, 0x6e66))
	n := p.Int("preload")
	var buf []Annotation
	for i := 0; i < n; i += t.labels {
		title := uint32(i/t.labels) % t.titles
		buf = t.annotate(title, r, buf[:0])
		sh := &t.shards[title%uint32(len(t.shards))]
		for _, a := range buf {
			sh.idx.Add(a)
		}
	}
	return t
}

func (t *netflixTarget) term(r *rand.Rand) uint32 {
	i, _ := slices.BinarySearch(t.termCDF, r.Float64())
	return uint32(min(i, len(t.termCDF)-1))
}

// annotate is one model's labels on one segment of title: each label an
// interval starting within the segment, with a confidence in [0.3, 1).
func (t *netflixTarget) annotate(title uint32, r *rand.Rand, out []Annotation) []Annotation {
	seg := uint32(0)
	if t.titleMs > t.segMs {
		seg = r.Uint32N(t.titleMs - t.segMs + 1)
	}
	model := uint8(r.IntN(t.models))
	for j := 0; j < t.labels; j++ {
		s := seg + r.Uint32N(t.segMs)
		l := uint32(max(1, t.labelLen.Next(r)/time.Millisecond))
		out = append(out, Annotation{ID: t.nextID.Add(1), Title: title, Term: t.term(r), Start: s, End: min(t.titleMs, s+l),
			Conf: float32(0.3 + 0.7*r.Float64()), Model: model})
		if out[len(out)-1].End <= s {
			out[len(out)-1].End = s + 1
		}
	}
	return out
}

type nfWorker struct {
	t                     *netflixTarget
	rng                   *rand.Rand
	scratch               QueryScratch
	q                     Query
	terms                 [2]uint32
	ann                   []Annotation
	ns                    []int64
	kindNs                [2][]int64 // searches, range queries
	kindScanned           [2]uint64  // postings read by searches, range queries
	scanned, returned     uint64
	searches, scans, adds uint64
	shardNs               []int64 // query time per shard
}

func (t *netflixTarget) Fork(worker int, r *rand.Rand) harness.Target {
	t.mu.Lock()
	defer t.mu.Unlock()
	w := &nfWorker{t: t, rng: r, shardNs: make([]int64, len(t.shards))}
	t.workers = append(t.workers, w)
	return w
}

func (t *netflixTarget) Do(now time.Duration, op *workloads.Op) harness.Outcome {
	t.mu.Lock()
	if len(t.workers) == 0 {
		t.mu.Unlock()
		t.Fork(0, rand.New(rand.NewPCG(t.seed, 0x6e67)))
		t.mu.Lock()
	}
	w := t.workers[0]
	t.mu.Unlock()
	return w.Do(now, op)
}

func (w *nfWorker) Do(_ time.Duration, op *workloads.Op) harness.Outcome {
	t := w.t
	title := uint32(op.Key % uint64(t.titles))
	si := title % uint32(len(t.shards))
	sh := &t.shards[si]
	r := w.rng
	if op.Kind == workloads.Insert || op.Kind == workloads.Update || op.Kind == workloads.RMW {
		w.ann = t.annotate(title, r, w.ann[:0])
		sh.mu.Lock()
		for _, a := range w.ann {
			sh.idx.Add(a)
		}
		sh.mu.Unlock()
		w.adds++
		return harness.Outcome{Shard: int32(si)}
	}
	q := &w.q
	q.Title, q.K = title, t.k
	w.terms[0] = t.term(r)
	q.Terms = w.terms[:1]
	span := t.rangeMs
	if op.Kind == workloads.Scan {
		span, q.K = min(t.titleMs, max(1, op.Size)*t.scanUnitMs), 0
		w.scans++
	} else {
		w.searches++
		if r.Float64() < t.pairShare {
			w.terms[1] = t.term(r)
			for w.terms[1] == w.terms[0] && len(t.termCDF) > 1 {
				w.terms[1] = t.term(r)
			}
			q.Terms = w.terms[:2]
		}
	}
	q.From = 0
	if t.titleMs > span {
		q.From = r.Uint32N(t.titleMs - span + 1)
	}
	q.To = q.From + span
	// The search's own time, read around it (to measure the cost only).
	sh.mu.RLock()
	start := time.Now()
	hits, scanned := sh.idx.Search(q, &w.scratch)
	ns := time.Since(start).Nanoseconds()
	sh.mu.RUnlock()
	w.ns = append(w.ns, ns)
	kind := 0
	if op.Kind == workloads.Scan {
		kind = 1
	}
	w.kindNs[kind] = append(w.kindNs[kind], ns)
	w.kindScanned[kind] += uint64(scanned)
	w.scanned += uint64(scanned)
	w.returned += uint64(len(hits))
	w.shardNs[si] += ns
	return harness.Outcome{Shard: int32(si)}
}

// Metrics: see NOTES.md.
func (t *netflixTarget) Metrics() map[string]float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	var ns []int64
	var kindNs [2][]int64
	var kindScanned [2]uint64
	var scanned, returned, searches, scans, adds uint64
	n := len(t.shards)
	shardNs := make([]float64, n)
	for _, w := range t.workers {
		ns = append(ns, w.ns...)
		for k := range kindNs {
			kindNs[k] = append(kindNs[k], w.kindNs[k]...)
			kindScanned[k] += w.kindScanned[k]
		}
		scanned += w.scanned
		returned += w.returned
		searches += w.searches
		scans += w.scans
		adds += w.adds
		for i := range shardNs {
			shardNs[i] += float64(w.shardNs[i])
		}
	}
	var bytes, postings, annots uint64
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.RLock()
		bytes += sh.idx.Bytes()
		postings += sh.idx.Postings()
		annots += sh.idx.Annotations()
		sh.mu.RUnlock()
	}
	m := map[string]float64{
		"searches":                 float64(searches),
		"range_queries":            float64(scans),
		"annotate_ops":             float64(adds),
		"index_bytes":              float64(bytes),
		"postings":                 float64(postings),
		"annotations":              float64(annots),
		"postings_scanned_total":   float64(scanned),
		"intervals_returned_total": float64(returned),
	}
	if annots > 0 {
		m["postings_per_annotation"] = float64(postings) / float64(annots)
	}
	for k, name := range []string{"search", "range_query"} {
		if q := len(kindNs[k]); q > 0 {
			v := kindNs[k]
			slices.Sort(v)
			m[name+"_ns_p50"], m[name+"_ns_p99"] = float64(v[min(q-1, q/2)]), float64(v[min(q-1, q*99/100)])
			m[name+"_postings_scanned"] = float64(kindScanned[k]) / float64(q)
		}
	}
	if q := len(ns); q > 0 {
		slices.Sort(ns)
		at := func(p float64) float64 { return float64(ns[min(q-1, int(p*float64(q)))]) }
		var sum float64
		for _, v := range ns {
			sum += float64(v)
		}
		m["query_ns"] = sum / float64(q)
		m["query_ns_p50"], m["query_ns_p99"], m["query_ns_p999"], m["query_ns_max"] = at(0.5), at(0.99), at(0.999), float64(ns[q-1])
		m["postings_scanned"] = float64(scanned) / float64(q)
		m["intervals_returned"] = float64(returned) / float64(q)
		// Per-shard fairness of the query work (title partitions): Jain's
		// index over the shards' total query time, and the busiest shard's
		// time against the mean.
		var s, s2, mx float64
		for _, v := range shardNs {
			s += v
			s2 += v * v
			mx = max(mx, v)
		}
		if s2 > 0 {
			m["shard_query_ns_jain"] = s * s / (float64(n) * s2)
			m["shard_query_ns_max_mean"] = mx / (s / float64(n))
		}
	}
	return m
}
