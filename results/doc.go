// Package results holds the dsbench/v1 result schema, the summaries made from
// a run's histograms and counters, and the writers.
//
// Sources it follows:
//   - Latency summaries and the encoded histograms are Gil Tene's
//     HdrHistogram (hdrhistogram-go): percentiles in the 0–100 scale, the V2
//     compressed base64 encoding ("HISTF…"), the interval log (.hlog) and
//     the percentile distribution the HdrHistogram plotter reads (.hgrm).
//   - Fairness is Jain, Chiu and Hawe, "A Quantitative Measure of Fairness
//     and Discrimination for Resource Allocation in Shared Computer Systems"
//     (DEC-TR-301, 1984), with max/mean, the population coefficient of
//     variation (so Jain = 1/(1+CoV²)) and the Gini coefficient.
//   - The bench writer emits the Go benchmark format
//     (golang.org/design/14313-benchmark-format) that benchstat reads; the
//     CSV writers follow RFC 4180 through encoding/csv.
//
// Numbers JSON cannot hold: NewRun and the JSON writers turn NaN and ±Inf
// into 0 in summaries, fairness and intervals, and omit non-finite family
// metrics (a 0 there would read as a measurement). Undefined figures (no
// samples, no shards) are null in JSON and empty in CSV and XLSX
// (undefined.go).
//
// The formats (see Formats): table and md for people; json (the Document);
// jsonl (one run per line, each with schema and environment folded in, so a
// line stands alone); csv (wide, one row per run, columns.go) and csv-long
// (one row per run and figure); intervals (the time series); xlsx (an Excel
// workbook, xlsx.go, written with excelize); bench; hlog; hgrm. WriteFile
// writes through a temporary file and a rename, so no reader ever sees a
// torn file. ReadFile reads json and jsonl back.
package results
