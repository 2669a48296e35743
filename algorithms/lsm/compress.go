package lsm

import (
	"fmt"
	"sync"

	"github.com/golang/snappy"
	"github.com/klauspost/compress/zstd"
)

// Data blocks may be compressed, one choice per DB (Options.Compression),
// with the codecs Pebble uses: Snappy (github.com/golang/snappy) and Zstd at
// level 3 (klauspost/compress; Pebble built with cgo uses libzstd at the same
// level). As LevelDB and Pebble do, a block is stored raw when compressing it
// saves less than an eighth, and each block records how it was stored, so a
// DB reopened with another choice still reads its old tables.
const (
	compressNone   = "none"
	compressSnappy = "snappy"
	compressZstd   = "zstd"
)

// The byte before a data block's checksum says how the block is stored.
const (
	blockRaw    byte = 0
	blockSnappy byte = 1
	blockZstd   byte = 2
)

var (
	zstdOnce sync.Once
	zstdEnc  *zstd.Encoder
	zstdDec  *zstd.Decoder
)

// zstdCodec returns the shared encoder and decoder; EncodeAll and DecodeAll
// are safe for concurrent use.
func zstdCodec() (*zstd.Encoder, *zstd.Decoder) {
	zstdOnce.Do(func() {
		zstdEnc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(3)), zstd.WithEncoderConcurrency(1))
		zstdDec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0))
	})
	return zstdEnc, zstdDec
}

// compressBlock appends block, compressed by codec when that saves at least
// an eighth, to dst, and returns it with the storage type.
func compressBlock(dst, block []byte, codec string) ([]byte, byte) {
	start := len(dst)
	var typ byte
	switch codec {
	case compressSnappy:
		n := snappy.MaxEncodedLen(len(block))
		dst = append(dst, make([]byte, n)...)
		enc := snappy.Encode(dst[start:], block)
		dst, typ = dst[:start+len(enc)], blockSnappy
	case compressZstd:
		enc, _ := zstdCodec()
		dst, typ = enc.EncodeAll(block, dst), blockZstd
	default:
		return append(dst, block...), blockRaw
	}
	if len(dst)-start > len(block)-len(block)/8 {
		return append(dst[:start], block...), blockRaw
	}
	return dst, typ
}

// decompressBlock returns the stored payload of type typ, decompressed into
// a new buffer when it is compressed.
func decompressBlock(payload []byte, typ byte) ([]byte, error) {
	switch typ {
	case blockRaw:
		return payload, nil
	case blockSnappy:
		return snappy.Decode(nil, payload)
	case blockZstd:
		_, dec := zstdCodec()
		return dec.DecodeAll(payload, nil)
	}
	return nil, fmt.Errorf("unknown block compression type %d", typ)
}
