package lsm

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"sync"
	"sync/atomic"
)

// table is an open SSTable. Without a block cache it is memory-mapped and
// blocks are read in place: a data block's checksum is verified the first
// time it is read, and a bit remembers that. With a block cache (Options.
// CacheBytes) the file is read with pread: a block is checked and
// decompressed on every miss, and the cache holds the result. Either way
// corrupted bytes are reported before they are used. The index and filter
// are decoded at open and kept in memory.
type table struct {
	num      uint64
	path     string
	data     []byte   // the mapped file; nil when read through the cache
	f        *os.File // the file, when read through the cache
	cache    *blockCache
	typed    bool // format version 2: data blocks carry a storage type
	filter   []byte
	idxKeys  []byte   // concatenated last user keys of each block
	idxEnds  []uint32 // end offset of block i's key in idxKeys
	blocks   []uint64 // off<<32 | len of block i
	verified []atomic.Uint32
	entries  uint64
}

func openTable(path string, num uint64, cache *blockCache) (*table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	t := &table{num: num, path: path, cache: cache}
	if cache != nil {
		t.f = f
	} else {
		defer f.Close()
		if t.data, err = mapFile(f, st.Size()); err != nil {
			return nil, fmt.Errorf("lsm: map %s: %w", path, err)
		}
	}
	if err := t.load(uint64(st.Size())); err != nil {
		t.close()
		return nil, err
	}
	return t, nil
}

func (t *table) corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: sstable %s: %s", ErrCorrupt, t.path, fmt.Sprintf(format, args...))
}

// read returns n bytes at off: a slice of the mapping, or a new buffer.
func (t *table) read(off, n uint64) ([]byte, error) {
	if t.data != nil {
		return t.data[off : off+n], nil
	}
	b := make([]byte, n)
	if _, err := t.f.ReadAt(b, int64(off)); err != nil {
		return nil, fmt.Errorf("lsm: read %s at %d: %w", t.path, off, err)
	}
	return b, nil
}

func (t *table) load(n uint64) error {
	if n < footerLen {
		return t.corrupt("%d bytes is shorter than a footer", n)
	}
	ft, err := t.read(n-footerLen, footerLen)
	if err != nil {
		return err
	}
	switch binary.LittleEndian.Uint64(ft[44:]) {
	case tableMagic:
		t.typed = true
	case tableMagicV1:
	default:
		return t.corrupt("bad magic number")
	}
	if maskCRC(crc32.Checksum(ft[:40], castagnoli)) != binary.LittleEndian.Uint32(ft[40:]) {
		return t.corrupt("footer checksum mismatch")
	}
	var v [5]uint64
	for i := range v {
		v[i] = binary.LittleEndian.Uint64(ft[8*i:])
	}
	fOff, fLen, iOff, iLen := v[0], v[1], v[2], v[3]
	t.entries = v[4]
	if fOff+fLen > n-footerLen || iOff+iLen > n-footerLen || fOff > n || iOff > n {
		return t.corrupt("footer handles out of range")
	}
	if fLen > 0 {
		fb, err := t.read(fOff, fLen)
		if err != nil {
			return err
		}
		if fLen < 4 || maskCRC(crc32.Checksum(fb[:fLen-4], castagnoli)) != binary.LittleEndian.Uint32(fb[fLen-4:]) {
			return t.corrupt("filter block checksum mismatch")
		}
		t.filter = fb[:fLen-4]
	}
	ib, err := t.read(iOff, iLen)
	if err != nil {
		return err
	}
	body, err := checkBlock(ib, "sstable "+t.path+" index")
	if err != nil {
		return err
	}
	var it blockIter
	it.init(body)
	for it.First(); it.valid; it.Next() {
		off, k := binary.Uvarint(it.val)
		ln, k2 := binary.Uvarint(it.val[max(k, 0):])
		if k <= 0 || k2 <= 0 || off+ln > fOff || ln > 1<<31 {
			return t.corrupt("bad index entry")
		}
		t.idxKeys = append(t.idxKeys, it.UKey()...)
		t.idxEnds = append(t.idxEnds, uint32(len(t.idxKeys)))
		t.blocks = append(t.blocks, off<<32|ln)
	}
	if it.err != nil {
		return fmt.Errorf("sstable %s index: %w", t.path, it.err)
	}
	t.verified = make([]atomic.Uint32, (len(t.blocks)+31)/32)
	return nil
}

func (t *table) close() error {
	if t.f != nil {
		return t.f.Close()
	}
	if t.data != nil {
		return unmapFile(t.data)
	}
	return nil
}

func (t *table) idxKey(i int) []byte {
	start := uint32(0)
	if i > 0 {
		start = t.idxEnds[i-1]
	}
	return t.idxKeys[start:t.idxEnds[i]]
}

