#!/bin/sh
# bench.sh runs dsbench's Go benchmarks and prints the results.
#
#   scripts/bench.sh                  # every package that has benchmarks
#   scripts/bench.sh ./harness/       # only these packages
#   BENCHTIME=3s COUNT=5 scripts/bench.sh ./harness/ > new.txt   # for benchstat
#
# Goals (docs/design.md, rule 9): BenchmarkWallNoop at most 2× BenchmarkBareLoop (the
# harness's cost per op); BenchmarkSim* ≥ 5M events/s on one core; 0 allocs/op.
# On a shared machine, events/cpu-s is the figure to read.
set -eu
cd "$(dirname "$0")/.."
if [ "$#" -eq 0 ]; then
	# Every package with a Benchmark function in a _test.go file.
	set -- $(grep -l --include='*_test.go' -r '^func Benchmark' . | xargs -n1 dirname | sort -u | sed 's|$|/|')
fi
exec go test -run '^$' -bench "${BENCH:-.}" -benchmem -benchtime "${BENCHTIME:-1s}" -count "${COUNT:-1}" "$@"
