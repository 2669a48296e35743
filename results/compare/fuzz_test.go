package compare

import (
	"math"
	"testing"
)

// Gate expressions never panic, and an accepted one has a finite limit.
func FuzzParseThreshold(f *testing.F) {
	for _, s := range []string{"latency.p99>+25%", "throughput<-20%", "latency.p99>5ms", "metrics.x>NaN%", "latency.p99>+Inf%", "a>", ">1", "x>1e400%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		th, err := ParseThreshold(s)
		if err != nil {
			return
		}
		for _, v := range []float64{th.Percent, th.Value} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%q: limit %v accepted", s, v)
			}
		}
	})
}
