package workloads

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
	"strings"
	"time"
)

// TraceHeader is the first line of a CSV trace.
const TraceHeader = "seq,at_ns,kind,key,client,size"

// binaryMagic opens a binary trace; its last digit is the format version.
// Version 2: blocks of up to blockRecords records, each block
//
//	uvarint records | uvarint payload bytes | payload | CRC-32C of payload (4 bytes, little endian)
//
// and a final uvarint 0 that marks the end (a file cut at a block boundary
// is told from a whole one);
// where the payload is the records, six varints each: seq and at_ns as
// zigzag deltas from the previous record (across blocks), then kind, key,
// client and size. A 1e6-op YCSB trace takes ~8 MB against the CSV's ~25 MB.
// A flipped bit or a cut file is rejected with the offset of its block.
// Version 1 (binaryMagicV1, no blocks or checksums) is still read.
const (
	binaryMagic   = "DSBTRC2\n"
	binaryMagicV1 = "DSBTRC1\n"
	blockRecords  = 4096
	// maxBlockBytes bounds a block's payload (blockRecords records of at
	// most 6 × 10 bytes), so a corrupted length cannot ask for gigabytes.
	maxBlockBytes = blockRecords * 60
)

var crc32c = crc32.MakeTable(crc32.Castagnoli)

// TraceFormats are the formats NewTraceWriter accepts.
var TraceFormats = []string{"csv", "bin"}

// TraceWriter streams ops to a trace file, so gen writes any number of ops in
// constant memory. Call Flush at the end.
type TraceWriter struct {
	w       *bufio.Writer
	bin     bool
	started bool
	prevSeq uint64
	prevAt  int64
	buf     []byte
	block   []byte // binary: the records of the block being filled
	n       int    // and how many
}

// NewTraceWriter returns a writer of format "csv" or "bin".
func NewTraceWriter(w io.Writer, format string) (*TraceWriter, error) {
	switch format {
	case "csv", "bin":
	default:
		return nil, fmt.Errorf("unknown trace format %q (valid: %s)", format, strings.Join(TraceFormats, ", "))
	}
	return &TraceWriter{w: bufio.NewWriterSize(w, 1<<16), bin: format == "bin", buf: make([]byte, 0, 64)}, nil
}

// Write appends one op.
func (t *TraceWriter) Write(op *Op) error {
	if !t.started {
		t.started = true
		var err error
		if t.bin {
			_, err = t.w.WriteString(binaryMagic)
		} else {
			_, err = t.w.WriteString(TraceHeader + "\n")
		}
		if err != nil {
			return err
		}
	}
	if t.bin {
		b := t.block
		b = binary.AppendVarint(b, int64(op.Seq-t.prevSeq))
		b = binary.AppendVarint(b, int64(op.At)-t.prevAt)
		b = binary.AppendUvarint(b, uint64(op.Kind))
		b = binary.AppendUvarint(b, op.Key)
		b = binary.AppendUvarint(b, uint64(op.Client))
		b = binary.AppendUvarint(b, uint64(op.Size))
		t.prevSeq, t.prevAt = op.Seq, int64(op.At)
		t.block, t.n = b, t.n+1
		if t.n == blockRecords {
			return t.writeBlock()
		}
		return nil
	}
	b := t.buf[:0]
	{
		b = strconv.AppendUint(b, op.Seq, 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(op.At), 10)
		b = append(b, ',')
		b = append(b, op.Kind.String()...)
		b = append(b, ',')
		b = strconv.AppendUint(b, op.Key, 10)
		b = append(b, ',')
		b = strconv.AppendUint(b, uint64(op.Client), 10)
		b = append(b, ',')
		b = strconv.AppendUint(b, uint64(op.Size), 10)
		b = append(b, '\n')
	}
	t.buf = b
	_, err := t.w.Write(b)
	return err
}

// writeBlock writes the binary block being filled, framed and checksummed.
func (t *TraceWriter) writeBlock() error {
	if t.n == 0 {
		return nil
	}
	h := binary.AppendUvarint(t.buf[:0], uint64(t.n))
	h = binary.AppendUvarint(h, uint64(len(t.block)))
	h = append(h, t.block...)
	h = binary.LittleEndian.AppendUint32(h, crc32.Checksum(t.block, crc32c))
	t.buf, t.block, t.n = h[:0], t.block[:0], 0
	_, err := t.w.Write(h)
	return err
}

// Flush writes what is buffered and, for a binary trace, the end marker;
// an empty trace still gets its header. Call it once, at the end.
func (t *TraceWriter) Flush() error {
	if t.bin && t.started {
		if err := t.writeBlock(); err != nil {
			return err
		}
		if err := t.w.WriteByte(0); err != nil {
			return err
		}
	}
	if !t.started {
		t.started = true
		h := TraceHeader + "\n"
		if t.bin {
			h = binaryMagic
		}
		if _, err := t.w.WriteString(h); err != nil {
			return err
		}
		if t.bin {
			if err := t.w.WriteByte(0); err != nil {
				return err
			}
		}
	}
	return t.w.Flush()
}

