// Package report renders a result document as plots (gonum/plot, SVG and
// PNG) and one self-contained HTML page. The latency distribution follows
// HdrHistogram's plotter: percentiles on a logarithmic "nines" axis,
// x = 1/(1−q), so 90%, 99%, 99.9% are equally spaced and the tail gets the
// room it deserves. The other charts are throughput and p99 over time (from
// each run's intervals), per-shard load bars (fairness) and parameter-sweep
// curves (a metric against the one parameter that varies).
package report
