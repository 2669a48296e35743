package dynamo

// VC is a vector clock (§4.4): VC[i] counts the versions coordinated by
// node i. All clocks of one cluster have one entry per node; a nil clock is
// the empty clock (all zeros).
type VC []uint32

// Order is how two clocks compare.
type Order int8

// The four outcomes of comparing clocks a and b.
const (
	Equal      Order = iota // a = b
	Before                  // a < b: b descends from a
	After                   // a > b: a descends from b
	Concurrent              // neither descends from the other: siblings
)

func (o Order) String() string {
	return [...]string{"equal", "before", "after", "concurrent"}[o]
}

func at(v VC, i int) uint32 {
	if i < len(v) {
		return v[i]
	}
	return 0
}

// Compare orders a against b.
func Compare(a, b VC) Order {
	less, more := false, false
	n := max(len(a), len(b))
	for i := 0; i < n; i++ {
		x, y := at(a, i), at(b, i)
		if x < y {
			less = true
		} else if x > y {
			more = true
		}
		if less && more {
			return Concurrent
		}
	}
	switch {
	case less:
		return Before
	case more:
		return After
	}
	return Equal
}

// Descends reports whether a ≥ b: a is b or a later version of it.
func Descends(a, b VC) bool {
	o := Compare(a, b)
	return o == Equal || o == After
}

// Merge returns the pointwise maximum of a and b in a new clock of n entries.
func Merge(a, b VC, n int) VC {
	out := make(VC, n)
	for i := range out {
		out[i] = max(at(a, i), at(b, i))
	}
	return out
}

// MergeInto raises dst (n entries) to the pointwise maximum of dst and b.
func MergeInto(dst, b VC) {
	for i := range dst {
		dst[i] = max(dst[i], at(b, i))
	}
}
