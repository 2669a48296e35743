#!/bin/sh
# bench.sh runs dsbench's Go benchmarks and prints the results.
#
#   scripts/bench.sh                  # every package that has benchmarks
#   scripts/bench.sh ./harness/       # only these packages
#   BENCHTIME=3s COUNT=5 scripts/bench.sh ./harness/ > new.txt   # for benchstat
#   BENCH='WallNoop|Floor' COUNT=5 scripts/bench.sh ./harness/   # only these benchmarks
#
# The README's "Performance of dsbench itself" figures, one command each:
#   BENCH='WallNoop|Floor|Open' COUNT=5 scripts/bench.sh ./harness/
#   BENCH=SimMemory BENCHTIME=1x scripts/bench.sh ./harness/
#   BENCH='Sim(Noop|Closed)|WorldHeap' BENCHTIME=9000000x COUNT=2 scripts/bench.sh ./harness/
#   BENCH='Zipf|Zeta|Generator' BENCHTIME=300ms COUNT=3 scripts/bench.sh ./workloads/
# and the storage comparison of algorithms/storage/NOTES.md:
#   BENCH='FillRandom|ReadRandom' BENCHTIME=100000x COUNT=3 scripts/bench.sh ./algorithms/storage/reference/
#
# Goals (docs/design.md, rule 9): BenchmarkWallNoop at most 1.25× BenchmarkFloor (the
# harness's cost per op); BenchmarkOpen's dsbench at least 0.9× its pacer; BenchmarkSimMemory
# flat from 1e6 to 1e7 ops; BenchmarkSim* ≥ 5M events/s on one core; 0 allocs/op.
# On a shared machine, events/cpu-s is the figure to read; quote the load average (uptime).
set -eu
cd "$(dirname "$0")/.."
if [ "$#" -eq 0 ]; then
	# Every package with a Benchmark function in a _test.go file.
	set -- $(grep -l --include='*_test.go' -r '^func Benchmark' . | xargs -n1 dirname | sort -u | sed 's|$|/|')
fi
exec go test -run '^$' -bench "${BENCH:-.}" -benchmem -benchtime "${BENCHTIME:-1s}" -count "${COUNT:-1}" "$@"
