package casestudy

import (
	"fmt"
	"sync"
	"time"
)

// Instagram's ID layout ("Sharding & IDs at Instagram", 2012): from the most
// significant bit, 41 bits of milliseconds since a custom epoch, 13 bits of
// logical shard ID and 10 bits of an auto-incrementing per-shard sequence.
const (
	IDTimeBits  = 41
	IDShardBits = 13
	IDSeqBits   = 10

	MaxLogicalShards = 1 << IDShardBits // 8192
	SeqPerMs         = 1 << IDSeqBits   // 1024 IDs per shard per millisecond
	MaxIDMillis      = 1<<IDTimeBits - 1
)

// ComposeID packs a millisecond timestamp (since the epoch), a logical shard
// and a sequence number as the blog's PL/pgSQL function does:
// (millis << 23) | (shard << 10) | seq.
func ComposeID(ms uint64, shard, seq uint32) uint64 {
	return ms<<(IDShardBits+IDSeqBits) | uint64(shard)<<IDSeqBits | uint64(seq)
}

// SplitID is the inverse of ComposeID.
func SplitID(id uint64) (ms uint64, shard, seq uint32) {
	return id >> (IDShardBits + IDSeqBits), uint32(id>>IDSeqBits) & (MaxLogicalShards - 1), uint32(id) & (SeqPerMs - 1)
}

// Overflow policies: what a shard does with the 1025th ID of a millisecond.
const (
	// OverflowWait stamps it with the next millisecond and makes the
	// caller wait for that millisecond to begin (Snowflake's tilNextMillis):
	// IDs stay unique and time-ordered.
	OverflowWait = "wait"
	// OverflowWrap is the blog's literal function: nextval(seq) % 1024 with
	// the current millisecond, which repeats an ID once a shard issues more
	// than 1024 in one millisecond. Duplicates are counted.
	OverflowWrap = "wrap"
)

// idShard is one logical shard's sequence state and its counters. The mutex
// makes a shard thread-safe on the wall clock (one sequence per shard, as
// one Postgres sequence per schema); distinct shards never contend.
type idShard struct {
	mu      sync.Mutex
	ms      uint64 // millisecond the last ID was stamped with
	next    uint32 // next sequence number within ms (wait) or the counter (wrap)
	inMs    uint32 // IDs stamped with ms so far
	lastID  uint64
	issued  uint64
	waits   uint64 // IDs stamped with a millisecond no caller had reached: the sequence ran out
	waitNs  uint64 // total wait of those
	late    uint64 // IDs of a caller whose clock read an earlier ms than another caller's already had
	seenMs  uint64 // latest millisecond any caller's clock has read
	ovfl    uint64 // (shard, ms) pairs whose 1024 sequence numbers ran out
	dups    uint64 // wrap: IDs equal to an earlier one
	nonMono uint64 // IDs not greater than the shard's previous ID
	maxInMs uint32
	demMs   uint64 // millisecond of the current demand count
	demand  uint32 // requests arriving within demMs
	maxDem  uint32
	_       [24]byte // keep neighbouring shards off one cache line
}

// IDGen issues Instagram IDs for up to 8192 logical shards. It never reads
// the clock: each call passes the time since the run started.
type IDGen struct {
	startMs uint64 // milliseconds since the custom epoch at time 0
	wrap    bool
	shards  []idShard
}

// NewIDGen returns a generator over logical shards whose time 0 is startMs
// milliseconds after the custom epoch.
func NewIDGen(logical int, startMs uint64, overflow string) (*IDGen, error) {
	if logical < 1 || logical > MaxLogicalShards {
		return nil, fmt.Errorf("logical_shards=%d: need 1 … %d (13 bits)", logical, MaxLogicalShards)
	}
	if startMs > MaxIDMillis {
		return nil, fmt.Errorf("start_ms=%d: does not fit in 41 bits (valid: 0 … %d)", startMs, uint64(MaxIDMillis))
	}
	if overflow != OverflowWait && overflow != OverflowWrap {
		return nil, fmt.Errorf("overflow=%q (valid: wait|wrap)", overflow)
	}
	return &IDGen{startMs: startMs, wrap: overflow == OverflowWrap, shards: make([]idShard, logical)}, nil
}

