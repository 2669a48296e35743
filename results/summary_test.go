package results

import (
	"errors"
	"testing"

	"github.com/dsbench/dsbench/harness"
)

func TestSummarizeUniform(t *testing.T) {
	h := harness.NewHistogram()
	for v := int64(1); v <= 100_000; v++ {
		h.RecordValue(v)
	}
	s := Summarize(h)
	if s.Count != 100_000 {
		t.Fatalf("count %d", s.Count)
	}
	// 3 significant digits: every figure within 0.1% of the exact value.
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"p50", s.P50, 50_000}, {"p90", s.P90, 90_000}, {"p99", s.P99, 99_000},
		{"p999", s.P999, 99_900}, {"p9999", s.P9999, 99_990}, {"max", s.Max, 100_000},
		{"mean", s.Mean, 50_000.5}, {"stddev", s.Stddev, 28_867.5},
	} {
		if d := (c.got - c.want) / c.want; d < -0.001 || d > 0.001 {
			t.Errorf("%s = %v, want %v ±0.1%%", c.name, c.got, c.want)
		}
	}
	if s.Max != float64(h.Max()) {
		t.Errorf("max %v, Histogram.Max %d", s.Max, h.Max())
	}
	if !(s.P50 <= s.P90 && s.P90 <= s.P99 && s.P99 <= s.P999 && s.P999 <= s.P9999 && s.P9999 <= s.Max) {
		t.Errorf("percentiles not monotone: %+v", s)
	}
}

func TestSummarizeEmpty(t *testing.T) {
	if s := Summarize(nil); s != (Summary{}) {
		t.Errorf("Summarize(nil) = %+v", s)
	}
	if s := Summarize(harness.NewHistogram()); s != (Summary{}) {
		t.Errorf("Summarize(empty) = %+v", s)
	}
}

func TestHistogramRoundTrip(t *testing.T) {
	h := histOf(5000, 100, 9_000_000, 3_000_000_000)
	enc, err := EncodeHistogram(h)
	if err != nil {
		t.Fatal(err)
	}
	if len(enc) < 5 || enc[:5] != "HISTF" {
		t.Fatalf("encoding %q… is not HdrHistogram's V2 compressed base64", enc[:min(len(enc), 10)])
	}
	back, err := DecodeHistogram(enc)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Equals(h) {
		t.Fatal("decoded histogram differs from the original")
	}
	if s := Summarize(back); s != Summarize(h) || s.Max != float64(h.Max()) {
		t.Fatal("decoded histogram summarises differently")
	}
}

func TestDecodeHistogramErrors(t *testing.T) {
	if _, err := DecodeHistogram(""); !errors.Is(err, ErrNoHistogram) {
		t.Errorf("empty: %v, want ErrNoHistogram", err)
	}
	for _, bad := range []string{"not base64!", "SGVsbG8=", "HISTFAAAAEB42pJpmSzMwMCyiwECmKE0"} {
		if _, err := DecodeHistogram(bad); err == nil {
			t.Errorf("DecodeHistogram(%q) succeeded", bad)
		}
	}
}

func BenchmarkSummarize(b *testing.B) {
	h := histOf(100_000, 500, 50_000_000)
	b.ReportAllocs()
	for b.Loop() {
		Summarize(h)
	}
}
