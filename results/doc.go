// Package results holds the dsbench/v1 result schema, the summaries made from
// a run's histograms and counters (latency percentiles, fairness: Jain's
// index, max/mean, coefficient of variation, Gini), and the writers: table,
// JSON, JSON Lines, CSV wide and long, Markdown, the Go benchmark format
// (read by benchstat), and HdrHistogram's .hlog and .hgrm.
package results
