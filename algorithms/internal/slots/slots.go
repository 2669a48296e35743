// Package slots keeps the in-flight records of a simulated target — one per
// request, message, parked fetch or list — in a slice reused through a free
// list. Every virtual-time family does this for the same two reasons: the
// steady state allocates nothing per op (records and their buffers are
// reused), and an event or a message carries the record's index, which fits
// an int64 argument and stays valid when the slice grows (a pointer would
// not).
package slots

// Free is the free list of a slice of records, by index. Its zero value is
// empty and ready to use.
type Free struct{ idx []int32 }

// Take returns the index of a free record of *items: a freed one, whose old
// contents are left for the caller to reset (keeping its buffers' capacity),
// or a zero record appended to *items. A pointer into *items taken before a
// Take may be stale after it.
func Take[T any](f *Free, items *[]T) int32 {
	if n := len(f.idx); n > 0 {
		i := f.idx[n-1]
		f.idx = f.idx[:n-1]
		return i
	}
	var zero T
	*items = append(*items, zero)
	return int32(len(*items) - 1)
}

// Put frees record i for a later Take. Putting an index twice hands the
// record out twice: callers free a record exactly once, when it is done.
func (f *Free) Put(i int32) { f.idx = append(f.idx, i) }

// Len is the number of free records.
func (f *Free) Len() int { return len(f.idx) }
