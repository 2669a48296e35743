// Command dsbench benchmarks and load-tests distributed-systems algorithms and
// storage engines: it generates workloads, replays them against in-process
// targets on the wall clock or in virtual time, and reports HDR latency (free
// of coordinated omission), throughput and fairness.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
