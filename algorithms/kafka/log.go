package kafka

// Record is what the log keeps of one message: enough to check ordering
// and to count bytes, not the payload itself.
type Record struct {
	Key  uint64 // the op's key
	Seq  uint64 // the op's sequence number in the workload
	Size uint32 // bytes in the v2 record-batch format (RecordBatchSize)
	// Epoch is the leader epoch the record was appended in (the batch
	// header's partition leader epoch field).
	Epoch int32
}

// RecordBatchOverhead is the v2 record batch header (DefaultRecordBatch.
// RECORD_BATCH_OVERHEAD): base offset 8, length 4, leader epoch 4, magic 1,
// crc 4, attributes 2, last offset delta 4, base and max timestamps 16,
// producer id 8, producer epoch 2, base sequence 4, record count 4.
const RecordBatchOverhead = 61

// varintSize is the size of v as a zig-zag varint (ByteUtils.sizeOfVarint).
func varintSize(v int64) int {
	z := uint64(v<<1) ^ uint64(v>>63)
	n := 1
	for z >= 0x80 {
		z >>= 7
		n++
	}
	return n
}

// RecordBatchSize is the size in bytes of a v2 batch holding one record
// with a key of keyLen bytes (−1: null key) and a value of valueLen bytes
// (−1: null value, a tombstone), no headers, offset and timestamp deltas 0.
func RecordBatchSize(keyLen, valueLen int) int {
	body := 1 + 1 + 1 // attributes, timestamp delta, offset delta
	body += varintSize(int64(keyLen)) + max(keyLen, 0)
	body += varintSize(int64(valueLen)) + max(valueLen, 0)
	body++ // header count
	return RecordBatchOverhead + varintSize(int64(body)) + body
}

type segment struct {
	base  int64 // offset of its first record
	bytes int64
	recs  []Record
}

// Log is one partition: an append-only sequence of segments. A new segment
// is rolled when the active one would exceed the segment size; whole
// segments other than the active one are deleted, oldest first, while the
// log is larger than the retention size (retention.bytes; 0 = unlimited).
// A Log is not safe for concurrent use.
type Log struct {
	segBytes, retention int64

	segs  []*segment // oldest first; the last is active
	free  []*segment // deleted segments, reused
	start int64      // log start offset
	end   int64      // log end offset (LEO): the next offset

	size     int64 // bytes held
	appended int64 // bytes ever appended
	rolled   int   // segments ever created
	deleted  int   // segments deleted by retention
}

// NewLog returns an empty log with the given segment and retention sizes.
func NewLog(segmentBytes, retentionBytes int64) *Log {
	l := &Log{segBytes: segmentBytes, retention: retentionBytes}
	l.roll()
	return l
}

func (l *Log) roll() {
	var s *segment
	if k := len(l.free); k > 0 {
		s = l.free[k-1]
		l.free = l.free[:k-1]
		s.recs = s.recs[:0]
		s.bytes = 0
	} else {
		s = &segment{}
	}
	s.base = l.end
	l.segs = append(l.segs, s)
	l.rolled++
}

// Append adds rec at the log end and returns its offset and how many
// records retention deleted (the log start moved past them).
func (l *Log) Append(rec Record) (offset int64, dropped int64) {
	act := l.segs[len(l.segs)-1]
	if act.bytes > 0 && act.bytes+int64(rec.Size) > l.segBytes {
		l.roll()
		act = l.segs[len(l.segs)-1]
		dropped = l.enforceRetention()
	}
	act.recs = append(act.recs, rec)
	act.bytes += int64(rec.Size)
	l.size += int64(rec.Size)
	l.appended += int64(rec.Size)
	offset = l.end
	l.end++
	return offset, dropped
}

func (l *Log) enforceRetention() int64 {
	if l.retention <= 0 {
		return 0
	}
	var dropped int64
	for len(l.segs) > 1 && l.size-l.segs[0].bytes >= l.retention {
		s := l.segs[0]
		copy(l.segs, l.segs[1:])
		l.segs[len(l.segs)-1] = nil
		l.segs = l.segs[:len(l.segs)-1]
		l.size -= s.bytes
		dropped += int64(len(s.recs))
		l.start = l.segs[0].base
		l.deleted++
		l.free = append(l.free, s)
	}
	return dropped
}

// Read returns the record at offset off, or false if off is outside
// [StartOffset, EndOffset).
func (l *Log) Read(off int64) (Record, bool) {
	if off < l.start || off >= l.end {
		return Record{}, false
	}
	// Binary search for the last segment whose base is <= off.
	lo, hi := 0, len(l.segs)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if l.segs[mid].base <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	s := l.segs[lo]
	return s.recs[off-s.base], true
}

// Truncate removes the records at offsets ≥ to (a follower truncating its
// log to what its leader holds) and returns how many it removed. A log
// truncated below its start is emptied and restarts at to.
func (l *Log) Truncate(to int64) int64 {
	if to >= l.end {
		return 0
	}
	n := l.end - max(to, l.start)
	if to < l.start {
		l.Reset(to)
		return n
	}
	for len(l.segs) > 1 && l.segs[len(l.segs)-1].base >= to {
		s := l.segs[len(l.segs)-1]
		l.segs[len(l.segs)-1] = nil
		l.segs = l.segs[:len(l.segs)-1]
		l.size -= s.bytes
		l.free = append(l.free, s)
	}
	s := l.segs[len(l.segs)-1]
	keep := to - s.base
	for _, r := range s.recs[keep:] {
		s.bytes -= int64(r.Size)
		l.size -= int64(r.Size)
	}
	s.recs = s.recs[:keep]
	l.end = to
	return n
}

// Reset empties the log and makes off its start and end offset (a
// follower whose leader no longer holds the follower's offsets).
func (l *Log) Reset(off int64) {
	for _, s := range l.segs {
		l.free = append(l.free, s)
	}
	l.segs = l.segs[:0]
	l.size = 0
	l.start, l.end = off, off
	l.roll()
	l.rolled--
}

// StartOffset is the log start offset: the first offset still held.
func (l *Log) StartOffset() int64 { return l.start }

// EndOffset is the log end offset (LEO): the offset the next record gets.
func (l *Log) EndOffset() int64 { return l.end }

// Segments is the number of segments held (the active one included).
func (l *Log) Segments() int { return len(l.segs) }

// Size is the bytes held; Appended the bytes ever appended.
func (l *Log) Size() int64     { return l.size }
func (l *Log) Appended() int64 { return l.appended }

// Rolled counts segments ever created; Deleted those retention removed.
func (l *Log) Rolled() int  { return l.rolled }
func (l *Log) Deleted() int { return l.deleted }