// Next issues the next ID of a logical shard at time now (since time 0). It
// returns the ID and the time from which it may be handed out: now, unless
// the shard's millisecond ran out of sequence numbers and the ID is stamped
// with a later millisecond (wait policy), which the caller must wait for.
func (g *IDGen) Next(shard int, now time.Duration) (id uint64, readyAt time.Duration) {
	nowMs := g.startMs + uint64(now/time.Millisecond)
	s := &g.shards[shard]
	s.mu.Lock()
	if nowMs != s.demMs {
		s.demMs, s.demand = nowMs, 0
	}
	s.demand++
	s.maxDem = max(s.maxDem, s.demand)
	s.seenMs = max(s.seenMs, nowMs)
	readyAt = now
	if g.wrap {
		if nowMs != s.ms {
			s.ms, s.inMs = nowMs, 0
		}
		if s.inMs >= SeqPerMs {
			if s.inMs == SeqPerMs {
				s.ovfl++
			}
			s.dups++
		}
		id = ComposeID(nowMs, uint32(shard), s.next%SeqPerMs)
		s.next++
	} else {
		if nowMs > s.ms {
			s.ms, s.next, s.inMs = nowMs, 0, 0
		}
		if s.next == SeqPerMs {
			s.ovfl++
			s.ms, s.next, s.inMs = s.ms+1, 0, 0
		}
		if s.ms > nowMs { // stamped in the future: wait for its millisecond
			readyAt = time.Duration(s.ms-g.startMs) * time.Millisecond
			if s.ms > s.seenMs { // the sequence ran out: a real overflow wait
				s.waits++
				s.waitNs += uint64(readyAt - now)
			} else {
				// Another caller's clock already read s.ms: this caller's
				// reading is late (wall clock: read before a concurrent
				// caller took the shard), not an overflow.
				s.late++
			}
		}
		id = ComposeID(s.ms, uint32(shard), s.next)
		s.next++
	}
	s.inMs++
	s.maxInMs = max(s.maxInMs, s.inMs)
	if s.issued > 0 && id <= s.lastID {
		s.nonMono++
	}
	s.lastID = id
	s.issued++
	s.mu.Unlock()
	if id>>(IDShardBits+IDSeqBits) > MaxIDMillis {
		panic("casestudy: ID timestamp overflowed 41 bits")
	}
	return id, readyAt
}

// IDStats are the generator's counters summed over shards.
type IDStats struct {
	Issued, Waits, WaitNs, LateCallers, Overflows, Duplicates, NonMonotonic uint64
	MaxPerMs, MaxDemandPerMs                                                uint32
	ActiveShards                                                            int
}

// Stats sums the counters of every shard.
func (g *IDGen) Stats() IDStats {
	var st IDStats
	for i := range g.shards {
		s := &g.shards[i]
		s.mu.Lock()
		st.Issued += s.issued
		st.Waits += s.waits
		st.WaitNs += s.waitNs
		st.LateCallers += s.late
		st.Overflows += s.ovfl
		st.Duplicates += s.dups
		st.NonMonotonic += s.nonMono
		st.MaxPerMs = max(st.MaxPerMs, s.maxInMs)
		st.MaxDemandPerMs = max(st.MaxDemandPerMs, s.maxDem)
		if s.issued > 0 {
			st.ActiveShards++
		}
		s.mu.Unlock()
	}
	return st
}

// ShardMap maps logical shards onto servers in contiguous ranges, as
// Instagram placed its several thousand logical shards (Postgres schemas) on
// a few physical servers: logical shard s lives on server s·servers/logical.
type ShardMap struct{ logical, servers int }

// NewShardMap maps logical shards onto servers (1 ≤ servers ≤ logical).
func NewShardMap(logical, servers int) (ShardMap, error) {
	if servers < 1 || servers > logical {
		return ShardMap{}, fmt.Errorf("servers=%d with logical_shards=%d: every server needs a logical shard (valid: 1 … %d)", servers, logical, logical)
	}
	return ShardMap{logical, servers}, nil
}

// Server returns the server holding a logical shard.
func (m ShardMap) Server(shard int) int { return shard * m.servers / m.logical }

// Shard is the logical shard of a key (a user ID): key mod logical shards,
// as in the blog's example (31341 % 2000 = 1341).
func (m ShardMap) Shard(key uint64) int { return int(key % uint64(m.logical)) }

// ShardsOn counts the logical shards on a server.
func (m ShardMap) ShardsOn(server int) int {
	// Shards s with s·servers/logical == server: s in [⌈server·L/S⌉, ⌈(server+1)·L/S⌉).
	lo := (server*m.logical + m.servers - 1) / m.servers
	hi := ((server+1)*m.logical + m.servers - 1) / m.servers
	return hi - lo
}
