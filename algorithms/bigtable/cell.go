package bigtable

import (
	"bytes"
	"encoding/binary"
	"time"

	"github.com/dsbench/dsbench/algorithms/storage"
)

// The data model (Bigtable §2): a row holds cells named family:qualifier,
// each with timestamped versions. A cell version is one LSM entry in the
// row's tablet, under the key
//
//	row (RowLen bytes) | family (1 byte) | qualifier (1 byte) | ^timestamp (8 bytes, big-endian)
//
// so a row's cells are contiguous, a column's versions are adjacent, and the
// newest version of a column comes first (the timestamp is inverted, as
// Bigtable stores versions "in decreasing timestamp order, so that the most
// recent versions can be read first").

// RowLen is the length of a row key (the storage adapter's 16-byte keys).
const RowLen = storage.KeyLen

// CellKeyLen is the length of a cell version's key in a tablet's LSM.
const CellKeyLen = RowLen + 2 + 8

const colLen = RowLen + 2 // row | family | qualifier: one column of one row

// Family is one column family's garbage-collection rule (Bigtable §2
// "Timestamps"): keep only the newest MaxVersions versions of each cell
// (0: all), and only versions younger than TTL (0: forever). A version that
// breaks either rule is invisible to reads at once and dropped at the
// tablet's next major compaction.
type Family struct {
	MaxVersions int
	TTL         time.Duration
}

// CellKey writes the key of (row, family, qualifier, ts) into dst
// (CellKeyLen bytes) and returns it.
func CellKey(dst, row []byte, family, qualifier int, ts int64) []byte {
	dst = dst[:CellKeyLen]
	copy(dst, row[:RowLen])
	dst[RowLen] = byte(family)
	dst[RowLen+1] = byte(qualifier)
	binary.BigEndian.PutUint64(dst[colLen:], ^uint64(ts))
	return dst
}

// cellTS is the timestamp of a cell key.
func cellTS(k []byte) int64 { return int64(^binary.BigEndian.Uint64(k[colLen:])) }

// Filter selects what a read or a scan returns (Bigtable's column filters):
// one family or all, one qualifier or all, and up to Versions visible
// versions of each column, newest first.
type Filter struct {
	Family    int // -1: every family
	Qualifier int // -1: every qualifier
	Versions  int // versions per column, newest first (<= 0: the newest only)
}

// NewestOf is the filter reading the newest version of every column of one
// family (family -1: of every family).
func NewestOf(family int) Filter { return Filter{Family: family, Qualifier: -1, Versions: 1} }

func (f Filter) match(k []byte) bool {
	return (f.Family < 0 || int(k[RowLen]) == f.Family) && (f.Qualifier < 0 || int(k[RowLen+1]) == f.Qualifier)
}

// Cell is one version handed to a reader; the slices are valid only during
// the callback.
type Cell struct {
	Row       []byte
	Family    int
	Qualifier int
	TS        int64 // microseconds
	Value     []byte
}

// gcRule walks cell keys in tablet order and tells which versions the
// families' rules keep: the n-th newest version of a column is kept while
// n <= MaxVersions and it is not older than the TTL at now (µs). Versions
// are ranked among those still stored: a dropped version is always older
// than every kept one of its column, so ranks of the kept ones never change.
type gcRule struct {
	fams []Family
	now  int64
	col  [colLen]byte
	n    int
	has  bool
}

func (g *gcRule) reset(fams []Family, now int64) { *g = gcRule{fams: fams, now: now} }

// rank returns the version's rank in its column (1 = newest) and whether
// the families' rules keep it. Keys must come in tablet order.
func (g *gcRule) rank(k []byte) (int, bool) {
	if len(k) != CellKeyLen {
		return 1, true
	}
	if !g.has || !bytes.Equal(g.col[:], k[:colLen]) {
		copy(g.col[:], k[:colLen])
		g.n, g.has = 0, true
	}
	g.n++
	f := int(k[RowLen])
	if f >= len(g.fams) {
		return g.n, true
	}
	fam := g.fams[f]
	if fam.MaxVersions > 0 && g.n > fam.MaxVersions {
		return g.n, false
	}
	if fam.TTL > 0 && g.now-cellTS(k) > fam.TTL.Microseconds() {
		return g.n, false
	}
	return g.n, true
}

