package results

import (
	"errors"
	"fmt"
	"strings"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// summaryQuantiles are the percentiles of a Summary, in the 0–100 scale that
// hdrhistogram-go's ValueAtQuantile takes. The 100th is the max: one scan of
// the counts finds them all, where Histogram.Max walks the slow iterator.
var summaryQuantiles = []float64{50, 90, 99, 99.9, 99.99, 100}

// Summarize reduces a latency histogram (ns) to its percentiles, max, mean,
// population standard deviation and count. A nil or empty histogram gives
// the zero Summary; non-finite figures become 0.
func Summarize(h *hdr.Histogram) Summary {
	if h == nil || h.TotalCount() == 0 {
		return Summary{}
	}
	q := h.ValueAtPercentilesSlice(summaryQuantiles)
	return Summary{
		Count:  uint64(h.TotalCount()),
		P50:    float64(q[0]),
		P90:    float64(q[1]),
		P99:    float64(q[2]),
		P999:   float64(q[3]),
		P9999:  float64(q[4]),
		Max:    float64(q[5]),
		Mean:   finite(h.Mean()),
		Stddev: finite(h.StdDev()),
	}
}

// EncodeHistogram returns h in HdrHistogram's V2 compressed base64 form
// ("HISTF…"), the form every HdrHistogram implementation reads. A nil
// histogram encodes as "".
func EncodeHistogram(h *hdr.Histogram) (string, error) {
	if h == nil {
		return "", nil
	}
	b, err := h.Encode(hdr.V2CompressedEncodingCookieBase)
	if err != nil {
		return "", fmt.Errorf("results: encoding histogram: %w", err)
	}
	return string(b), nil
}

// ErrNoHistogram is returned by DecodeHistogram for an empty string: the run
// recorded none (it failed, or the document was written without histograms).
var ErrNoHistogram = errors.New("results: no histogram recorded")

// DecodeHistogram reads a histogram written by EncodeHistogram (or by any
// HdrHistogram implementation's V2 compressed base64 encoding).
func DecodeHistogram(s string) (*hdr.Histogram, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, ErrNoHistogram
	}
	h, err := hdr.Decode([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("results: decoding histogram: %w", err)
	}
	return h, nil
}
