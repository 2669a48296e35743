package bigtable

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms/lsm"
	"github.com/dsbench/dsbench/algorithms/storage"
)

// refModel is the reference for the data model: every version ever written
// to every column (row, family, qualifier), oldest first, with the GC rule
// applied by its definition at read time.
type refModel struct {
	fams    []Family
	cols    map[[colLen]byte][]refVersion
	written int
	sorted  [][colLen]byte // cache of sortedCols(nil); nil when stale
}

type refVersion struct {
	ts  int64
	val string
}

func newRef(fams []Family) *refModel {
	return &refModel{fams: fams, cols: map[[colLen]byte][]refVersion{}}
}

func colOf(row []byte, f, q int) [colLen]byte {
	var c [colLen]byte
	copy(c[:], row)
	c[RowLen], c[RowLen+1] = byte(f), byte(q)
	return c
}

func (m *refModel) write(row []byte, f, q int, ts int64, val string) {
	c := colOf(row, f, q)
	if len(m.cols[c]) == 0 {
		m.sorted = nil
	}
	m.cols[c] = append(m.cols[c], refVersion{ts, val})
	m.written++
}

func (m *refModel) deleteRow(row []byte) {
	for c := range m.cols {
		if bytes.Equal(c[:RowLen], row) {
			delete(m.cols, c)
			m.sorted = nil
		}
	}
}

// visible returns c's versions the rule keeps at now, newest first: the
// newest MaxVersions, and none older than TTL.
func (m *refModel) visible(c [colLen]byte, now int64) []refVersion {
	vs := m.cols[c]
	fam := m.fams[c[RowLen]]
	var out []refVersion
	for i := len(vs) - 1; i >= 0; i-- {
		rank := len(vs) - i
		if fam.MaxVersions > 0 && rank > fam.MaxVersions {
			break
		}
		if fam.TTL > 0 && now-vs[i].ts > fam.TTL.Microseconds() {
			break
		}
		out = append(out, vs[i])
	}
	return out
}

func (m *refModel) sortedCols(rowOnly []byte) [][colLen]byte {
	cs := make([][colLen]byte, 0, len(m.cols))
	if rowOnly != nil {
		for f := range m.fams {
			for q := 0; q < 256; q++ {
				if c := colOf(rowOnly, f, q); len(m.cols[c]) > 0 {
					cs = append(cs, c)
				}
			}
		}
		return cs
	}
	if m.sorted != nil {
		return m.sorted
	}
	for c := range m.cols {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool { return bytes.Compare(cs[i][:], cs[j][:]) < 0 })
	m.sorted = cs
	return cs
}

func fmtCell(row []byte, f, q int, ts int64, val string) string {
	id, _ := storage.DecodeKey(row)
	return fmt.Sprintf("%d/f%d:c%d@%d=%s", id, f, q, ts, val)
}

// expect is what a scan of [start, end) with filter f and a row limit must
// return, by brute force over every column.
func (m *refModel) expect(start, end []byte, limit int, f Filter, now int64) []string {
	return m.expectIn(m.sortedCols(nil), start, end, limit, f, now)
}

// expectRow is what a read of row with filter f must return.
func (m *refModel) expectRow(row []byte, f Filter, now int64) []string {
	return m.expectIn(m.sortedCols(row), row, nil, 0, f, now)
}

func (m *refModel) expectIn(cols [][colLen]byte, start, end []byte, limit int, f Filter, now int64) []string {
	var out []string
	rows := 0
	var last []byte
	for _, c := range cols {
		row := c[:RowLen]
		if bytes.Compare(row, start) < 0 || (end != nil && bytes.Compare(row, end) >= 0) {
			continue
		}
		if (f.Family >= 0 && int(c[RowLen]) != f.Family) || (f.Qualifier >= 0 && int(c[RowLen+1]) != f.Qualifier) {
			continue
		}
		vs := m.visible(c, now)
		if len(vs) > max(f.Versions, 1) {
			vs = vs[:max(f.Versions, 1)]
		}
		if len(vs) == 0 {
			continue
		}
		if last == nil || !bytes.Equal(last, row) {
			if limit > 0 && rows == limit {
				break
			}
			rows++
			last = slices.Clone(row)
		}
		for _, v := range vs {
			out = append(out, fmtCell(row, int(c[RowLen]), int(c[RowLen+1]), v.ts, v.val))
		}
	}
	return out
}

type testClock struct{ us atomic.Int64 }

func (c *testClock) now() int64              { return c.us.Load() }
func (c *testClock) advance(d time.Duration) { c.us.Add(d.Microseconds()) }

func openCells(t *testing.T, servers int, split, major int64, fams []Family, clk *testClock, tweak func(*Options)) *Table {
	t.Helper()
	o := Options{Dir: t.TempDir(), Servers: servers, SplitBytes: split, MajorBytes: major,
		Open:     LSMOpener(lsm.Options{MemtableBytes: 8 << 10, BloomBitsPerKey: 10}),
		Families: fams, MetaRows: 4, Clock: clk.now, Lease: 100 * time.Millisecond}
	if tweak != nil {
		tweak(&o)
	}
	tb, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tb.Close() })
	return tb
}

