package workloads

import (
	"math"
	"testing"
)

// The number and duration-distribution parsers never panic and accept no
// NaN or ±Inf (FuzzParseSpec and FuzzReadTrace are beside their parsers).
// Seeds are the probes of issue 16.

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"1e6", "1_000_000", "NaN", "Inf", "-Inf", "0x10", "1e400", "-0", " 5 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if v, err := ParseNumber(s); err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
			t.Fatalf("%q parsed to %v", s, v)
		}
		_, _ = ParseCount(s)
	})
}

func FuzzParseDurationDist(f *testing.F) {
	for _, s := range []string{"const:d=1ms", "exp:mean=1ms", "exp:mean=NaNs", "const:d=1ms,d=2ms", "lognormal:median=1ms,sigma=1e308"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ParseDurationDist(s)
	})
}
