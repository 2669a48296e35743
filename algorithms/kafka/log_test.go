package kafka

import "testing"

// A one-record batch: 61-byte header, then the record: length varint,
// attributes, timestamp and offset deltas, key length + key, value
// length + value, header count.
func TestRecordBatchSize(t *testing.T) {
	// key "key", 100-byte value: body 1+1+1 + 1+3 + 2+100 + 1 = 110 (the
	// value length 100 zig-zags to 200, two varint bytes), whose length
	// (zig-zag 220) takes 2 bytes.
	if got := RecordBatchSize(3, 100); got != 61+2+110 {
		t.Errorf("size(3, 100) = %d, want 173", got)
	}
	// null key, null value: body 1+1+1 + 1 + 1 + 1 = 6, one length byte.
	if got := RecordBatchSize(-1, -1); got != 61+1+6 {
		t.Errorf("size(-1, -1) = %d, want 68", got)
	}
	if varintSize(63) != 1 || varintSize(64) != 2 || varintSize(-64) != 1 || varintSize(-65) != 2 {
		t.Error("zig-zag varint sizes")
	}
}

func TestLogSegmentsAndRetention(t *testing.T) {
	l := NewLog(1000, 0)
	for i := 0; i < 100; i++ {
		off, dropped := l.Append(Record{Key: uint64(i), Seq: uint64(i), Size: 100})
		if off != int64(i) || dropped != 0 {
			t.Fatalf("append %d: offset %d dropped %d", i, off, dropped)
		}
	}
	if l.Segments() != 10 || l.Rolled() != 10 || l.Appended() != 10000 || l.EndOffset() != 100 {
		t.Fatalf("segments %d rolled %d appended %d end %d", l.Segments(), l.Rolled(), l.Appended(), l.EndOffset())
	}
	for i := 0; i < 100; i++ {
		if r, ok := l.Read(int64(i)); !ok || r.Seq != uint64(i) {
			t.Fatalf("read %d: %v %v", i, r, ok)
		}
	}
	if _, ok := l.Read(100); ok {
		t.Error("read past the end")
	}

	// Retention 3000 bytes: after a roll, whole old segments go while the
	// rest still holds at least 3000 bytes; the active one never goes.
	l = NewLog(1000, 3000)
	var total int64
	for i := 0; i < 100; i++ {
		_, d := l.Append(Record{Seq: uint64(i), Size: 100})
		total += d
		if l.Size() > 3000+1000 {
			t.Fatalf("size %d over retention + one segment", l.Size())
		}
	}
	if l.StartOffset() != total || l.StartOffset()%10 != 0 || l.Deleted() != int(total/10) {
		t.Fatalf("start %d dropped %d deleted %d", l.StartOffset(), total, l.Deleted())
	}
	if _, ok := l.Read(l.StartOffset() - 1); ok {
		t.Error("read a deleted offset")
	}
	if r, ok := l.Read(l.StartOffset()); !ok || r.Seq != uint64(l.StartOffset()) {
		t.Error("first retained offset")
	}
}

func BenchmarkLogAppend(b *testing.B) {
	l := NewLog(1<<20, 64<<20)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		l.Append(Record{Key: uint64(i), Seq: uint64(i), Size: 172})
	}
}

// Truncate removes exactly the records at and above its offset, across
// segments, keeps the byte count, and the log appends at the cut again.
func TestLogTruncate(t *testing.T) {
	l := NewLog(300, 0)
	for i := 0; i < 40; i++ {
		l.Append(Record{Seq: uint64(i), Size: 100})
	}
	if n := l.Truncate(17); n != 23 || l.EndOffset() != 17 || l.Size() != 1700 {
		t.Fatalf("truncate: removed %d, end %d, size %d", n, l.EndOffset(), l.Size())
	}
	if r, ok := l.Read(16); !ok || r.Seq != 16 {
		t.Errorf("read 16: %v %v", r, ok)
	}
	if _, ok := l.Read(17); ok {
		t.Error("offset 17 still readable")
	}
	if off, _ := l.Append(Record{Seq: 99, Size: 100}); off != 17 {
		t.Errorf("append after truncate at %d", off)
	}
	if r, _ := l.Read(17); r.Seq != 99 {
		t.Errorf("record 17 is %v", r)
	}
	if n := l.Truncate(30); n != 0 || l.EndOffset() != 18 {
		t.Errorf("truncate beyond end removed %d", n)
	}
	l.Reset(50)
	if l.StartOffset() != 50 || l.EndOffset() != 50 || l.Size() != 0 {
		t.Errorf("reset: %d %d %d", l.StartOffset(), l.EndOffset(), l.Size())
	}
	if off, _ := l.Append(Record{Size: 10}); off != 50 {
		t.Errorf("append after reset at %d", off)
	}
}