var testFams = []Family{
	{MaxVersions: 2},
	{TTL: 40 * time.Millisecond},
	{MaxVersions: 3, TTL: 200 * time.Millisecond},
	{},
}

// TestVersionGCAgainstReference runs random mutations, reads and scans with
// random filters against the reference model while tablets split, move and
// major-compact and the clock advances past TTLs: every read and scan
// returns exactly the reference's visible versions. Without row deletions,
// a final major compaction of every tablet leaves exactly the reference's
// visible versions stored, and versions_gcd counts exactly the others.
func TestVersionGCAgainstReference(t *testing.T) {
	for _, deletes := range []bool{true, false} {
		t.Run(fmt.Sprintf("deletes=%v", deletes), func(t *testing.T) {
			t.Parallel()
			clk := &testClock{}
			tb := openCells(t, 3, 12<<10, 5<<10, testFams, clk, nil)
			ref := newRef(testFams)
			c := tb.NewClient(true)
			r := rand.New(rand.NewPCG(3, 4))
			var rb [RowLen]byte
			const rows, cols = 150, 3
			for i := 0; i < 6000; i++ {
				clk.advance(time.Duration(r.IntN(2000)) * time.Microsecond)
				tb.Tick()
				row := storage.EncodeKey(rb[:], r.Uint64N(rows))
				switch x := r.IntN(20); {
				case x < 11:
					f, q := r.IntN(len(testFams)), r.IntN(cols)
					val := fmt.Sprintf("v%d-%s", i, strings.Repeat("x", r.IntN(40)))
					ts, _, err := c.Write(row, f, q, []byte(val))
					if err != nil {
						t.Fatal(err)
					}
					ref.write(row, f, q, ts, val)
				case x < 12 && deletes:
					if _, err := c.DeleteRow(row); err != nil {
						t.Fatal(err)
					}
					ref.deleteRow(row)
				case x < 17:
					f := Filter{Family: r.IntN(len(testFams)+1) - 1, Qualifier: r.IntN(cols+1) - 1, Versions: r.IntN(5)}
					var got []string
					_, _, err := c.Read(row, f, func(cl Cell) bool {
						got = append(got, fmtCell(cl.Row, cl.Family, cl.Qualifier, cl.TS, string(cl.Value)))
						return true
					})
					if err != nil {
						t.Fatal(err)
					}
					if want := ref.expectRow(row, f, clk.now()); !slices.Equal(got, want) {
						t.Fatalf("op %d: read %+v:\n got %v\nwant %v", i, f, got, want)
					}
				default:
					checkScan(t, c, ref, r, clk.now(), rows, cols)
				}
			}
			for k := 0; k < 20; k++ {
				checkScan(t, c, ref, r, clk.now(), rows, cols)
			}
			m := tb.Metrics()
			if m["splits"] < 3 || m["major_compactions"] < 5 || m["versions_gcd"] < 100 {
				t.Fatalf("the test did not exercise splits, compactions and GC: %v", m)
			}
			if deletes {
				return
			}
			clk.advance(time.Millisecond)
			if err := tb.CompactAll(); err != nil {
				t.Fatal(err)
			}
			now := clk.now()
			visible := 0
			for col := range ref.cols {
				visible += len(ref.visible(col, now))
			}
			stored := 0
			if err := tb.Scan(nil, 0, func(k, v []byte) bool { stored++; return true }); err != nil {
				t.Fatal(err)
			}
			gcd := int(tb.Metrics()["versions_gcd"])
			if stored != visible || gcd != ref.written-visible {
				t.Fatalf("after compacting everything: %d versions stored, reference keeps %d; versions_gcd=%d, want %d written - %d kept = %d",
					stored, visible, gcd, ref.written, visible, ref.written-visible)
			}
		})
	}
}

// checkScan compares a random row-range scan with a random column filter
// and row limit with brute force over the reference.
func checkScan(t *testing.T, c *Client, ref *refModel, r *rand.Rand, now int64, rows, cols int) {
	t.Helper()
	var sb, eb [RowLen]byte
	a := r.Uint64N(uint64(rows) + 5)
	start := storage.EncodeKey(sb[:], a)
	var end []byte
	if r.IntN(4) > 0 {
		end = storage.EncodeKey(eb[:], a+r.Uint64N(uint64(rows)))
	}
	limit := r.IntN(30)
	f := Filter{Family: r.IntN(len(ref.fams)+1) - 1, Qualifier: r.IntN(cols+1) - 1, Versions: r.IntN(4)}
	var got []string
	n, _, err := c.Scan(start, end, limit, f, func(cl Cell) bool {
		got = append(got, fmtCell(cl.Row, cl.Family, cl.Qualifier, cl.TS, string(cl.Value)))
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	want := ref.expect(start, end, limit, f, now)
	if !slices.Equal(got, want) {
		t.Fatalf("scan [%d, %x) limit %d %+v: %d rows\n got %v\nwant %v", a, end, limit, f, n, got, want)
	}
}
