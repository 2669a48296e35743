package bigtable

import (
	"bytes"
	"errors"
	"sync/atomic"
	"time"
)

// ErrUnavailable is the error of an op no server would serve within the
// client's retries: its tablet's server lost its lock and the master had not
// yet reassigned the tablet (or no live server is left).
var ErrUnavailable = errors.New("bigtable: tablet unavailable (its server lost its lock and the tablet is not reassigned yet)")

// Client is one client library instance (Bigtable §5.1): it finds tablets
// through the location hierarchy and caches what it learns. Every request
// to a server — a data op, and each level of a lookup — is one round trip,
// for which the client waits RTT. A cached location proves stale only when
// the server named by it refuses the request (the tablet moved, split off
// the row, or the server lost its lock); the client then drops it and looks
// the row up again. A Client is used by one goroutine at a time.
type Client struct {
	t                *Table
	cache, metaCache locCache
	rootKnown        bool
	rootServer       int
	noCache          bool
	key              [CellKeyLen]byte // a write's cell key
	rd               cellReader

	// Counters (read by Metrics from another goroutine).
	ops         atomic.Int64 // data ops served
	lookups     atomic.Int64 // lookup round trips: lock-service file, root, METADATA
	misses      atomic.Int64 // data ops whose row's location was not (validly) cached
	stale       atomic.Int64 // data requests refused by the server a cached location named
	staleMeta   atomic.Int64 // lookups refused by the server a cached root or METADATA location named
	unavailable atomic.Int64 // ops that failed with ErrUnavailable
	waits       atomic.Int64 // backoffs: a refused request retried after Backoff
}

// NewClient returns a client with an empty location cache; cache false
// makes it forget every location before each op (location_cache=false).
func (t *Table) NewClient(cache bool) *Client {
	c := &Client{t: t, noCache: !cache}
	c.rd.init()
	t.cmu.Lock()
	t.clients = append(t.clients, c)
	t.cmu.Unlock()
	return c
}

// roundTrip is one request's network round trip.
func (c *Client) roundTrip() {
	if d := c.t.opts.RTT; d > 0 {
		time.Sleep(d)
	}
}

func (c *Client) lookupTrip() {
	c.lookups.Add(1)
	c.roundTrip()
}

func (c *Client) backoff() {
	c.waits.Add(1)
	if d := c.t.opts.Backoff; d > 0 {
		time.Sleep(d)
	}
}

// locate returns row's location from the cache or by a lookup: from a
// cached METADATA location (one round trip), else through the root (two),
// else first reading the lock-service file that names the root's server
// (three, as the paper's empty cache).
func (c *Client) locate(row []byte) (loc, error) {
	if c.noCache {
		c.cache.reset()
		c.metaCache.reset()
		c.rootKnown = false
	}
	if i := c.cache.find(row); i >= 0 {
		return c.cache.ents[i], nil
	}
	c.misses.Add(1)
	t := c.t
	for attempt := 0; attempt < t.opts.Retries; attempt++ {
		if attempt > 0 {
			c.backoff()
		}
		j := c.metaCache.find(row)
		if j < 0 {
			if !c.rootKnown {
				c.lookupTrip()
				c.rootServer, c.rootKnown = t.rootFile(), true
			}
			c.lookupTrip()
			m, ok := t.rootLookup(c.rootServer, row)
			if !ok {
				c.staleMeta.Add(1)
				c.rootKnown = false
				continue
			}
			j = c.metaCache.insert(m)
		}
		me := c.metaCache.ents[j]
		c.lookupTrip()
		u, ok := t.metaLookup(me, row)
		if !ok {
			c.staleMeta.Add(1)
			c.metaCache.dropID(me.id)
			continue
		}
		c.cache.insert(u)
		return u, nil
	}
	return loc{}, ErrUnavailable
}

