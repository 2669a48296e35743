package lsm

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync"
)

// The write-ahead log follows LevelDB's log format: the file is a sequence of
// 32 KiB blocks; a record never straddles a block boundary but is split into
// FIRST/MIDDLE/LAST fragments (or is one FULL fragment). Each fragment has a
// 7-byte header: CRC32C of type+payload (masked), payload length (u16), type.
// A block tail shorter than a header is zero padding.
const (
	walBlockSize  = 32 << 10
	walHeaderSize = 7

	recFull   = 1
	recFirst  = 2
	recMiddle = 3
	recLast   = 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrCorrupt wraps every checksum or format failure, so callers can tell
// damaged bytes from I/O errors with errors.Is.
var ErrCorrupt = errors.New("lsm: corruption")

// maskCRC is LevelDB's masking, so that a CRC of data containing CRCs does not
// collide trivially.
func maskCRC(c uint32) uint32 { return (c>>15 | c<<17) + 0xa282ead8 }

// walBufferBytes is the WAL's user-space buffer: records wait there until
// it fills, a sync, or (Sync "none") the hand-off goroutine writes them out.
const walBufferBytes = 64 << 10

// walWriter appends records to a user-space buffer. Its owner (the DB's
// writeMu) serializes add and sync; fileMu serializes writes to the file,
// so that handOff can write the bytes it took out of the buffer while
// writers go on filling the other one.
type walWriter struct {
	f        *os.File
	buf      []byte // records not yet written to the file
	spare    []byte // the other buffer, empty; handOff swaps them
	fileMu   sync.Mutex
	blockOff int   // bytes used in the current block
	written  int64 // bytes appended, headers included
	hdr      [walHeaderSize]byte
	typ      [1]byte
	dirty    bool // records written since the last fsync (owner's lock)
}

func createWAL(path string) (*walWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	return &walWriter{f: f, buf: make([]byte, 0, walBufferBytes), spare: make([]byte, 0, walBufferBytes)}, nil
}

// write appends b to the buffer, writing the buffer out when it is full.
func (l *walWriter) write(b []byte) error {
	if len(l.buf)+len(b) > walBufferBytes && len(l.buf) > 0 {
		if err := l.sync(false); err != nil {
			return err
		}
	}
	l.buf = append(l.buf, b...)
	return nil
}

// add appends one record, fragmenting it at block boundaries.
func (l *walWriter) add(payload []byte) error {
	first := true
	for {
		if left := walBlockSize - l.blockOff; left < walHeaderSize {
			var zero [walHeaderSize]byte
			if err := l.write(zero[:left]); err != nil {
				return err
			}
			l.written += int64(left)
			l.blockOff = 0
		}
		avail := walBlockSize - l.blockOff - walHeaderSize
		frag := payload
		if len(frag) > avail {
			frag = frag[:avail]
		}
		last := len(frag) == len(payload)
		var t byte
		switch {
		case first && last:
			t = recFull
		case first:
			t = recFirst
		case last:
			t = recLast
		default:
			t = recMiddle
		}
		l.typ[0] = t
		crc := crc32.Update(crc32.Checksum(l.typ[:], castagnoli), castagnoli, frag)
		binary.LittleEndian.PutUint32(l.hdr[0:], maskCRC(crc))
		binary.LittleEndian.PutUint16(l.hdr[4:], uint16(len(frag)))
		l.hdr[6] = t
		if err := l.write(l.hdr[:]); err != nil {
			return err
		}
		if err := l.write(frag); err != nil {
			return err
		}
		n := walHeaderSize + len(frag)
		l.blockOff += n
		l.written += int64(n)
		payload = payload[len(frag):]
		first = false
		l.dirty = true
		if last {
			return nil
		}
	}
}

// sync pushes buffered bytes to the OS and, if durable, fsyncs them. The
// caller owns the writer.
func (l *walWriter) sync(durable bool) error {
	l.fileMu.Lock()
	defer l.fileMu.Unlock()
	if len(l.buf) > 0 {
		_, err := l.f.Write(l.buf)
		l.buf = l.buf[:0]
		if err != nil {
			return err
		}
	}
	if durable && l.dirty {
		l.dirty = false
		return l.f.Sync()
	}
	return nil
}

// takeBuffered starts a hand-off: the caller owns the writer; it gets the
// buffered bytes and the file lock, and must call finishHandOff without the
// owner's lock, so writers fill the other buffer meanwhile. Bytes a later
// sync writes wait for the file lock, so the file keeps record order.
func (l *walWriter) takeBuffered() []byte {
	l.fileMu.Lock()
	b := l.buf
	l.buf, l.spare = l.spare[:0], nil
	return b
}

// finishHandOff writes the taken bytes to the file and returns the buffer.
// The caller must hold the owner's lock to return the buffer (recycle).
func (l *walWriter) finishHandOff(b []byte) error {
	_, err := l.f.Write(b)
	l.fileMu.Unlock()
	return err
}

// recycle gives the writer back a buffer taken by takeBuffered. The caller
// owns the writer.
func (l *walWriter) recycle(b []byte) {
	if l.spare == nil {
		l.spare = b[:0]
	}
}

func (l *walWriter) close() error {
	err := l.sync(false)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// abandon closes the file without writing the user-space buffer: what a
// process crash does to records not yet handed to the OS.
func (l *walWriter) abandon() {
	l.fileMu.Lock()
	l.f.Close()
	l.fileMu.Unlock()
}

// walReader reads records back. A torn tail — a header or fragment cut short
// by the end of the file, or zeros where a crash left a preallocated or
// partially written block — ends the log cleanly; a checksum mismatch or a
// broken fragment sequence is corruption.
type walReader struct {
	r    *bufio.Reader
	name string
	off  int64
	rec  []byte
	blk  [walBlockSize]byte
	n    int // valid bytes in blk
	pos  int
}

func newWALReader(r io.Reader, name string) *walReader {
	return &walReader{r: bufio.NewReaderSize(r, 64<<10), name: name}
}

func (w *walReader) corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: wal %s near offset %d: %s", ErrCorrupt, w.name, w.off+int64(w.pos), fmt.Sprintf(format, args...))
}

// next returns the next record, io.EOF at the end of the log.
func (w *walReader) next() ([]byte, error) {
	w.rec = w.rec[:0]
	inRecord := false
	for {
		if w.n-w.pos < walHeaderSize {
			if w.n == walBlockSize || w.n == 0 {
				if err := w.readBlock(); err != nil {
					return nil, err
				}
				continue
			}
			return nil, w.tornTail(inRecord)
		}
		h := w.blk[w.pos : w.pos+walHeaderSize]
		length := int(binary.LittleEndian.Uint16(h[4:]))
		t := h[6]
		if t == 0 && length == 0 && binary.LittleEndian.Uint32(h) == 0 {
			// Zero padding: the rest of this block is unused, or a crash left zeros.
			if w.n < walBlockSize && allZero(w.blk[w.pos:w.n]) {
				return nil, w.tornTail(inRecord)
			}
			if allZero(w.blk[w.pos:w.n]) {
				w.pos = w.n
				continue
			}
			return nil, w.corrupt("zero header followed by data")
		}
		if w.pos+walHeaderSize+length > w.n {
			if w.n < walBlockSize {
				return nil, w.tornTail(inRecord)
			}
			return nil, w.corrupt("fragment length %d overruns its block", length)
		}
		frag := w.blk[w.pos+walHeaderSize : w.pos+walHeaderSize+length]
		crc := crc32.Update(crc32.Checksum([]byte{t}, castagnoli), castagnoli, frag)
		if maskCRC(crc) != binary.LittleEndian.Uint32(h) {
			return nil, w.corrupt("checksum mismatch")
		}
		w.pos += walHeaderSize + length
		switch t {
		case recFull:
			if inRecord {
				return nil, w.corrupt("FULL fragment inside a record")
			}
			return frag, nil
		case recFirst:
			if inRecord {
				return nil, w.corrupt("FIRST fragment inside a record")
			}
			inRecord = true
			w.rec = append(w.rec, frag...)
		case recMiddle, recLast:
			if !inRecord {
				return nil, w.corrupt("fragment type %d outside a record", t)
			}
			w.rec = append(w.rec, frag...)
			if t == recLast {
				return w.rec, nil
			}
		default:
			return nil, w.corrupt("unknown fragment type %d", t)
		}
	}
}

func (w *walReader) tornTail(inRecord bool) error {
	_ = inRecord // a record cut short was never acknowledged as durable
	return io.EOF
}

func (w *walReader) readBlock() error {
	w.off += int64(w.n)
	n, err := io.ReadFull(w.r, w.blk[:])
	w.n, w.pos = n, 0
	if err == io.EOF || (err == io.ErrUnexpectedEOF && n == 0) {
		return io.EOF
	}
	if err == io.ErrUnexpectedEOF {
		return nil
	}
	return err
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// A WAL record is one operation or a batch:
//
//	seq u64 | kind u8 (0 delete, 1 value) | uvarint klen | key | value
//	seq u64 | 2 (batch) | uvarint count | count × (uvarint klen | key | uvarint vlen | value)
//
// A batch's entries are values with sequence numbers seq, seq+1, ….
const walBatch = 2

var errBadRecord = fmt.Errorf("%w: undecodable WAL record", ErrCorrupt)

func encodeWALEntry(dst []byte, seq uint64, k kind, key, value []byte) []byte {
	dst = binary.LittleEndian.AppendUint64(dst[:0], seq)
	dst = append(dst, byte(k))
	dst = binary.AppendUvarint(dst, uint64(len(key)))
	dst = append(dst, key...)
	return append(dst, value...)
}

func encodeWALBatch(dst []byte, seq uint64, keys, values [][]byte) []byte {
	dst = binary.LittleEndian.AppendUint64(dst[:0], seq)
	dst = append(dst, walBatch)
	dst = binary.AppendUvarint(dst, uint64(len(keys)))
	for i := range keys {
		dst = binary.AppendUvarint(dst, uint64(len(keys[i])))
		dst = append(dst, keys[i]...)
		dst = binary.AppendUvarint(dst, uint64(len(values[i])))
		dst = append(dst, values[i]...)
	}
	return dst
}

// decodeWALRecord calls fn for each operation of a record, in order.
func decodeWALRecord(b []byte, fn func(seq uint64, k kind, key, value []byte) error) error {
	bad := errBadRecord
	if len(b) < 10 {
		return bad
	}
	seq, t, p := binary.LittleEndian.Uint64(b), b[8], b[9:]
	field := func() ([]byte, bool) {
		n, w := binary.Uvarint(p)
		if w <= 0 || uint64(len(p)-w) < n {
			return nil, false
		}
		f := p[w : w+int(n)]
		p = p[w+int(n):]
		return f, true
	}
	switch t {
	case byte(kindDelete), byte(kindValue):
		key, ok := field()
		if !ok {
			return bad
		}
		return fn(seq, kind(t), key, p)
	case walBatch:
		count, w := binary.Uvarint(p)
		if w <= 0 {
			return bad
		}
		p = p[w:]
		for i := uint64(0); i < count; i++ {
			key, ok1 := field()
			value, ok2 := field()
			if !ok1 || !ok2 {
				return bad
			}
			if err := fn(seq+i, kindValue, key, value); err != nil {
				return err
			}
		}
		if len(p) != 0 {
			return bad
		}
		return nil
	}
	return bad
}
