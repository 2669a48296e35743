package results

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// The Go benchmark format (golang.org/design/14313-benchmark-format), read
// by benchstat: goos/goarch/pkg/cpu configuration lines, then one line per
// run, so --runs K gives benchstat K samples of each benchmark:
//
//	BenchmarkBuiltin/noop/workload=ycsb-a/clock=wall-2  N  <ns/op>  <ops/s> ops/s  <p50> p50-ns …
//
// The name is the target (family title-cased, as Go names benchmarks), its
// parameters as key=value segments sorted by key, then workload and clock,
// and the core count as the -N suffix. Whitespace and "/" inside a segment
// become "_" so the segments stay segments.
//
// N is the number of measured ops. ns/op is the mean service time per op
// (done − sent): the honest cost of one op, not 1e9/throughput, which would
// fold in the number of workers and idle time of an open loop. The latency
// percentiles (p50-ns … max-ns) are from the intended start, svc-p99-ns is
// the service p99, and each family metric follows with its name as the unit.
// Runs that measured nothing (failed before the first op) have no line.
func writeBench(w io.Writer, doc *Document) error {
	bw := bufio.NewWriter(w)
	env := doc.Environment
	fmt.Fprintf(bw, "goos: %s\ngoarch: %s\npkg: github.com/dsbench/dsbench\n", env.OS, env.Arch)
	if env.CPU != "" {
		fmt.Fprintf(bw, "cpu: %s\n", env.CPU)
	}
	if env.Version != "" {
		fmt.Fprintf(bw, "dsbench: %s\n", benchSegment(env.Version))
	}
	for _, r := range doc.Runs {
		if r.Ops == 0 {
			continue
		}
		bw.WriteString(BenchName(r, env.Cores))
		fmt.Fprintf(bw, " \t%d", r.Ops)
		val := func(v float64, unit string) { fmt.Fprintf(bw, " \t%s %s", benchNum(v), unit) }
		val(r.ServiceNs.Mean, "ns/op")
		val(r.ThroughputOpsS, "ops/s")
		val(r.LatencyNs.P50, "p50-ns")
		val(r.LatencyNs.P90, "p90-ns")
		val(r.LatencyNs.P99, "p99-ns")
		val(r.LatencyNs.P999, "p999-ns")
		val(r.LatencyNs.P9999, "p9999-ns")
		val(r.LatencyNs.Max, "max-ns")
		val(r.ServiceNs.P99, "svc-p99-ns")
		for _, k := range sortedKeys(r.Metrics) {
			val(r.Metrics[k], benchSegment(k))
		}
		bw.WriteString("\n")
	}
	return bw.Flush()
}

// BenchName is the run's benchmark name, with the -cores suffix.
func BenchName(r Run, cores int) string {
	var b strings.Builder
	b.WriteString("Benchmark")
	family, name, ok := strings.Cut(r.Target, "/")
	if !ok {
		family, name = r.Target, ""
	}
	b.WriteString(benchSegment(titleCase(family)))
	if name != "" {
		b.WriteString("/" + benchSegment(name))
	}
	for _, k := range sortedKeys(r.Params) {
		b.WriteString("/" + benchSegment(k) + "=" + benchSegment(r.Params[k]))
	}
	b.WriteString("/workload=" + benchSegment(workloadLabel(r)))
	if r.Clock != "" {
		b.WriteString("/clock=" + benchSegment(r.Clock))
	}
	b.WriteString("-" + strconv.Itoa(max(cores, 1)))
	return b.String()
}

func titleCase(s string) string {
	if s == "" {
		return "Unnamed"
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

func benchSegment(s string) string {
	if s == "" {
		return "_"
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '/' {
			return '_'
		}
		return r
	}, s)
}

// benchNum prints integers exactly and other values with six significant
// digits, without an exponent.
func benchNum(v float64) string {
	v = finite(v)
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	dec := max(0, 5-int(math.Floor(math.Log10(math.Abs(v)))))
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}
