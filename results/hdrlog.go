package results

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// The .hlog writer uses HdrHistogram's interval log format (version 1.3,
// hdrhistogram-go's HistogramLogWriter), which HistogramLogAnalyzer and
// every HdrHistogram library read. Each run contributes two whole-run
// histograms, tagged <run id>/<target>/latency and …/service, stamped from
// the environment's start time to start + the run's duration (the log's
// base time is the start, so timestamps read as 0.000). Values are ns; the
// interval max column is in ms, the format's convention. Runs without a
// recorded histogram are skipped.
func writeHLog(w io.Writer, doc *Document) error {
	bw := bufio.NewWriter(w)
	lw := hdr.NewHistogramLogWriter(bw)
	var startMs int64 // a document without a start time logs from the epoch
	if !doc.Environment.Start.IsZero() {
		startMs = doc.Environment.Start.UnixMilli()
	}
	lw.SetBaseTime(startMs)
	if err := lw.OutputLogFormatVersion(); err != nil {
		return err
	}
	if err := lw.OutputComment(fmt.Sprintf("[dsbench %s: latency and service histograms per run, values in ns]", benchSegment(doc.Environment.Version))); err != nil {
		return err
	}
	if err := lw.OutputStartTime(startMs); err != nil {
		return err
	}
	if err := lw.OutputBaseTime(startMs); err != nil {
		return err
	}
	if err := lw.OutputLegend(); err != nil {
		return err
	}
	for _, r := range doc.Runs {
		for _, part := range []struct{ name, enc string }{{"latency", r.Histogram}, {"service", r.ServiceHistogram}} {
			h, err := DecodeHistogram(part.enc)
			if err == ErrNoHistogram {
				continue
			}
			if err != nil {
				return fmt.Errorf("run %s %s: %w", r.ID, part.name, err)
			}
			h.SetTag(hlogTag(r.ID + "/" + r.Target + "/" + part.name))
			h.SetStartTimeMs(startMs)
			h.SetEndTimeMs(startMs + int64(r.DurationS*1000+0.5))
			if err := lw.OutputIntervalHistogram(h); err != nil {
				return fmt.Errorf("run %s: %w", r.ID, err)
			}
		}
	}
	return bw.Flush()
}

// hlogTag removes what the log format forbids in a tag: commas, spaces and
// line breaks.
func hlogTag(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ',', ' ', '\t', '\r', '\n':
			return '_'
		}
		return r
	}, s)
}

// The .hgrm writer prints each run's latency distribution as HdrHistogram's
// percentile table (hdrhistogram-go's PercentilesPrint, 5 ticks per half
// distance, values in microseconds), the text the HdrHistogram plotter
// (hdrhistogram.github.io/HdrHistogram/plotFiles.html) reads. Blocks are
// separated by a blank line and headed by a "#" comment naming the run.
func writeHGRM(w io.Writer, doc *Document) error {
	bw := bufio.NewWriter(w)
	first := true
	for _, r := range doc.Runs {
		h, err := DecodeHistogram(r.Histogram)
		if err == ErrNoHistogram {
			continue
		}
		if err != nil {
			return fmt.Errorf("run %s: %w", r.ID, err)
		}
		if !first {
			bw.WriteString("\n")
		}
		first = false
		fmt.Fprintf(bw, "# dsbench run %s: %s %s workload=%s clock=%s; latency in microseconds\n",
			r.ID, r.Target, paramsText(r.Params, nil), workloadLabel(r), clockLabel(r))
		if _, err := h.PercentilesPrint(bw, 5, 1000.0); err != nil {
			return err
		}
	}
	return bw.Flush()
}
