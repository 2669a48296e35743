package casestudy

import (
	"cmp"
	"slices"
)

// Netflix's in-video search (Netflix Technology Blog on building in-video
// search over the output of its media-understanding models): models tag
// frames of each title with labels and confidences over time intervals;
// a temporal inverted index maps a label to the intervals of each title
// where it was seen, so a query for a label — or for two labels seen
// together — over a stretch of a title returns the matching intervals,
// ranked by confidence.
//
// TemporalIndex is one title-partition (a shard) of that index. With time
// buckets, a (term, title) posting list is cut into buckets of fixed width
// and an annotation is stored in every bucket its interval overlaps, so a
// query reads only the buckets its range overlaps; without, it is one list
// sorted by start, read from its start up to the range's end. Times are
// milliseconds from the title's start.

// Annotation is one model's label on one interval of a title.
type Annotation struct {
	ID         uint32
	Title      uint32
	Term       uint32
	Start, End uint32 // [Start, End) ms
	Conf       float32
	Model      uint8
}

// posting is an annotation as a posting list holds it (16 bytes).
type posting struct {
	start, end uint32
	conf       float32
	id         uint32
}

const postingBytes = 16

// Hit is one interval a query returns: a single term's annotation, or for
// two terms the overlap of one annotation of each, scored by the lower
// confidence.
type Hit struct {
	Start, End uint32
	Score      float32
	A, B       uint32 // the annotations' IDs (B = A for one term)
}

// TemporalIndex is a title-partitioned temporal inverted index shard. It is
// not safe for concurrent use: the caller locks it.
type TemporalIndex struct {
	bucket   uint32               // bucket width in ms; 0: no buckets
	lists    map[uint64]*termList // by (term, title)
	postings uint64               // stored (an annotation counts once per bucket it spans)
	annots   uint64
	// broken (tests only): store an annotation in its start bucket only,
	// the bug that loses intervals crossing a bucket boundary.
	broken bool
}

// termList is the postings of one term in one title, in one contiguous
// array sorted by start: without buckets that is all; with, the array is
// grouped by bucket (a posting spanning several buckets is in each) and a
// directory of the non-empty buckets gives where each begins, so a query
// reads one contiguous run of the array.
type termList struct {
	flat []posting
	dir  []dirEnt
}

type dirEnt struct{ b, off uint32 }

// NewTemporalIndex returns an empty shard with buckets of bucketMs (0: one
// list per term and title).
func NewTemporalIndex(bucketMs uint32) *TemporalIndex {
	return &TemporalIndex{bucket: bucketMs, lists: map[uint64]*termList{}}
}

func listKey(term, title uint32) uint64 { return uint64(term)<<32 | uint64(title) }

