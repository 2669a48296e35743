package results_test

import (
	"fmt"
	"os"

	"github.com/dsbench/dsbench/results"
)

func ExampleHumanDuration() {
	fmt.Println(results.HumanDuration(812), results.HumanDuration(1_234_567), results.HumanDuration(1.5e9))
	// Output: 812ns 1.23ms 1.5s
}

func ExampleHumanRate() {
	fmt.Println(results.HumanRate(950), results.HumanRate(2_412_345))
	// Output: 950 ops/s 2.41M ops/s
}

func ExampleSpreadOf() {
	s := results.SpreadOf([]uint64{0, 0, 0, 100}) // one of four shards takes every op
	fmt.Printf("jain %.2f max/mean %.0f cov %.2f gini %.2f\n", s.Jain, s.MaxMean, s.CoV, s.Gini)
	// Output: jain 0.25 max/mean 4 cov 1.73 gini 0.75
}

func ExampleParseOutput() {
	for _, arg := range []string{"runs.json", "csv-long:runs.csv", "new.txt"} {
		f, path, err := results.ParseOutput(arg)
		fmt.Println(f, path, err)
	}
	// Output:
	// json runs.json <nil>
	// csv-long runs.csv <nil>
	// bench new.txt <nil>
}

func ExampleWrite() {
	run := results.Run{ID: "r1", Target: "builtin/noop", WorkloadName: "ycsb-a", Clock: "wall", Loop: "open",
		Ops: 1000, ThroughputOpsS: 2.4e6, LatencyNs: results.Summary{Count: 1000, P50: 80, P99: 412, P999: 1900, Max: 25000},
		ServiceNs: results.Summary{Count: 1000, Mean: 75, P99: 300}}
	doc := results.NewDocument(results.Environment{OS: "linux", Arch: "amd64", Cores: 2}, []results.Run{run})
	results.Write(os.Stdout, results.Bench, doc)
	// Output:
	// goos: linux
	// goarch: amd64
	// pkg: github.com/dsbench/dsbench
	// BenchmarkBuiltin/noop/workload=ycsb-a/clock=wall-2 	1000 	75 ns/op 	2400000 ops/s 	80 p50-ns 	0 p90-ns 	412 p99-ns 	1900 p999-ns 	0 p9999-ns 	25000 max-ns 	300 svc-p99-ns
}