// findBlock returns the first block whose last key is ≥ ukey, or len(blocks).
func (t *table) findBlock(ukey []byte) int {
	lo, hi := 0, len(t.blocks)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if bytes.Compare(t.idxKey(mid), ukey) < 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// block returns block i's verified, decompressed body.
func (t *table) block(i int) ([]byte, error) {
	if t.cache != nil {
		return t.cachedBlock(i)
	}
	h := t.blocks[i]
	b := t.data[h>>32 : h>>32+h&0xffffffff]
	w, bit := &t.verified[i/32], uint32(1)<<(i%32)
	if w.Load()&bit != 0 {
		if !t.typed {
			return b[:len(b)-blockTrailerLen], nil
		}
		if typ := b[len(b)-blockTrailerLen-1]; typ == blockRaw {
			return b[:len(b)-blockTrailerLen-1], nil
		}
	}
	body, copied, err := t.checkStored(b, i)
	if err != nil {
		return nil, err
	}
	if !copied { // in place: the bit saves checking it again
		w.Or(bit)
	}
	return body, nil
}

// checkStored checks block i as stored and returns its body.
func (t *table) checkStored(b []byte, i int) (body []byte, copied bool, err error) {
	what := fmt.Sprintf("sstable %s block %d", t.path, i)
	if !t.typed {
		body, err = checkBlock(b, what)
		return body, false, err
	}
	return checkTypedBlock(b, what)
}

// cachedBlock serves block i from the cache, reading it on a miss.
func (t *table) cachedBlock(i int) ([]byte, error) {
	key := cacheKey(t.num, i)
	if b, ok := t.cache.get(key); ok {
		return b, nil
	}
	h := t.blocks[i]
	b, err := t.read(h>>32, h&0xffffffff)
	if err != nil {
		return nil, err
	}
	body, _, err := t.checkStored(b, i)
	if err != nil {
		return nil, err
	}
	t.cache.put(key, body)
	return body, nil
}

var blockIterPool = sync.Pool{New: func() any { return new(blockIter) }}

// get looks ukey up. consulted is false when the filter ruled the table out.
func (t *table) get(ukey []byte, hash uint64) (value []byte, k kind, found, consulted bool, err error) {
	if t.filter != nil && !bloomMayContain(t.filter, hash) {
		return nil, 0, false, false, nil
	}
	i := t.findBlock(ukey)
	if i == len(t.blocks) {
		return nil, 0, false, true, nil
	}
	body, err := t.block(i)
	if err != nil {
		return nil, 0, false, true, err
	}
	it := blockIterPool.Get().(*blockIter)
	defer blockIterPool.Put(it)
	it.init(body)
	it.SeekGE(ukey)
	if it.err != nil {
		return nil, 0, false, true, fmt.Errorf("sstable %s: %w", t.path, it.err)
	}
	if !it.valid || !bytes.Equal(it.UKey(), ukey) {
		return nil, 0, false, true, nil
	}
	return it.val, trailerKind(it.Trailer()), true, true, nil
}

// tableIter walks a table block by block.
type tableIter struct {
	t   *table
	blk int
	bi  blockIter
	err error
}

func (it *tableIter) load(i int) {
	it.blk = i
	it.bi.valid = false
	if i >= len(it.t.blocks) || it.err != nil {
		return
	}
	body, err := it.t.block(i)
	if err != nil {
		it.err = err
		return
	}
	it.bi.init(body)
}

func (it *tableIter) settle() {
	for !it.bi.valid && it.err == nil && it.bi.err == nil && it.blk+1 < len(it.t.blocks) {
		it.load(it.blk + 1)
		if it.err == nil {
			it.bi.First()
		}
	}
}

func (it *tableIter) First() {
	it.load(0)
	if it.blk < len(it.t.blocks) && it.err == nil {
		it.bi.First()
	}
	it.settle()
}

func (it *tableIter) SeekGE(ukey []byte) {
	it.load(it.t.findBlock(ukey))
	if it.blk < len(it.t.blocks) && it.err == nil {
		it.bi.SeekGE(ukey)
	}
	it.settle()
}

func (it *tableIter) Next() { it.bi.Next(); it.settle() }

func (it *tableIter) Valid() bool     { return it.err == nil && it.bi.err == nil && it.bi.valid }
func (it *tableIter) Key() []byte     { return it.bi.UKey() }
func (it *tableIter) Trailer() uint64 { return it.bi.Trailer() }
func (it *tableIter) Value() []byte   { return it.bi.val }
func (it *tableIter) Close() error    { return nil }
func (it *tableIter) Err() error {
	if it.err != nil {
		return it.err
	}
	if it.bi.err != nil {
		return fmt.Errorf("sstable %s: %w", it.t.path, it.bi.err)
	}
	return nil
}
