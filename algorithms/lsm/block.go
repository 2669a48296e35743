package lsm

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// Blocks hold entries sorted by internal key, prefix-compressed against the
// previous key and restarted (stored whole) every restartInterval entries so
// that a seek can binary-search the restart points, as in LevelDB:
//
//	entry   = uvarint shared | uvarint unshared | uvarint vlen | key[shared:] | value
//	block   = entries | restart offsets (u32 each) | restart count (u32)
//	on disk = block | masked CRC32C of the block (u32)
//
// Keys inside a table are internal keys: user key | trailer (u64 LE).
const (
	restartInterval = 16
	blockTrailerLen = 4
)

type blockBuilder struct {
	buf      []byte
	restarts []uint32
	last     []byte
	counter  int
	entries  int
}

func (b *blockBuilder) reset() {
	b.buf, b.restarts, b.last, b.counter, b.entries = b.buf[:0], b.restarts[:0], b.last[:0], 0, 0
}

func (b *blockBuilder) add(ikey, value []byte) {
	shared := 0
	if b.counter < restartInterval && b.entries > 0 {
		n := min(len(b.last), len(ikey))
		for shared < n && b.last[shared] == ikey[shared] {
			shared++
		}
	} else {
		b.restarts = append(b.restarts, uint32(len(b.buf)))
		b.counter = 0
	}
	b.buf = binary.AppendUvarint(b.buf, uint64(shared))
	b.buf = binary.AppendUvarint(b.buf, uint64(len(ikey)-shared))
	b.buf = binary.AppendUvarint(b.buf, uint64(len(value)))
	b.buf = append(b.buf, ikey[shared:]...)
	b.buf = append(b.buf, value...)
	b.last = append(b.last[:0], ikey...)
	b.counter++
	b.entries++
}

func (b *blockBuilder) estimate() int { return len(b.buf) + 4*len(b.restarts) + 4 }

// finish appends the restart array and the checksum and returns the on-disk bytes.
func (b *blockBuilder) finish() []byte {
	body := b.finishBody()
	crc := maskCRC(crc32.Checksum(body, castagnoli))
	return binary.LittleEndian.AppendUint32(body, crc)
}

// finishBody appends the restart array and returns the block body, without
// a checksum (a data block's trailer also says how it is stored).
func (b *blockBuilder) finishBody() []byte {
	if len(b.restarts) == 0 {
		b.restarts = append(b.restarts, 0)
	}
	for _, r := range b.restarts {
		b.buf = binary.LittleEndian.AppendUint32(b.buf, r)
	}
	b.buf = binary.LittleEndian.AppendUint32(b.buf, uint32(len(b.restarts)))
	return b.buf
}

// checkBlock verifies the checksum of on-disk bytes and returns the block body.
func checkBlock(b []byte, what string) ([]byte, error) {
	if len(b) < blockTrailerLen+4 {
		return nil, fmt.Errorf("%w: %s: block of %d bytes is too short", ErrCorrupt, what, len(b))
	}
	body := b[:len(b)-blockTrailerLen]
	if maskCRC(crc32.Checksum(body, castagnoli)) != binary.LittleEndian.Uint32(b[len(body):]) {
		return nil, fmt.Errorf("%w: %s: block checksum mismatch", ErrCorrupt, what)
	}
	return checkRestarts(body, what)
}

// checkTypedBlock verifies a version-2 data block — payload, storage type
// (1 byte), masked CRC32C of both — and returns its body, decompressed into a
// new buffer when it was stored compressed. copied says whether the body is
// a buffer of its own rather than a slice of b.
func checkTypedBlock(b []byte, what string) (body []byte, copied bool, err error) {
	if len(b) < blockTrailerLen+1 {
		return nil, false, fmt.Errorf("%w: %s: block of %d bytes is too short", ErrCorrupt, what, len(b))
	}
	n := len(b) - blockTrailerLen
	if maskCRC(crc32.Checksum(b[:n], castagnoli)) != binary.LittleEndian.Uint32(b[n:]) {
		return nil, false, fmt.Errorf("%w: %s: block checksum mismatch", ErrCorrupt, what)
	}
	typ := b[n-1]
	body, err = decompressBlock(b[:n-1], typ)
	if err != nil {
		return nil, false, fmt.Errorf("%w: %s: %v", ErrCorrupt, what, err)
	}
	body, err = checkRestarts(body, what)
	return body, typ != blockRaw, err
}

