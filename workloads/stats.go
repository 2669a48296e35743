package workloads

import (
	"math"
	"sort"
	"time"
)

// Stats summarises an op stream: how skewed its keys are, how its kinds and
// clients split, and how bursty its arrivals are. It is plain data; the CLI
// formats it.
type Stats struct {
	Ops      int
	Distinct int    // distinct keys
	KeySpan  uint64 // largest key + 1
	// RankCounts is the key frequency by rank: ops per distinct key, hottest first.
	RankCounts []uint64
	TopKeys    []KeyCount // the ten hottest keys
	// Shares of all ops that went to the hottest 1, 10 and 100 keys, and to
	// the hottest 1% of KeySpan keys.
	Top1, Top10, Top100, Top1Pct float64

	Kinds [NumKinds]uint64 // ops per kind

	Clients       int      // distinct client ids
	ClientOps     []uint64 // ops per client id, when ids are below 1<<20
	ClientMaxMean float64  // busiest client / mean, over clients seen
	ClientCV      float64  // coefficient of variation of per-client ops

	Closed    bool          // every intended start is 0: no schedule
	Span      time.Duration // last intended start − first
	PerSecond []uint64      // ops by second of intended start
	MeanRate  float64       // ops/s over Span
	GapMean   time.Duration // mean inter-arrival gap
	GapCV     float64       // burstiness: σ/μ of the gaps (1 for Poisson, 0 constant)
}

// KeyCount is one key's share of a stream.
type KeyCount struct {
	Key   uint64
	Count uint64
}

// TopShare is the share of ops that went to the k hottest keys.
func (s Stats) TopShare(k int) float64 {
	if s.Ops == 0 {
		return 0
	}
	var sum uint64
	for i := 0; i < k && i < len(s.RankCounts); i++ {
		sum += s.RankCounts[i]
	}
	return float64(sum) / float64(s.Ops)
}

// ComputeStats reads up to n ops from src (fewer if it ends) and summarises them.
func ComputeStats(src Source, n int) Stats {
	var s Stats
	keys := map[uint64]uint64{}
	clients := map[uint32]uint64{}
	var op Op
	var first, last time.Duration
	var gapSum, gapSq float64 // Welford: mean and M2
	s.Closed = true
	for s.Ops < n && src.Next(&op) {
		keys[op.Key]++
		clients[op.Client]++
		if op.Kind < NumKinds {
			s.Kinds[op.Kind]++
		}
		s.KeySpan = max(s.KeySpan, op.Key+1)
		if op.At != 0 {
			s.Closed = false
		}
		if s.Ops == 0 {
			first = op.At
		} else {
			g := float64(op.At - last)
			k := float64(s.Ops)
			d := g - gapSum
			gapSum += d / k
			gapSq += d * (g - gapSum)
		}
		last = op.At
		if sec := op.At / time.Second; op.At >= 0 && sec < 1<<20 {
			for int(sec) >= len(s.PerSecond) {
				s.PerSecond = append(s.PerSecond, 0)
			}
			s.PerSecond[sec]++
		}
		s.Ops++
	}
	s.Distinct = len(keys)
	s.RankCounts = make([]uint64, 0, len(keys))
	top := make([]KeyCount, 0, len(keys))
	for k, c := range keys {
		s.RankCounts = append(s.RankCounts, c)
		top = append(top, KeyCount{k, c})
	}
	sort.Slice(s.RankCounts, func(i, j int) bool { return s.RankCounts[i] > s.RankCounts[j] })
	sort.Slice(top, func(i, j int) bool {
		if top[i].Count != top[j].Count {
			return top[i].Count > top[j].Count
		}
		return top[i].Key < top[j].Key
	})
	s.TopKeys = top[:min(10, len(top))]
	s.Top1, s.Top10, s.Top100 = s.TopShare(1), s.TopShare(10), s.TopShare(100)
	s.Top1Pct = s.TopShare(int(math.Ceil(float64(s.KeySpan) / 100)))

	s.Clients = len(clients)
	var maxC uint32
	var sum, sq, peak float64
	for id, c := range clients {
		maxC = max(maxC, id)
		f := float64(c)
		sum += f
		sq += f * f
		peak = math.Max(peak, f)
	}
	if s.Clients > 0 {
		mean := sum / float64(s.Clients)
		s.ClientMaxMean = peak / mean
		s.ClientCV = math.Sqrt(math.Max(0, sq/float64(s.Clients)-mean*mean)) / mean
		if maxC < 1<<20 {
			s.ClientOps = make([]uint64, maxC+1)
			for id, c := range clients {
				s.ClientOps[id] = c
			}
		}
	}
	if s.Closed {
		s.PerSecond = nil
		return s
	}
	s.Span = last - first
	if s.Ops > 1 {
		s.GapMean = time.Duration(gapSum)
		if gapSum > 0 {
			s.GapCV = math.Sqrt(gapSq/float64(s.Ops-1)) / gapSum
		}
		if s.Span > 0 {
			s.MeanRate = float64(s.Ops-1) / s.Span.Seconds()
		}
	}
	return s
}