// cellMode reports whether the table stores cells (Options.Families set)
// rather than plain keys.
func (t *Table) cellMode() bool { return len(t.opts.Families) > 0 }

// cellReader runs one read or one tablet's part of a scan: its state lives
// in the client, and its step is bound once, so a read allocates nothing.
type cellReader struct {
	f        Filter
	want     int
	g        gcRule
	fn       func(Cell) bool
	scan     bool   // a scan (else a read of row)
	row      []byte // a read's row
	end, to  []byte // a scan stops at the tablet's end and at to (nil: none)
	limit    int    // a scan's row limit (<= 0: none)
	rows, n  int    // rows and versions visited
	stopped  bool   // fn asked to stop
	last     [RowLen]byte
	haveLast bool
	start    [CellKeyLen]byte
	step     func(k, v []byte) bool // r.visit, bound once
}

func (r *cellReader) init() { r.step = r.visit }

// read visits the visible versions of row in tab that f selects, in cell
// order, until fn returns false. tab.mu must be read-held.
func (r *cellReader) read(t *Table, tab *tablet, row []byte, f Filter, now int64, fn func(Cell) bool) error {
	r.begin(t, f, now, fn)
	r.row = row[:RowLen]
	r.start = [CellKeyLen]byte{}
	copy(r.start[:], row[:RowLen])
	if f.Family >= 0 {
		r.start[RowLen] = byte(f.Family)
		if f.Qualifier >= 0 {
			r.start[RowLen+1] = byte(f.Qualifier)
		}
	}
	return tab.db.Scan(r.start[:colLen], 0, r.step)
}

// scanTablet visits the visible versions f selects of tab's rows in
// [from, to) (to nil: to the tablet's end), up to limit rows (<= 0: no
// limit), counting rows with at least one selected version. tab.mu must be
// read-held.
func (r *cellReader) scanTablet(t *Table, tab *tablet, from, to []byte, limit int, f Filter, now int64, fn func(Cell) bool) error {
	r.begin(t, f, now, fn)
	r.scan, r.end, r.to, r.limit = true, tab.end, to, limit
	if bytes.Compare(from, tab.start) < 0 {
		from = tab.start
	}
	return tab.db.Scan(from, 0, r.step)
}

func (r *cellReader) begin(t *Table, f Filter, now int64, fn func(Cell) bool) {
	r.f, r.want, r.fn = f, max(f.Versions, 1), fn
	r.g.reset(t.opts.Families, now)
	r.scan, r.row, r.end, r.to, r.limit = false, nil, nil, nil, 0
	r.rows, r.n, r.stopped, r.haveLast = 0, 0, false, false
}

func (r *cellReader) visit(k, v []byte) bool {
	if r.scan {
		if (r.end != nil && bytes.Compare(k, r.end) >= 0) || (r.to != nil && bytes.Compare(k, r.to) >= 0) {
			return false
		}
		if len(k) != CellKeyLen {
			return true
		}
	} else {
		if len(k) != CellKeyLen || !bytes.Equal(k[:RowLen], r.row) {
			return false
		}
		if r.f.Family >= 0 && int(k[RowLen]) > r.f.Family {
			return false
		}
	}
	rank, keep := r.g.rank(k)
	if !keep || rank > r.want || !r.f.match(k) {
		return true
	}
	if r.scan && (!r.haveLast || !bytes.Equal(r.last[:], k[:RowLen])) {
		if r.limit > 0 && r.rows == r.limit {
			return false
		}
		copy(r.last[:], k[:RowLen])
		r.haveLast = true
		r.rows++
	}
	r.n++
	if !r.fn(Cell{Row: k[:RowLen], Family: int(k[RowLen]), Qualifier: int(k[RowLen+1]), TS: cellTS(k), Value: v}) {
		r.stopped = true
		return false
	}
	return true
}