// bucketAt is the index of the first directory entry at or after bucket b.
func (l *termList) bucketAt(b uint32) int {
	lo, hi := 0, len(l.dir)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if l.dir[m].b < b {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// end is where directory entry i's postings end.
func (l *termList) end(i int) uint32 {
	if i+1 < len(l.dir) {
		return l.dir[i+1].off
	}
	return uint32(len(l.flat))
}

// Add indexes one annotation.
func (x *TemporalIndex) Add(a Annotation) {
	p := posting{start: a.Start, end: a.End, conf: a.Conf, id: a.ID}
	x.annots++
	k := listKey(a.Term, a.Title)
	l := x.lists[k]
	if l == nil {
		l = &termList{}
		x.lists[k] = l
	}
	if x.bucket == 0 {
		l.flat = insertByStart(l.flat, 0, len(l.flat), p)
		x.postings++
		return
	}
	last := (max(a.End, a.Start+1) - 1) / x.bucket
	if x.broken {
		last = a.Start / x.bucket
	}
	for b := a.Start / x.bucket; b <= last; b++ {
		i := l.bucketAt(b)
		if i == len(l.dir) || l.dir[i].b != b {
			off := uint32(len(l.flat))
			if i < len(l.dir) {
				off = l.dir[i].off
			}
			l.dir = slices.Insert(l.dir, i, dirEnt{b: b, off: off})
		}
		l.flat = insertByStart(l.flat, int(l.dir[i].off), int(l.end(i)), p)
		for j := i + 1; j < len(l.dir); j++ {
			l.dir[j].off++
		}
		x.postings++
	}
}

// insertByStart inserts p into the run l[from:to] (sorted by start, then
// ID) at its place.
func insertByStart(l []posting, from, to int, p posting) []posting {
	i, _ := slices.BinarySearchFunc(l[from:to], p, func(q, p posting) int { return cmp.Or(cmp.Compare(q.start, p.start), cmp.Compare(q.id, p.id)) })
	return slices.Insert(l, from+i, p)
}

// Bytes is the index's size: 16 bytes per posting held (capacity), 8 per
// bucket-directory entry (capacity) and 64 per (term, title) list (its key,
// pointer and two slice headers), not counting the map's own buckets.
func (x *TemporalIndex) Bytes() uint64 {
	var n uint64
	for _, l := range x.lists {
		n += 64 + uint64(cap(l.flat))*postingBytes + uint64(cap(l.dir))*8
	}
	return n
}

// Postings is the postings stored; Annotations the annotations added.
func (x *TemporalIndex) Postings() uint64    { return x.postings }
func (x *TemporalIndex) Annotations() uint64 { return x.annots }

// candidates appends to out the postings of term in title whose interval
// overlaps [from, to), each once, and returns how many postings it read.
func (x *TemporalIndex) candidates(term, title, from, to uint32, out []posting) ([]posting, int) {
	scanned := 0
	l := x.lists[listKey(term, title)]
	if l == nil {
		return out, 0
	}
	if x.bucket == 0 {
		for _, p := range l.flat {
			if p.start >= to {
				break // sorted by start: nothing later overlaps
			}
			scanned++
			if p.end > from {
				out = append(out, p)
			}
		}
		return out, scanned
	}
	last := (to - 1) / x.bucket
	for i := l.bucketAt(from / x.bucket); i < len(l.dir) && l.dir[i].b <= last; i++ {
		lo := l.dir[i].b * x.bucket
		hi := lo + x.bucket
		ps := l.flat[l.dir[i].off:l.end(i)]
		scanned += len(ps)
		for _, p := range ps {
			// Reported by the bucket where its overlap with the range
			// begins, so an interval held by several buckets counts once.
			if ov := max(p.start, from); p.start < to && p.end > from && ov >= lo && ov < hi {
				out = append(out, p)
			}
		}
	}
	return out, scanned
}

// Query is a search: one or two terms in one title over [From, To), the K
// best intervals (K = 0: all).
type Query struct {
	Title    uint32
	Terms    []uint32
	From, To uint32
	K        int
}

// QueryScratch holds a searcher's buffers, reused from query to query.
type QueryScratch struct {
	a, b []posting
	Hits []Hit
}

// Search runs q and returns its hits (in s.Hits, best first) and the
// postings it read.
func (x *TemporalIndex) Search(q *Query, s *QueryScratch) ([]Hit, int) {
	s.Hits = s.Hits[:0]
	if q.To <= q.From || len(q.Terms) == 0 {
		return s.Hits, 0
	}
	var n1, n2 int
	s.a, n1 = x.candidates(q.Terms[0], q.Title, q.From, q.To, s.a[:0])
	if len(q.Terms) == 1 {
		for _, p := range s.a {
			s.Hits = append(s.Hits, Hit{Start: p.start, End: p.end, Score: p.conf, A: p.id, B: p.id})
		}
	} else {
		s.b, n2 = x.candidates(q.Terms[1], q.Title, q.From, q.To, s.b[:0])
		s.Hits = intersect(s.a, s.b, q.From, q.To, s.Hits)
	}
	return rank(s.Hits, q.K), n1 + n2
}

// intersect appends the overlaps of every pair (one posting of a, one of
// b) that overlap each other within [from, to): sorted by start, each of a
// stops at b's first posting that starts after it ends.
func intersect(a, b []posting, from, to uint32, out []Hit) []Hit {
	byStart := func(p, q posting) int { return cmp.Or(cmp.Compare(p.start, q.start), cmp.Compare(p.id, q.id)) }
	slices.SortFunc(a, byStart)
	slices.SortFunc(b, byStart)
	for _, p := range a {
		for _, q := range b {
			if q.start >= p.end {
				break
			}
			if q.end > p.start && max(p.start, q.start) < to && min(p.end, q.end) > from {
				out = append(out, Hit{Start: max(p.start, q.start), End: min(p.end, q.end), Score: min(p.conf, q.conf), A: p.id, B: q.id})
			}
		}
	}
	return out
}

// hitOrder ranks by score, then start, end and the annotations' IDs: a
// total order, so the top K are well defined.
func hitOrder(x, y Hit) int {
	switch {
	case x.Score != y.Score:
		if x.Score > y.Score {
			return -1
		}
		return 1
	case x.Start != y.Start:
		return cmp.Compare(x.Start, y.Start)
	case x.End != y.End:
		return cmp.Compare(x.End, y.End)
	case x.A != y.A:
		return cmp.Compare(x.A, y.A)
	}
	return cmp.Compare(x.B, y.B)
}

// rank orders h best first and keeps the best k (k = 0: all). For k below
// the hits it selects with a heap of the k best (worst on top), O(n log k),
// then sorts those.
func rank(h []Hit, k int) []Hit {
	if k <= 0 || len(h) <= k {
		slices.SortFunc(h, hitOrder)
		return h
	}
	top := h[:k]
	for i := k/2 - 1; i >= 0; i-- {
		siftWorst(top, i)
	}
	for _, x := range h[k:] {
		if hitOrder(x, top[0]) < 0 { // better than the worst kept
			top[0] = x
			siftWorst(top, 0)
		}
	}
	slices.SortFunc(top, hitOrder)
	return top
}

// siftWorst restores the heap property (each parent ranks after its
// children: the worst on top) below i.
func siftWorst(h []Hit, i int) {
	for {
		w, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && hitOrder(h[l], h[w]) > 0 {
			w = l
		}
		if r < len(h) && hitOrder(h[r], h[w]) > 0 {
			w = r
		}
		if w == i {
			return
		}
		h[i], h[w] = h[w], h[i]
		i = w
	}
}

// BruteForceSearch answers q from every annotation, with no index: the
// reference the index is tested against.
func BruteForceSearch(all []Annotation, q *Query) []Hit {
	var a, b []Annotation
	for _, x := range all {
		if x.Title != q.Title || x.Start >= q.To || x.End <= q.From {
			continue
		}
		if x.Term == q.Terms[0] {
			a = append(a, x)
		}
		if len(q.Terms) > 1 && x.Term == q.Terms[1] {
			b = append(b, x)
		}
	}
	var hits []Hit
	if len(q.Terms) == 1 {
		for _, x := range a {
			hits = append(hits, Hit{Start: x.Start, End: x.End, Score: x.Conf, A: x.ID, B: x.ID})
		}
	} else {
		for _, x := range a {
			for _, y := range b {
				if s, e := max(x.Start, y.Start), min(x.End, y.End); s < e && s < q.To && e > q.From {
					hits = append(hits, Hit{Start: s, End: e, Score: min(x.Conf, y.Conf), A: x.ID, B: y.ID})
				}
			}
		}
	}
	// A full sort, then the first K: the index selects with a heap.
	slices.SortFunc(hits, hitOrder)
	if q.K > 0 && len(hits) > q.K {
		hits = hits[:q.K]
	}
	return hits
}
