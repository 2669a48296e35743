package lsm

// internalIterator walks entries in internal-key order: user key ascending,
// newest version first.
type internalIterator interface {
	First()
	SeekGE(ukey []byte)
	Next()
	Valid() bool
	Key() []byte
	Trailer() uint64
	Value() []byte
	Err() error
}

// mergeIter merges child iterators with a binary min-heap on internal keys,
// as LevelDB's MergingIterator does. Children never share an entry with the
// same user key and trailer (sequence numbers are unique), so the order is total.
type mergeIter struct {
	its  []internalIterator
	heap []int // indexes into its
	err  error
}

func (m *mergeIter) less(a, b int) bool {
	x, y := m.its[m.heap[a]], m.its[m.heap[b]]
	return compareInternal(x.Key(), x.Trailer(), y.Key(), y.Trailer()) < 0
}

func (m *mergeIter) down(i int) {
	n := len(m.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		j := l
		if r := l + 1; r < n && m.less(r, l) {
			j = r
		}
		if !m.less(j, i) {
			return
		}
		m.heap[i], m.heap[j] = m.heap[j], m.heap[i]
		i = j
	}
}

func (m *mergeIter) init() {
	m.heap = m.heap[:0]
	for i, it := range m.its {
		if it.Valid() {
			m.heap = append(m.heap, i)
		} else if err := it.Err(); err != nil && m.err == nil {
			m.err = err
		}
	}
	for i := len(m.heap)/2 - 1; i >= 0; i-- {
		m.down(i)
	}
}

func (m *mergeIter) First() {
	for _, it := range m.its {
		it.First()
	}
	m.init()
}

func (m *mergeIter) SeekGE(ukey []byte) {
	for _, it := range m.its {
		it.SeekGE(ukey)
	}
	m.init()
}

func (m *mergeIter) Next() {
	it := m.its[m.heap[0]]
	it.Next()
	if !it.Valid() {
		if err := it.Err(); err != nil && m.err == nil {
			m.err = err
		}
		m.heap[0] = m.heap[len(m.heap)-1]
		m.heap = m.heap[:len(m.heap)-1]
	}
	if len(m.heap) > 0 {
		m.down(0)
	}
}

func (m *mergeIter) Valid() bool     { return m.err == nil && len(m.heap) > 0 }
func (m *mergeIter) Key() []byte     { return m.its[m.heap[0]].Key() }
func (m *mergeIter) Trailer() uint64 { return m.its[m.heap[0]].Trailer() }
func (m *mergeIter) Value() []byte   { return m.its[m.heap[0]].Value() }
func (m *mergeIter) Err() error      { return m.err }

// levelIter walks a sorted run of non-overlapping files, opening each
// file's iterator only when the walk reaches it.
type levelIter struct {
	run []*fileMeta
	i   int
	ti  tableIter
	err error
}

func (l *levelIter) open(i int) {
	l.i = i
	if i < len(l.run) {
		l.ti = tableIter{t: l.run[i].t, bi: blockIter{key: l.ti.bi.key[:0]}}
	}
}

func (l *levelIter) skipEmpty() {
	for !l.ti.Valid() && l.ti.Err() == nil && l.i+1 < len(l.run) {
		l.open(l.i + 1)
		l.ti.First()
	}
}

func (l *levelIter) First() {
	l.open(0)
	if len(l.run) > 0 {
		l.ti.First()
		l.skipEmpty()
	}
}

func (l *levelIter) SeekGE(ukey []byte) {
	lo, hi := 0, len(l.run)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if string(l.run[mid].largest) < string(ukey) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	l.open(lo)
	if lo < len(l.run) {
		l.ti.SeekGE(ukey)
		l.skipEmpty()
	}
}

func (l *levelIter) Next()           { l.ti.Next(); l.skipEmpty() }
func (l *levelIter) Valid() bool     { return l.i < len(l.run) && l.ti.Valid() }
func (l *levelIter) Key() []byte     { return l.ti.Key() }
func (l *levelIter) Trailer() uint64 { return l.ti.Trailer() }
func (l *levelIter) Value() []byte   { return l.ti.Value() }
func (l *levelIter) Err() error {
	if l.i < len(l.run) {
		return l.ti.Err()
	}
	return nil
}
