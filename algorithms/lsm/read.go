package lsm

import (
	"bytes"
	"sync"
)

// Get appends the value of key to buf. found is false if the key is absent
// or deleted. It searches the memtable, the immutable memtable, then the
// tables newest first, and stops at the first version it meets.
func (db *DB) Get(key []byte, buf []byte) ([]byte, bool, error) {
	if db.closed.Load() {
		return buf, false, ErrClosed
	}
	mem, imm, v := db.readState()
	defer db.unrefVersion(v)
	db.st.gets.Add(1)
	for _, m := range [2]*skiplist{mem, imm} {
		if m == nil {
			continue
		}
		if val, k, ok := m.get(key); ok {
			if k == kindDelete {
				return buf, false, nil
			}
			return append(buf, val...), true, nil
		}
	}
	var g getter
	g.key, g.hash = key, bloomHash(key)
	defer g.record(&db.st)
	for _, f := range v.l0 {
		if f.contains(key) {
			if done := g.probe(f); done {
				return g.result(buf)
			}
		}
	}
	for _, run := range v.levels {
		if f := findFile(run, key); f != nil {
			if done := g.probe(f); done {
				return g.result(buf)
			}
		}
	}
	return buf, false, nil
}

// getter carries one lookup through the tables and tallies what it cost.
type getter struct {
	key                           []byte
	hash                          uint64
	val                           []byte
	k                             kind
	err                           error
	consulted, neg, truePos, fpos int64
}

func (g *getter) probe(f *fileMeta) bool {
	val, k, found, consulted, err := f.t.get(g.key, g.hash)
	switch {
	case !consulted:
		g.neg++
		return false
	case err != nil:
		g.consulted++
		g.err = err
		return true
	case found:
		g.consulted++
		g.truePos++
		g.val, g.k = val, k
		return true
	}
	g.consulted++
	g.fpos++
	return false
}

func (g *getter) result(buf []byte) ([]byte, bool, error) {
	if g.err != nil {
		return buf, false, g.err
	}
	if g.k == kindDelete {
		return buf, false, nil
	}
	return append(buf, g.val...), true, nil
}

func (g *getter) record(c *counters) {
	if g.consulted > 0 {
		c.filesConsulted.Add(g.consulted)
	}
	if g.neg > 0 {
		c.bloomNeg.Add(g.neg)
	}
	if g.truePos > 0 {
		c.bloomTruePos.Add(g.truePos)
	}
	if g.fpos > 0 {
		c.bloomFalsePos.Add(g.fpos)
	}
}

// scanState holds the iterators of one scan; it is pooled so that a scan
// allocates nothing once the pool is warm.
type scanState struct {
	skips  [2]skipIter
	tables []tableIter
	levels []levelIter
	merge  mergeIter
	prev   []byte
}

var scanPool = sync.Pool{New: func() any { return new(scanState) }}

// Scan calls fn for up to limit live keys ≥ start in ascending order (limit
// ≤ 0: no limit), skipping deleted keys, until fn returns false. The slices
// fn receives are valid only during the call.
func (db *DB) Scan(start []byte, limit int, fn func(key, value []byte) bool) error {
	if db.closed.Load() {
		return ErrClosed
	}
	mem, imm, v := db.readState()
	defer db.unrefVersion(v)
	s := scanPool.Get().(*scanState)
	defer scanPool.Put(s)
	its := s.merge.its[:0]
	for i, m := range [2]*skiplist{mem, imm} {
		if m != nil {
			s.skips[i] = skipIter{s: m}
			its = append(its, &s.skips[i])
		}
	}
	if cap(s.tables) < len(v.l0) {
		s.tables = make([]tableIter, len(v.l0))
	}
	s.tables = s.tables[:len(v.l0)]
	for i, f := range v.l0 {
		s.tables[i] = tableIter{t: f.t, bi: blockIter{key: s.tables[i].bi.key[:0]}}
		its = append(its, &s.tables[i])
	}
	if cap(s.levels) < len(v.levels) {
		s.levels = make([]levelIter, len(v.levels))
	}
	s.levels = s.levels[:len(v.levels)]
	for i, run := range v.levels {
		s.levels[i] = levelIter{run: run, ti: tableIter{bi: blockIter{key: s.levels[i].ti.bi.key[:0]}}}
		its = append(its, &s.levels[i])
	}
	s.merge.its, s.merge.err = its, nil
	m := &s.merge
	if start == nil {
		m.First()
	} else {
		m.SeekGE(start)
	}
	n, have := 0, false
	for ; m.Valid() && (limit <= 0 || n < limit); m.Next() {
		k := m.Key()
		if have && bytes.Equal(k, s.prev) {
			continue
		}
		s.prev, have = append(s.prev[:0], k...), true
		if trailerKind(m.Trailer()) == kindDelete {
			continue
		}
		n++
		if !fn(k, m.Value()) {
			break
		}
	}
	err := m.Err()
	for i := range its {
		its[i] = nil
	}
	s.merge.its = its[:0]
	return err
}
