package bigtable

import (
	"bytes"
	"sort"
)

// The location hierarchy (Bigtable §5.1): a lock-service file names the
// server of the root tablet; the root tablet holds the location of every
// METADATA tablet and never splits; each METADATA tablet holds the
// locations of a contiguous run of user tablets, and splits past MetaRows
// of them. Here a METADATA tablet is a row range [start, end) of the user
// table: it holds one location row per user tablet inside that range (user
// tablets only split, so the range stays a union of whole user tablets).
// Its rows are the tablet map itself, read under the table's lock: only
// the round trips of a lookup are modelled, not the METADATA rows' storage.

// rootID is the root tablet's id; METADATA tablets take ids from metaBase.
const (
	rootID   = -1
	metaBase = 1 << 30
)

// metaTablet is a METADATA tablet.
type metaTablet struct {
	id         int
	start, end []byte
	server     int
}

func (m *metaTablet) contains(row []byte) bool {
	return bytes.Compare(row, m.start) >= 0 && (m.end == nil || bytes.Compare(row, m.end) < 0)
}

// metaIndex is the position of the METADATA tablet holding row. t.mu held.
func (t *Table) metaIndex(row []byte) int {
	return sort.Search(len(t.meta), func(i int) bool { return bytes.Compare(t.meta[i].start, row) > 0 }) - 1
}

// metaRows counts the location rows of m (the user tablets inside it) and
// returns the index of its first one. t.mu held.
func (t *Table) metaRows(m *metaTablet) (first, n int) {
	first = t.index(m.start)
	for i := first; i < len(t.tablets) && m.contains(t.tablets[i].start); i++ {
		n++
	}
	return first, n
}

// splitMeta splits the METADATA tablet holding row if it holds more than
// MetaRows locations; the new one goes to the server with the fewest
// tablets. t.mu write-held.
func (t *Table) splitMeta(row []byte) {
	i := t.metaIndex(row)
	m := t.meta[i]
	first, n := t.metaRows(m)
	if n <= t.opts.MetaRows {
		return
	}
	mid := t.tablets[first+n/2].start
	nm := &metaTablet{id: t.nextMeta, start: mid, end: m.end, server: -1}
	t.nextMeta++
	m.end = mid
	on := m.server // no master acting: it stays where its parent is
	if t.masterActive() {
		on = t.leastLoaded()
	}
	t.assign(nm.id, &nm.server, on, false)
	t.meta = append(t.meta, nil)
	copy(t.meta[i+2:], t.meta[i+1:])
	t.meta[i+1] = nm
	t.metaByID[nm.id] = nm
	t.metaSplits.Add(1)
}

// loc is one location: a tablet's id, row range and server, as a lookup
// returns it and a client caches it.
type loc struct {
	start, end []byte
	id, server int
}

func (l *loc) contains(row []byte) bool {
	return bytes.Compare(row, l.start) >= 0 && (l.end == nil || bytes.Compare(row, l.end) < 0)
}

// rootLookup is the root tablet answering at server s: the location of the
// METADATA tablet holding row, if s serves the root.
func (t *Table) rootLookup(s int, row []byte) (loc, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if !t.serves(s, rootID, t.now()) {
		return loc{}, false
	}
	m := t.meta[t.metaIndex(row)]
	return loc{start: m.start, end: m.end, id: m.id, server: m.server}, true
}

// metaLookup is METADATA tablet at.id answering at at.server: the location
// of the user tablet holding row, if that server serves it and it still
// holds row's location.
func (t *Table) metaLookup(at loc, row []byte) (loc, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	m := t.metaByID[at.id]
	if m == nil || !m.contains(row) || !t.serves(at.server, at.id, t.now()) {
		return loc{}, false
	}
	tab := t.locate(row)
	return loc{start: tab.start, end: tab.end, id: tab.id, server: tab.server}, true
}

// rootFile reads the lock-service file naming the root tablet's server.
func (t *Table) rootFile() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.rootServer
}

// locCache is a client's cache of locations: non-overlapping row ranges in
// order.
type locCache struct{ ents, spare []loc }

func (c *locCache) find(row []byte) int {
	i := sort.Search(len(c.ents), func(i int) bool { return bytes.Compare(c.ents[i].start, row) > 0 }) - 1
	if i >= 0 && c.ents[i].contains(row) {
		return i
	}
	return -1
}

// insert caches e, trimming the parts of cached locations it overlaps, and
// returns its position.
func (c *locCache) insert(e loc) int {
	out := c.spare[:0]
	at := -1
	for _, x := range c.ents {
		overlaps := (e.end == nil || bytes.Compare(x.start, e.end) < 0) && (x.end == nil || bytes.Compare(e.start, x.end) < 0)
		if !overlaps {
			if at < 0 && bytes.Compare(x.start, e.start) > 0 {
				at = len(out)
				out = append(out, e)
			}
			out = append(out, x)
			continue
		}
		if bytes.Compare(x.start, e.start) < 0 {
			out = append(out, loc{start: x.start, end: e.start, id: x.id, server: x.server})
		}
		if at < 0 {
			at = len(out)
			out = append(out, e)
		}
		if e.end != nil && (x.end == nil || bytes.Compare(x.end, e.end) > 0) {
			out = append(out, loc{start: e.end, end: x.end, id: x.id, server: x.server})
		}
	}
	if at < 0 {
		at = len(out)
		out = append(out, e)
	}
	c.spare, c.ents = c.ents[:0], out
	return at
}

// dropID forgets every cached range of tablet id.
func (c *locCache) dropID(id int) {
	out := c.ents[:0]
	for _, x := range c.ents {
		if x.id != id {
			out = append(out, x)
		}
	}
	c.ents = out
}

func (c *locCache) reset() { c.ents = c.ents[:0] }
