package lsm

import (
	"bufio"
	"encoding/binary"
	"hash/crc32"
	"os"
)

// SSTable layout:
//
//	data blocks | filter block | index block | footer
//
// A data block is stored as payload | type (1 byte: 0 raw, 1 Snappy, 2 Zstd;
// compress.go) | masked CRC32C of payload and type (u32); the payload is the
// block (block.go) as is, or compressed. Tables of format version 1 (magic
// "LSMtabl1", before compression) stored every data block raw without the
// type byte; they are still read.
//
// The filter block is one Bloom filter over every user key of the table
// followed by its masked CRC32C. The index block is a block (block.go) whose
// keys are the last internal key of each data block and whose values are
// uvarint offset | uvarint length of that block (checksum included). The
// footer is fixed-size:
//
//	filter off u64 | filter len u64 | index off u64 | index len u64 |
//	entries u64 | masked CRC32C of the 40 bytes before (u32) | magic u64
const (
	footerLen    = 52
	tableMagicV1 = 0x4c534d7461626c31 // "LSMtabl1": data blocks raw, untyped
	tableMagic   = 0x4c534d7461626c32 // "LSMtabl2": typed data blocks
)

// tableOptions are what a table writer needs from the DB's options.
type tableOptions struct {
	bloomBits, blockBytes int
	compression           string
}

func (db *DB) tableOptions() tableOptions {
	return tableOptions{bloomBits: db.opts.BloomBitsPerKey, blockBytes: db.opts.BlockBytes, compression: db.opts.Compression}
}

type tableWriter struct {
	f          *os.File
	w          *bufio.Writer
	off        uint64
	data       blockBuilder
	index      blockBuilder
	hashes     []uint64
	bloomBits  int
	blockBytes int
	ikey       []byte
	smallest   []byte
	largest    []byte
	entries    uint64
	handle     []byte
	codec      string
	stored     []byte // the current block as stored: compressed or not, typed, checksummed
	// logical counts the key+value bytes of the entries written, internal
	// keys (user key + 8-byte trailer) as Pebble's raw key size counts them:
	// the numerator of amplification per logical byte.
	logical int64
}

func newTableWriter(path string, o tableOptions) (*tableWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	return &tableWriter{f: f, w: bufio.NewWriterSize(f, 256<<10), bloomBits: o.bloomBits, blockBytes: o.blockBytes,
		codec: o.compression}, nil
}

// add appends an entry; keys must arrive in increasing order, one version each.
func (t *tableWriter) add(ukey []byte, trailer uint64, value []byte) error {
	if t.entries == 0 {
		t.smallest = append(t.smallest[:0], ukey...)
	}
	t.largest = append(t.largest[:0], ukey...)
	t.ikey = binary.LittleEndian.AppendUint64(append(t.ikey[:0], ukey...), trailer)
	t.data.add(t.ikey, value)
	t.logical += int64(len(t.ikey) + len(value))
	if t.bloomBits > 0 {
		t.hashes = append(t.hashes, bloomHash(ukey))
	}
	t.entries++
	if t.data.estimate() >= t.blockBytes {
		return t.flushBlock()
	}
	return nil
}

// size estimates the file size so far, for splitting compaction outputs.
func (t *tableWriter) size() uint64 { return t.off + uint64(t.data.estimate()) }

func (t *tableWriter) flushBlock() error {
	if t.data.entries == 0 {
		return nil
	}
	last := append([]byte(nil), t.data.last...)
	b, typ := compressBlock(t.stored[:0], t.data.finishBody(), t.codec)
	b = append(b, typ)
	b = binary.LittleEndian.AppendUint32(b, maskCRC(crc32.Checksum(b, castagnoli)))
	t.stored = b
	if _, err := t.w.Write(b); err != nil {
		return err
	}
	t.handle = binary.AppendUvarint(binary.AppendUvarint(t.handle[:0], t.off), uint64(len(b)))
	t.index.add(last, t.handle)
	t.off += uint64(len(b))
	t.data.reset()
	return nil
}

// finish writes the filter, index and footer, fsyncs and closes the file.
func (t *tableWriter) finish() (size int64, err error) {
	defer t.f.Close()
	if err := t.flushBlock(); err != nil {
		return 0, err
	}
	var filter []byte
	if t.bloomBits > 0 {
		filter = appendBloom(nil, t.hashes, t.bloomBits)
		filter = binary.LittleEndian.AppendUint32(filter, maskCRC(crc32.Checksum(filter, castagnoli)))
	}
	filterOff := t.off
	if _, err := t.w.Write(filter); err != nil {
		return 0, err
	}
	t.off += uint64(len(filter))
	idx := t.index.finish()
	indexOff := t.off
	if _, err := t.w.Write(idx); err != nil {
		return 0, err
	}
	t.off += uint64(len(idx))
	var ft []byte
	for _, v := range []uint64{filterOff, uint64(len(filter)), indexOff, uint64(len(idx)), t.entries} {
		ft = binary.LittleEndian.AppendUint64(ft, v)
	}
	ft = binary.LittleEndian.AppendUint32(ft, maskCRC(crc32.Checksum(ft, castagnoli)))
	ft = binary.LittleEndian.AppendUint64(ft, tableMagic)
	if _, err := t.w.Write(ft); err != nil {
		return 0, err
	}
	t.off += uint64(len(ft))
	if err := t.w.Flush(); err != nil {
		return 0, err
	}
	if err := t.f.Sync(); err != nil {
		return 0, err
	}
	return int64(t.off), nil
}

// abort removes a half-written table.
func (t *tableWriter) abort() {
	t.f.Close()
	os.Remove(t.f.Name())
}
