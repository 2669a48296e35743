package bigtable

import (
	"bytes"
	"slices"
)

// split divides tab at its median live row if it is still past the split
// size (another writer may have split it first). It holds the tablet map
// exclusively.
func (t *Table) split(tab *tablet) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if tab.size.Load() <= t.opts.SplitBytes || !slices.Contains(t.tablets, tab) {
		return nil
	}
	// Rows, not keys: a tablet boundary is a row boundary (every version
	// of every cell of a row stays in one tablet).
	var keys [][]byte
	var sizes []int64
	var total int64
	// tab.mu around each scan: a recovery reopening this tablet (outside
	// t.mu) swaps its db. Not held past them: rebalance below may read-lock
	// it again, which must not queue behind a waiting recovery.
	tab.mu.RLock()
	_, _, err := tab.scanRange(tab.start, 0, func(k, v []byte) bool {
		row := k[:min(len(k), RowLen)]
		if n := len(keys); n > 0 && bytes.Equal(keys[n-1], row) {
			sizes[n-1] += int64(len(k) + len(v))
		} else {
			keys = append(keys, bytes.Clone(row))
			sizes = append(sizes, int64(len(k)+len(v)))
		}
		total += int64(len(k) + len(v))
		return true
	})
	tab.mu.RUnlock()
	if err != nil {
		return err
	}
	if len(keys) < 2 {
		// One huge row cannot be split (Bigtable never splits a row either).
		tab.size.Store(total)
		return nil
	}
	half := len(keys) / 2
	mid := keys[half]
	// The master places the new half; with no master acting (it crashed,
	// no standby has taken over) it stays on the parent's server, as
	// Bigtable's server keeps both halves until the master moves one.
	on := -1
	if !t.masterActive() {
		on = tab.server
	}
	child, err := t.newTablet(mid, tab.end, on)
	if err != nil {
		return err
	}
	var copied int64
	tab.mu.RLock()
	_, _, serr := tab.scanRange(mid, 0, func(k, v []byte) bool {
		if err = child.db.Put(k, v); err != nil {
			return false
		}
		copied += int64(len(k) + len(v))
		return true
	})
	tab.mu.RUnlock()
	if err == nil {
		err = serr
	}
	if err != nil {
		child.db.Close()
		delete(t.byID, child.id)
		delete(t.srv[child.server].loaded, child.id)
		return err
	}
	var lower int64
	for _, s := range sizes[:half] {
		lower += s
	}
	tab.end = mid
	tab.size.Store(lower)
	child.size.Store(total - lower)
	i := slices.Index(t.tablets, tab)
	t.tablets = slices.Insert(t.tablets, i+1, child)
	t.splits.Add(1)
	t.splitBytes.Add(copied)
	t.splitMeta(mid)
	if t.masterActive() {
		t.rebalance()
	}
	return nil
}
