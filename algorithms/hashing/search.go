package hashing

// successor returns the index of the first point >= h in the sorted points,
// wrapping to 0 past the last one: the clockwise successor on the ring.
// A hand-written search (no closure, as sort.Search would need) keeps the
// lookup allocation-free and inlinable.
func successor(points []uint64, h uint64) int {
	lo, hi := 0, len(points)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if points[mid] < h {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == len(points) {
		return 0
	}
	return lo
}
