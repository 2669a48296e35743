package results

import (
	"math"
	"strconv"
	"strings"
)

// HumanDuration formats nanoseconds with three significant digits in the
// largest unit that keeps the number at least 1: 812ns, 1.23ms, 1.5s.
// Seconds are the largest unit (3600s, not 1h), so columns stay comparable.
func HumanDuration(ns float64) string {
	if math.IsNaN(ns) || math.IsInf(ns, 0) {
		return "n/a"
	}
	return scaled(ns, []string{"ns", "µs", "ms", "s"}, "")
}

// HumanRate formats a rate in ops per second with three significant digits
// and an SI prefix: 950 ops/s, 12.5k ops/s, 2.4M ops/s.
func HumanRate(opsPerS float64) string {
	if math.IsNaN(opsPerS) || math.IsInf(opsPerS, 0) {
		return "n/a"
	}
	return scaled(opsPerS, []string{"", "k", "M", "G", "T"}, " ops/s")
}

// scaled divides v by 1000 until it fits the unit, then rounds to three
// significant digits; a value that rounds up to 1000 moves to the next unit.
func scaled(v float64, units []string, suffix string) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	if v == 0 {
		return "0" + units[0] + suffix
	}
	u := 0
	for v >= 1000 && u+1 < len(units) {
		v /= 1000
		u++
	}
	s := sig3(v)
	if s == "1000" && u+1 < len(units) {
		v /= 1000
		u++
		s = sig3(v)
	}
	return sign + s + units[u] + suffix
}

// sig3 formats v ≥ 0 with three significant digits (more for v ≥ 1000,
// which keeps its integer part) and no trailing zeros.
func sig3(v float64) string {
	var dec int
	switch {
	case v < 10:
		dec = 2
	case v < 100:
		dec = 1
	}
	if v < 1 && v > 0 {
		dec = 2 - int(math.Floor(math.Log10(v)))
	}
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}