// WriteTraceCSV writes ops as CSV with the header TraceHeader.
func WriteTraceCSV(w io.Writer, ops []Op) error { return writeTrace(w, "csv", ops) }

// WriteTraceBinary writes ops in the compact binary form.
func WriteTraceBinary(w io.Writer, ops []Op) error { return writeTrace(w, "bin", ops) }

func writeTrace(w io.Writer, format string, ops []Op) error {
	t, err := NewTraceWriter(w, format)
	if err != nil {
		return err
	}
	for i := range ops {
		if err := t.Write(&ops[i]); err != nil {
			return err
		}
	}
	return t.Flush()
}

// ReadTrace reads a CSV or binary trace, telling them apart by the binary
// magic. A CSV trace may omit the header; bad rows are reported as
// "line N: …" (binary: "record N: …").
func ReadTrace(r io.Reader) ([]Op, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	head, _ := br.Peek(len(binaryMagic))
	switch string(head) {
	case binaryMagic:
		br.Discard(len(binaryMagic))
		return readBinaryBlocks(br)
	case binaryMagicV1:
		br.Discard(len(binaryMagicV1))
		var d recordDecoder
		return d.read(br, -1)
	}
	if len(head) >= 6 && string(head[:6]) == binaryMagic[:6] {
		return nil, fmt.Errorf("binary trace of an unknown version %q (this dsbench reads %q and %q)", strings.TrimSpace(string(head)), strings.TrimSpace(binaryMagic), strings.TrimSpace(binaryMagicV1))
	}
	return readCSV(br)
}

// readBinaryBlocks reads version 2: framed blocks, each checked against its
// CRC-32C before a record of it is decoded.
func readBinaryBlocks(br *bufio.Reader) ([]Op, error) {
	var d recordDecoder
	off := int64(len(binaryMagic))
	var payload []byte
	for {
		if _, err := br.Peek(1); err == io.EOF {
			return nil, fmt.Errorf("block at offset %d: the file ends without the end marker (cut short)", off)
		}
		cr := &countingReader{r: br}
		n, err1 := binary.ReadUvarint(cr)
		if err1 == nil && n == 0 {
			if _, err := br.Peek(1); err != io.EOF {
				return nil, fmt.Errorf("offset %d: data after the end marker", off+1)
			}
			return d.ops, nil
		}
		size, err2 := binary.ReadUvarint(cr)
		if err := errors.Join(err1, err2); err != nil || n == 0 || n > blockRecords || size > maxBlockBytes || size < 6*n {
			return nil, fmt.Errorf("block at offset %d: a corrupted or cut header (%d records, %d bytes)", off, n, size)
		}
		payload = append(payload[:0], make([]byte, size)...)
		var sum [4]byte
		if _, err := io.ReadFull(br, payload); err != nil {
			return nil, fmt.Errorf("block at offset %d: the file ends inside the block (cut short)", off)
		}
		if _, err := io.ReadFull(br, sum[:]); err != nil {
			return nil, fmt.Errorf("block at offset %d: the file ends before the block's checksum (cut short)", off)
		}
		if binary.LittleEndian.Uint32(sum[:]) != crc32.Checksum(payload, crc32c) {
			return nil, fmt.Errorf("block at offset %d: checksum mismatch: the trace is corrupted", off)
		}
		pr := bufio.NewReader(bytesReader(payload))
		if _, err := d.read(pr, int(n)); err != nil {
			return nil, fmt.Errorf("block at offset %d: %v", off, err)
		}
		if _, err := pr.Peek(1); err != io.EOF {
			return nil, fmt.Errorf("block at offset %d: bytes after its %d records", off, n)
		}
		off += cr.n + int64(size) + 4
	}
}

// recordDecoder decodes records, carrying the deltas' base across blocks.
type recordDecoder struct {
	ops []Op
	seq uint64
	at  int64
	rec int
}