// serve sends a request for row to the server its location names and runs
// fn there if that server serves the tablet holding row, retrying through
// fresh lookups otherwise. It returns the server that served it.
// write marks a mutation: the tablet may split or major-compact after it.
func (c *Client) serve(row []byte, write bool, fn func(tab *tablet, now int64) (int64, error)) (int, error) {
	t := c.t
	for attempt := 0; ; attempt++ {
		e, err := c.locate(row)
		if err != nil {
			c.unavailable.Add(1)
			return -1, err
		}
		c.roundTrip()
		t.mu.RLock()
		now := t.now()
		tab := t.byID[e.id]
		if tab == nil || !tab.contains(row) || !t.serves(e.server, e.id, now) || tab.recovering.Load() {
			t.mu.RUnlock()
			c.stale.Add(1)
			c.cache.dropID(e.id)
			if attempt+1 >= t.opts.Retries {
				c.unavailable.Add(1)
				return -1, ErrUnavailable
			}
			if attempt > 0 {
				c.backoff()
			}
			continue
		}
		t.serverOps[e.server].Add(1)
		t.recordServe(e.server, now)
		c.ops.Add(1)
		if !write {
			tab.mu.RLock()
			_, err = fn(tab, now)
			tab.mu.RUnlock()
			t.mu.RUnlock()
			return e.server, err
		}
		needSplit, err := t.writeTo(tab, func() (int64, error) { return fn(tab, now) })
		t.mu.RUnlock()
		if err == nil && needSplit {
			err = t.split(tab)
		}
		return e.server, err
	}
}

// Write writes value as a new version of row's cell family:qualifier,
// timestamped by the table's clock, and returns the timestamp (µs).
func (c *Client) Write(row []byte, family, qualifier int, value []byte) (int64, int, error) {
	var ts int64
	s, err := c.serve(row, true, func(tab *tablet, _ int64) (int64, error) {
		ts = c.t.stamp()
		k := CellKey(c.key[:], row, family, qualifier, ts)
		return int64(len(k) + len(value)), tab.db.Put(k, value)
	})
	return ts, s, err
}

// DeleteRow deletes every version of every cell of row.
func (c *Client) DeleteRow(row []byte) (int, error) {
	return c.serve(row, true, func(tab *tablet, _ int64) (int64, error) {
		var keys [][]byte
		err := tab.db.Scan(row[:RowLen], 0, func(k, _ []byte) bool {
			if !bytes.Equal(k[:min(len(k), RowLen)], row[:RowLen]) {
				return false
			}
			keys = append(keys, bytes.Clone(k))
			return true
		})
		var n int64
		for _, k := range keys {
			if err == nil {
				err = tab.db.Delete(k)
				n += int64(len(k))
			}
		}
		return n, err
	})
}

// Read visits the visible versions of row that f selects.
func (c *Client) Read(row []byte, f Filter, fn func(Cell) bool) (n int, server int, err error) {
	server, err = c.serve(row, false, func(tab *tablet, now int64) (int64, error) {
		err := c.rd.read(c.t, tab, row, f, now, fn)
		n = c.rd.n
		return 0, err
	})
	return n, server, err
}

// Scan visits the visible versions f selects of up to limit rows (<= 0: no
// limit) in [start, end) (end nil: to the last row), tablet by tablet, each
// tablet one request. It returns the rows visited and the server of the
// first tablet.
func (c *Client) Scan(start, end []byte, limit int, f Filter, fn func(Cell) bool) (rows, first int, err error) {
	first = -1
	from := start
	for {
		var next []byte
		var n int
		var stopped bool
		s, err := c.serve(from, false, func(tab *tablet, now int64) (int64, error) {
			left := 0
			if limit > 0 {
				left = limit - rows
			}
			err := c.rd.scanTablet(c.t, tab, from, end, left, f, now, fn)
			n, stopped, next = c.rd.rows, c.rd.stopped, tab.end
			return 0, err
		})
		if first < 0 {
			first = s
		}
		rows += n
		if err != nil || stopped || next == nil || (limit > 0 && rows >= limit) || (end != nil && bytes.Compare(next, end) >= 0) {
			return rows, first, err
		}
		from = next
	}
}
