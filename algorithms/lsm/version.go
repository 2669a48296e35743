package lsm

import (
	"bytes"
	"sync/atomic"
)

// fileMeta is one live SSTable. refs counts the versions holding it; when the
// last one lets go, the table is unmapped and, unless the DB is closing,
// deleted: a compaction's inputs disappear only once no reader uses them.
type fileMeta struct {
	num      uint64
	size     int64
	smallest []byte
	largest  []byte
	t        *table
	refs     atomic.Int32
}

func (f *fileMeta) overlaps(lo, hi []byte) bool {
	return bytes.Compare(f.largest, lo) >= 0 && bytes.Compare(f.smallest, hi) <= 0
}

func (f *fileMeta) contains(k []byte) bool { return f.overlaps(k, k) }

// version is an immutable snapshot of the live files. Reads search, newest
// first: l0 (each file may overlap the others), then levels in order. Under
// leveled compaction levels[i] is L(i+1), sorted by key and non-overlapping;
// under tiered compaction l0 is empty and levels are the sorted runs, newest
// first. Either way the first hit is the newest version of a key.
type version struct {
	l0     []*fileMeta
	levels [][]*fileMeta
	refs   atomic.Int32
}

func (v *version) files(fn func(*fileMeta)) {
	for _, f := range v.l0 {
		fn(f)
	}
	for _, lv := range v.levels {
		for _, f := range lv {
			fn(f)
		}
	}
}

// clone returns a copy sharing the file metadata, with its own slices.
func (v *version) clone() *version {
	nv := &version{l0: append([]*fileMeta(nil), v.l0...), levels: make([][]*fileMeta, len(v.levels))}
	for i, lv := range v.levels {
		nv.levels[i] = append([]*fileMeta(nil), lv...)
	}
	return nv
}

// findFile returns the file of a sorted run that may hold k, or nil.
func findFile(run []*fileMeta, k []byte) *fileMeta {
	lo, hi := 0, len(run)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if bytes.Compare(run[mid].largest, k) < 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(run) && bytes.Compare(run[lo].smallest, k) <= 0 {
		return run[lo]
	}
	return nil
}

func runBytes(run []*fileMeta) int64 {
	var n int64
	for _, f := range run {
		n += f.size
	}
	return n
}

func (v *version) totalBytes() int64 {
	n := runBytes(v.l0)
	for _, lv := range v.levels {
		n += runBytes(lv)
	}
	return n
}

func (v *version) fileCount() int {
	n := 0
	v.files(func(*fileMeta) { n++ })
	return n
}