// checkRestarts checks a block body's restart count against its length.
func checkRestarts(body []byte, what string) ([]byte, error) {
	if len(body) < 4 {
		return nil, fmt.Errorf("%w: %s: block of %d bytes is too short", ErrCorrupt, what, len(body))
	}
	n := binary.LittleEndian.Uint32(body[len(body)-4:])
	if n == 0 || int(n) > (len(body)-4)/4 {
		return nil, fmt.Errorf("%w: %s: bad restart count %d", ErrCorrupt, what, n)
	}
	return body, nil
}

// blockIter walks a verified block body. Its key buffer is reused, so a
// seek allocates nothing once the buffer has grown.
type blockIter struct {
	data     []byte // entries only
	restarts []byte
	nrest    int
	off      int // offset of the current entry
	next     int // offset of the next entry
	key      []byte
	val      []byte
	valid    bool
	err      error
}

func (it *blockIter) init(body []byte) {
	n := int(binary.LittleEndian.Uint32(body[len(body)-4:]))
	rs := len(body) - 4 - 4*n
	it.data, it.restarts, it.nrest = body[:rs], body[rs:len(body)-4], n
	it.valid, it.err = false, nil
}

func (it *blockIter) restart(i int) int { return int(binary.LittleEndian.Uint32(it.restarts[4*i:])) }

// decode reads the entry at off; ok is false at the end of the block or on
// malformed bytes (which sets err).
func (it *blockIter) decode(off int) bool {
	if off >= len(it.data) {
		it.valid = false
		return false
	}
	p := it.data[off:]
	shared, n1 := binary.Uvarint(p)
	unshared, n2 := binary.Uvarint(p[max(n1, 0):])
	vlen, n3 := binary.Uvarint(p[max(n1+n2, 0):])
	h := n1 + n2 + n3
	if n1 <= 0 || n2 <= 0 || n3 <= 0 || shared > uint64(len(it.key)) || uint64(len(p)-h) < unshared+vlen {
		it.valid = false
		it.err = fmt.Errorf("%w: malformed block entry", ErrCorrupt)
		return false
	}
	it.key = append(it.key[:shared], p[h:h+int(unshared)]...)
	it.val = p[h+int(unshared) : h+int(unshared)+int(vlen)]
	it.off, it.next, it.valid = off, off+h+int(unshared)+int(vlen), true
	if len(it.key) < 8 {
		it.valid = false
		it.err = fmt.Errorf("%w: block key shorter than its trailer", ErrCorrupt)
		return false
	}
	return true
}

func (it *blockIter) First() { it.key = it.key[:0]; it.decode(0) }
func (it *blockIter) Next()  { it.decode(it.next) }

// SeekGE positions at the first entry whose user key is ≥ ukey. Tables hold
// one version per user key, so comparing user keys is enough.
func (it *blockIter) SeekGE(ukey []byte) {
	lo, hi := 0, it.nrest-1
	for lo < hi { // last restart whose key is < ukey
		mid := (lo + hi + 1) / 2
		it.key = it.key[:0]
		if !it.decode(it.restart(mid)) {
			return
		}
		if bytes.Compare(it.UKey(), ukey) < 0 {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	it.key = it.key[:0]
	for ok := it.decode(it.restart(lo)); ok; ok = it.decode(it.next) {
		if bytes.Compare(it.UKey(), ukey) >= 0 {
			return
		}
	}
}

func (it *blockIter) UKey() []byte    { return it.key[:len(it.key)-8] }
func (it *blockIter) Trailer() uint64 { return binary.LittleEndian.Uint64(it.key[len(it.key)-8:]) }
