package casestudy

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/dsbench/dsbench/workloads"
)

// FollowGraph is a static follower graph: user u follows Following[u], and
// is followed by Followers[u]. Users are ranked by popularity: user 0 is the
// most followed.
type FollowGraph struct {
	Followers, Following [][]int32
}

// NewFollowGraph builds a graph in which every user follows `follows`
// distinct other users drawn from Zipf(theta) over users, so follower counts
// follow a power law: user k is followed ∝ (k+1)^−theta, up to everyone.
func NewFollowGraph(users, follows int, theta float64, r *rand.Rand) (*FollowGraph, error) {
	if users < 2 || follows < 1 || follows > users/2 {
		return nil, fmt.Errorf("follows=%d with users=%d: need 1 ≤ follows ≤ users/2", follows, users)
	}
	z, err := workloads.NewZipf(theta, uint64(users), false)
	if err != nil {
		return nil, err
	}
	g := &FollowGraph{Followers: make([][]int32, users), Following: make([][]int32, users)}
	seen := make([]int32, users) // seen[v] == u+1: u already follows v
	for u := range users {
		out := make([]int32, 0, follows)
		for tries := 0; len(out) < follows; tries++ {
			var v int
			if tries < 64*follows {
				v = int(z.Next(r))
			} else {
				v = r.IntN(users) // the Zipf head is exhausted for u: fill uniformly
			}
			if v == u || seen[v] == int32(u+1) {
				continue
			}
			seen[v] = int32(u + 1)
			out = append(out, int32(v))
		}
		slices.Sort(out)
		g.Following[u] = out
		for _, v := range out {
			g.Followers[v] = append(g.Followers[v], int32(u))
		}
	}
	return g, nil
}

// tlRing is a capped timeline of tweet IDs, oldest first until full, then a
// ring whose newest entry sits just before head.
type tlRing struct {
	ids  []uint32
	head int
}

func (t *tlRing) push(id uint32, cap int) (evicted bool) {
	if len(t.ids) < cap {
		t.ids = append(t.ids, id)
		return false
	}
	t.ids[t.head] = id
	t.head++
	if t.head == cap {
		t.head = 0
	}
	return true
}

// at returns the i-th newest entry (0 = newest).
func (t *tlRing) at(i int) uint32 {
	j := t.head - 1 - i
	if j < 0 {
		j += len(t.ids)
	}
	return t.ids[j]
}

// TimelineEntryBytes is the modelled size of one timeline entry: Twitter's
// Redis timelines hold a tweet ID, the author's user ID and a few bits
// (Krikorian, QCon 2013): 8 + 8 + 4 bytes.
const TimelineEntryBytes = 20

// Timelines is Twitter's hybrid home timeline: a tweet is written into each
// follower's capped home timeline (fan-out on write) unless its author has
// more than Threshold followers (a celebrity); a read takes the reader's home
// timeline and merges in the recent tweets of the celebrities it follows.
// It is single-threaded; callers serialise.
type Timelines struct {
	g         *FollowGraph
	cap, page int
	threshold int
	home, own []tlRing
	celebs    [][]int32 // celebrities each user follows
	authors   []int32   // tweet ID → author
	heads     []int     // read scratch: next index per source
	srcs      []*tlRing

	Tweets, Reads, FanoutWrites, MaxFanout, Evictions uint64
	MergeSources, MaxSources, Entries, Celebrities    uint64
}

// NewTimelines returns empty timelines over g with entries capped at cap
// per timeline, pages of page tweets, and the celebrity threshold.
func NewTimelines(g *FollowGraph, cap, page, threshold int) *Timelines {
	n := len(g.Followers)
	t := &Timelines{g: g, cap: cap, page: page, threshold: threshold,
		home: make([]tlRing, n), own: make([]tlRing, n), celebs: make([][]int32, n)}
	for u := range n {
		if t.IsCelebrity(u) {
			t.Celebrities++
		}
		for _, v := range g.Following[u] {
			if t.IsCelebrity(int(v)) {
				t.celebs[u] = append(t.celebs[u], v)
			}
		}
	}
	return t
}

// IsCelebrity reports whether u's tweets are merged at read time.
func (t *Timelines) IsCelebrity(u int) bool { return len(t.g.Followers[u]) > t.threshold }

// Tweet posts a tweet by author and returns its ID and the number of home
// timelines written (0 for a celebrity). The author's own timeline (its
// profile, which celebrity merges read) is written either way.
func (t *Timelines) Tweet(author int) (id uint32, writes int) {
	id = uint32(len(t.authors))
	t.authors = append(t.authors, int32(author))
	t.Tweets++
	t.add(&t.own[author], id)
	if !t.IsCelebrity(author) {
		for _, f := range t.g.Followers[author] {
			t.add(&t.home[f], id)
		}
		writes = len(t.g.Followers[author])
	}
	t.FanoutWrites += uint64(writes)
	t.MaxFanout = max(t.MaxFanout, uint64(writes))
	return id, writes
}

func (t *Timelines) add(r *tlRing, id uint32) {
	if r.push(id, t.cap) {
		t.Evictions++
	} else {
		t.Entries++
	}
}

// Read returns into dst (reused) the newest page tweets of user's home
// timeline, newest first, merging the home timeline with the own timelines
// of the celebrities user follows, and the number of sources read.
func (t *Timelines) Read(user int, dst []uint32) ([]uint32, int) {
	t.srcs = append(t.srcs[:0], &t.home[user])
	for _, c := range t.celebs[user] {
		t.srcs = append(t.srcs, &t.own[c])
	}
	if cap(t.heads) < len(t.srcs) {
		t.heads = make([]int, len(t.srcs))
	}
	heads := t.heads[:len(t.srcs)]
	clear(heads)
	dst = dst[:0]
	for len(dst) < t.page {
		best, bi := uint32(0), -1
		for i, s := range t.srcs {
			if heads[i] < len(s.ids) {
				if id := s.at(heads[i]); bi < 0 || id > best {
					best, bi = id, i
				}
			}
		}
		if bi < 0 {
			break
		}
		heads[bi]++
		dst = append(dst, best)
	}
	n := len(t.srcs)
	t.Reads++
	t.MergeSources += uint64(n)
	t.MaxSources = max(t.MaxSources, uint64(n))
	return dst, n
}

// Author returns the author of a tweet.
func (t *Timelines) Author(id uint32) int { return int(t.authors[id]) }