// read decodes want records from br (−1: until EOF) and appends them.
func (d *recordDecoder) read(br *bufio.Reader, want int) ([]Op, error) {
	ops := d.ops
	seq, at := d.seq, d.at
	defer func() { d.ops, d.seq, d.at = ops, seq, at }()
	for k := 0; want < 0 || k < want; k++ {
		if want < 0 {
			if _, err := br.Peek(1); err == io.EOF {
				return ops, nil
			}
		}
		d.rec++
		rec := d.rec
		var v [6]uint64
		for i := range v {
			var err error
			if i < 2 {
				var d int64
				d, err = binary.ReadVarint(br)
				v[i] = uint64(d)
			} else {
				v[i], err = binary.ReadUvarint(br)
			}
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = io.ErrUnexpectedEOF
				}
				return nil, fmt.Errorf("record %d: %v", rec, err)
			}
		}
		seq += v[0]
		at += int64(v[1])
		if v[2] >= uint64(NumKinds) {
			return nil, fmt.Errorf("record %d: kind %d out of range (valid: 0..%d)", rec, v[2], NumKinds-1)
		}
		if v[4] > 1<<32-1 || v[5] > 1<<32-1 {
			return nil, fmt.Errorf("record %d: client or size exceeds 32 bits", rec)
		}
		if at < 0 {
			return nil, fmt.Errorf("record %d: negative at_ns %d", rec, at)
		}
		if v[1] != 0 && int64(v[1]) < 0 {
			return nil, fmt.Errorf("record %d: at_ns goes back by %d: a trace's intended times must not decrease", rec, -int64(v[1]))
		}
		ops = append(ops, Op{Seq: seq, At: time.Duration(at), Kind: Kind(v[2]), Key: v[3], Client: uint32(v[4]), Size: uint32(v[5])})
	}
	return ops, nil
}

// countingReader counts the bytes read through it (a block header's size).
type countingReader struct {
	r io.ByteReader
	n int64
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

func readCSV(br *bufio.Reader) ([]Op, error) {
	var ops []Op
	for line := 1; ; line++ {
		raw, err := br.ReadSlice('\n')
		switch {
		case err == io.EOF && len(raw) == 0:
			return ops, nil
		case err == io.EOF:
			// A row with no newline: the file was cut (every writer ends
			// rows with one), and its last number may be cut short too.
			return nil, fmt.Errorf("line %d: the row does not end with a newline: the file looks cut short (%q)", line, raw)
		case errors.Is(err, bufio.ErrBufferFull):
			return nil, fmt.Errorf("line %d: longer than %d bytes: not a trace row", line, br.Size())
		case err != nil:
			return nil, fmt.Errorf("line %d: %v", line, err)
		}
		text := strings.TrimSpace(string(raw))
		if text == "" || text[0] == '#' {
			continue
		}
		if line == 1 && strings.HasPrefix(text, "seq") {
			if text != TraceHeader {
				return nil, fmt.Errorf("line 1: header %q, want %q", text, TraceHeader)
			}
			continue
		}
		op, err := parseRow(text)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", line, err)
		}
		if n := len(ops); n > 0 && op.At < ops[n-1].At {
			return nil, fmt.Errorf("line %d: at_ns %d is before the previous row's %d: a trace's intended times must not decrease", line, op.At, ops[n-1].At)
		}
		ops = append(ops, op)
	}
}

// parseRow parses "seq,at_ns,kind,key,client,size"; kind is a name or its number.
func parseRow(s string) (Op, error) {
	var f [6]string
	rest := s
	for i := range f {
		var ok bool
		if i == 5 {
			f[i], ok = rest, !strings.Contains(rest, ",")
		} else {
			f[i], rest, ok = strings.Cut(rest, ",")
		}
		if !ok {
			return Op{}, fmt.Errorf("%q: want 6 fields %s", s, TraceHeader)
		}
	}
	var op Op
	var err error
	num := func(name, v string, bits int) uint64 {
		if err != nil {
			return 0
		}
		n, e := strconv.ParseUint(strings.TrimSpace(v), 10, bits)
		if e != nil {
			err = fmt.Errorf("%s %q is not a non-negative integer of %d bits", name, v, bits)
		}
		return n
	}
	op.Seq = num("seq", f[0], 64)
	op.At = time.Duration(num("at_ns", f[1], 63))
	k := strings.TrimSpace(f[2])
	if n, e := strconv.ParseUint(k, 10, 8); e == nil && n < uint64(NumKinds) {
		op.Kind = Kind(n)
	} else if kind, e := ParseKind(k); e == nil {
		op.Kind = kind
	} else if err == nil {
		err = e
	}
	op.Key = num("key", f[3], 64)
	op.Client = uint32(num("client", f[4], 32))
	op.Size = uint32(num("size", f[5], 32))
	return op, err
}

// NewTraceSource replays ops: part k of n replays the ops whose Seq ≡ k
// (mod n), in file order, keeping their Seq and intended times; it ends with
// the trace.
func NewTraceSource(ops []Op, part Part) Source {
	if part.Of < 1 {
		part = Whole
	}
	return &traceSource{ops: ops, k: uint64(part.Index), n: uint64(part.Of)}
}

type traceSource struct {
	ops  []Op
	next int
	k, n uint64
}

func (t *traceSource) Next(op *Op) bool {
	for t.next < len(t.ops) {
		o := &t.ops[t.next]
		t.next++
		if o.Seq%t.n == t.k {
			*op = *o
			return true
		}
	}
	return false
}
