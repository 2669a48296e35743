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
type recorder struct {
	closed bool // latency = service: the service histograms are not kept

	lat, svc          [workloads.NumKinds]*hdr.Histogram
	ops, errs, denied [workloads.NumKinds]uint64
	firstErr          error

	shardOps     []uint64
	shardLat     []*hdr.Histogram
	clientOps    []uint64
	clientDenied []uint64

	// The current interval; it is flushed to sink when an op completes
	// past its end.
	sink          *intervalSink
	origin        time.Duration // start of the measured phase
	ivIdx         int
	ivEnd         time.Duration
	ivOps, ivErrs uint64
	ivDenied      uint64
	ivLat         *hdr.Histogram

	measured bool          // at least one op was recorded
	lastDone time.Duration // completion of the last recorded op
}

func newRecorder(closed bool, shards, clients int, sink *intervalSink) *recorder {
	return &recorder{
		closed:       closed,
		shardOps:     make([]uint64, shards),
		shardLat:     make([]*hdr.Histogram, min(shards, maxShardHistograms)),
		clientOps:    make([]uint64, clients),
		clientDenied: make([]uint64, clients),
		sink:         sink,
		ivLat:        newSmallHistogram(),
	}
}

// start sets the origin of the measured phase, from which intervals count.
func (r *recorder) start(origin time.Duration) {
	r.origin = origin
	r.ivIdx = 0
	r.ivEnd = origin + r.sink.step
}

// record accounts one measured op: intended is its intended start (the send
// time in a closed loop), sent when it was sent, done when it completed.
func (r *recorder) record(op *workloads.Op, o Outcome, intended, sent, done time.Duration) {
	if done >= r.ivEnd {
		r.nextInterval(done)
	}
	k := op.Kind
	h := r.lat[k]
	if h == nil {
		h = r.newKind(k)
	}
	lat := done - intended
	recordClamped(h, lat)
	if !r.closed {
		recordClamped(r.svc[k], done-sent)
	}
	r.ops[k]++
	if o.Err != nil {
		r.errs[k]++
		r.ivErrs++
		if r.firstErr == nil {
			r.firstErr = o.Err
		}
	}
	if o.Shard >= 0 {
		r.countShard(int(o.Shard), lat)
	}
	c := int(op.Client)
	if c >= len(r.clientOps) {
		r.growClients(c)
	}
	r.clientOps[c]++
	if o.Denied {
		r.denied[k]++
		r.ivDenied++
		r.clientDenied[c]++
	}
	r.ivOps++
	recordClamped(r.ivLat, lat)
	r.lastDone = done
	r.measured = true
}

func (r *recorder) newKind(k workloads.Kind) *hdr.Histogram {
	r.lat[k] = NewHistogram()
	if !r.closed {
		r.svc[k] = NewHistogram()
	}
	return r.lat[k]
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

func (r *recorder) growClients(c int) {
	n := c + 1 - len(r.clientOps)
	r.clientOps = append(r.clientOps, make([]uint64, n)...)
	r.clientDenied = append(r.clientDenied, make([]uint64, n)...)
}

// nextInterval flushes the current interval and moves to the one holding
// done. A worker's completions come in time order, so intervals only advance.
func (r *recorder) nextInterval(done time.Duration) {
	r.flushInterval()
	r.ivIdx = int((done - r.origin) / r.sink.step)
	r.ivEnd = r.origin + time.Duration(r.ivIdx+1)*r.sink.step
}

// flushInterval hands the current interval to the sink and clears it.
func (r *recorder) flushInterval() {
	if r.ivOps == 0 {
		return
	}
	r.sink.add(r.ivIdx, r.ivOps, r.ivErrs, r.ivDenied, r.ivLat)
	r.ivOps, r.ivErrs, r.ivDenied = 0, 0, 0
	r.ivLat.Reset()
}
