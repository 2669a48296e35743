package harness

import (
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/dsbench/dsbench/workloads"
)

// maxShardHistograms bounds the shards that get a latency histogram of their
// own (ops are counted for every shard).
const maxShardHistograms = 1024

// newSmallHistogram is the 2-significant-digit histogram (37 KB instead of
// 270 KB) used per shard and per interval, where 1% precision is plenty.
func newSmallHistogram() *hdr.Histogram { return hdr.New(1, int64(time.Hour), 2) }

// maxValue is the largest value NewHistogram tracks.
const maxValue = int64(time.Hour)

// recordClamped records v, clamped into the histogram's range so that no
// value is silently dropped.
func recordClamped(h *hdr.Histogram, v time.Duration) {
	x := int64(v)
	if x < 0 {
		x = 0
	} else if x > maxValue {
		x = maxValue
	}
	_ = h.RecordValue(x)
}

// recorder holds one worker's measurements. Only its owner writes it, so the
// per-op path takes no lock; the arrays are indexed by kind, shard and
// client, so it does no map lookup; histograms are made on a kind's or
// shard's first op, so it allocates only when a new index first shows up.
//
// An op's latency is recorded once, into its kind's histogram of the current
// interval (cur). At an interval boundary those histograms are folded into
// the run's cumulative ones (lat) and into the interval sink, and cleared:
// the interval's percentiles come from that snapshot, not from a second
// record per op.
type recorder struct {
	closed bool // latency = service: the service histograms are not kept

	cur, lat, svc     [workloads.NumKinds]*hdr.Histogram
	ops, errs, denied [workloads.NumKinds]uint64
	lag               *hdr.Histogram // open loop: send lag, actual − intended send
	firstErr          error

	shardOps     []uint64
	shardLat     []*hdr.Histogram
	clientOps    []uint64 // by client id, for ids below denseClients
	clientDenied []uint64
	// sparse holds the ids at or above denseClients, one entry per client
	// seen: per-client state grows with the clients that sent, never with
	// the largest id (clients=4294967295 is a valid spread).
	sparse map[uint32]*clientCount

	// The current interval, [ivStart, ivEnd) from the run's start; the
	// counts of the ones before it sum to flushed.
	sink           *intervalSink
	origin         time.Duration // start of the measured phase
	ivStart, ivEnd time.Duration
	flushed        [3]uint64 // ops, errors, denied as of the last flush

	lastDone time.Duration // the latest completion of a recorded op
}

func newRecorder(closed bool, shards, clients int, sink *intervalSink) *recorder {
	r := &recorder{
		closed:       closed,
		shardOps:     make([]uint64, shards),
		shardLat:     make([]*hdr.Histogram, min(shards, maxShardHistograms)),
		clientOps:    make([]uint64, min(clients, initialClients)),
		clientDenied: make([]uint64, min(clients, initialClients)),
		sink:         sink,
	}
	if !closed {
		r.lag = NewHistogram()
	}
	return r
}

// start sets the origin of the measured phase, from which intervals count.
func (r *recorder) start(origin time.Duration) {
	r.origin = origin
	r.ivStart = origin
	r.ivEnd = origin + r.sink.currentStep()
}

// record accounts one measured op: intended is its intended start (the send
// time in a closed loop), sent when it was sent, done when it completed. It
// reports whether it also closed an interval — bookkeeping a caller timing
// the next op should not count.
func (r *recorder) record(op *workloads.Op, o Outcome, intended, sent, done time.Duration) (flushed bool) {
	if done >= r.ivEnd {
		r.nextInterval(done)
		flushed = true
	}
	k := op.Kind
	h := r.cur[k]
	if h == nil {
		h = r.newKind(k)
	}
	lat := done - intended
	recordClamped(h, lat)
	r.ops[k]++
	if !r.closed {
		recordClamped(r.svc[k], done-sent)
		recordClamped(r.lag, sent-intended)
	}
	if o.Err != nil {
		r.errs[k]++
		if r.firstErr == nil {
			r.firstErr = o.Err
		}
	}
	if o.Shard >= 0 {
		r.countShard(int(o.Shard), lat)
	}
	c := int(op.Client)
	if c >= len(r.clientOps) && !r.growClients(c) {
		r.countSparse(op.Client, o.Denied)
		if o.Denied {
			r.denied[k]++
		}
	} else {
		r.clientOps[c]++
		if o.Denied {
			r.denied[k]++
			r.clientDenied[c]++
		}
	}
	r.lastDone = max(r.lastDone, done) // batches may fold out of order
	return flushed
}

