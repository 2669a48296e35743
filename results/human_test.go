package results

import (
	"math"
	"testing"
)

func TestHumanDuration(t *testing.T) {
	for _, c := range []struct {
		ns   float64
		want string
	}{
		{0, "0ns"}, {1, "1ns"}, {812, "812ns"}, {999, "999ns"}, {999.7, "1µs"},
		{1000, "1µs"}, {1234, "1.23µs"}, {12_345, "12.3µs"}, {123_456, "123µs"},
		{1_230_000, "1.23ms"}, {1_500_000_000, "1.5s"}, {3600e9, "3600s"},
		{0.5, "0.5ns"}, {-2500, "-2.5µs"}, {math.NaN(), "n/a"}, {math.Inf(1), "n/a"},
	} {
		if got := HumanDuration(c.ns); got != c.want {
			t.Errorf("HumanDuration(%v) = %q, want %q", c.ns, got, c.want)
		}
	}
}

func TestHumanRate(t *testing.T) {
	for _, c := range []struct {
		rate float64
		want string
	}{
		{0, "0 ops/s"}, {0.25, "0.25 ops/s"}, {950, "950 ops/s"}, {999.96, "1k ops/s"},
		{12_500, "12.5k ops/s"}, {2_400_000, "2.4M ops/s"}, {2_412_345, "2.41M ops/s"},
		{3.1e9, "3.1G ops/s"}, {math.NaN(), "n/a"},
	} {
		if got := HumanRate(c.rate); got != c.want {
			t.Errorf("HumanRate(%v) = %q, want %q", c.rate, got, c.want)
		}
	}
}