// measured reports whether any op was recorded.
func (r *recorder) measured() bool {
	var n uint64
	for _, v := range r.ops {
		n += v
	}
	return n > 0
}

func (r *recorder) newKind(k workloads.Kind) *hdr.Histogram {
	r.cur[k] = NewHistogram()
	r.lat[k] = NewHistogram()
	if !r.closed {
		r.svc[k] = NewHistogram()
	}
	return r.cur[k]
}

func (r *recorder) countShard(s int, lat time.Duration) {
	if s >= len(r.shardOps) {
		r.shardOps = append(r.shardOps, make([]uint64, s+1-len(r.shardOps))...)
		if n := min(s+1, maxShardHistograms); n > len(r.shardLat) {
			r.shardLat = append(r.shardLat, make([]*hdr.Histogram, n-len(r.shardLat))...)
		}
	}
	r.shardOps[s]++
	if s < len(r.shardLat) {
		h := r.shardLat[s]
		if h == nil {
			h = newSmallHistogram()
			r.shardLat[s] = h
		}
		recordClamped(h, lat)
	}
}

// Per-client counts: dense arrays for the ids below denseClients (grown by
// doubling as ids show up, from initialClients), a map for the rest.
const (
	initialClients = 1 << 10
	denseClients   = 1 << 16
)

// clientCount is one sparse client's counts.
type clientCount struct{ ops, denied uint64 }

// growClients makes the dense arrays hold id c, if c is below
// denseClients; it reports whether they do.
func (r *recorder) growClients(c int) bool {
	if c >= denseClients {
		return false
	}
	n := min(max(2*len(r.clientOps), c+1), denseClients) - len(r.clientOps)
	r.clientOps = append(r.clientOps, make([]uint64, n)...)
	r.clientDenied = append(r.clientDenied, make([]uint64, n)...)
	return true
}

func (r *recorder) countSparse(id uint32, denied bool) {
	if r.sparse == nil {
		r.sparse = map[uint32]*clientCount{}
	}
	cc := r.sparse[id]
	if cc == nil {
		cc = &clientCount{}
		r.sparse[id] = cc
	}
	cc.ops++
	if denied {
		cc.denied++
	}
}

// nextInterval flushes the current interval and moves to the one holding
// done. A worker's completions come in time order (or nearly: the open loop
// records a batch at a time), so intervals only advance; a completion a
// little before the current interval is counted in it.
func (r *recorder) nextInterval(done time.Duration) {
	step := r.flushInterval()
	idx := (done - r.origin) / step
	r.ivStart = r.origin + idx*step
	r.ivEnd = r.ivStart + step
}

// flushInterval hands the current interval to the sink, folds its
// histograms into the cumulative ones and clears them. It returns the
// sink's step.
func (r *recorder) flushInterval() time.Duration {
	var tot [3]uint64
	for k := range r.ops {
		tot[0] += r.ops[k]
		tot[1] += r.errs[k]
		tot[2] += r.denied[k]
	}
	if tot[0] == r.flushed[0] {
		return r.sink.currentStep()
	}
	step := r.sink.add(r.ivStart-r.origin, tot[0]-r.flushed[0], tot[1]-r.flushed[1], tot[2]-r.flushed[2], r.cur[:])
	r.flushed = tot
	for k, h := range r.cur {
		if h != nil && h.TotalCount() > 0 {
			r.lat[k].Merge(h)
			h.Reset()
		}
	}
	return step
}
