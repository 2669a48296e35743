#!/usr/bin/env bash
# ci-gate.sh — gate a change on the smoke suite against a stored baseline.
#
#   scripts/ci-gate.sh BASELINE.json [SUITE.yaml] [extra dsbench suite flags…]
#
# Runs the suite, compares it with BASELINE (Mann–Whitney U at the suite's α,
# its noise band and fail_on thresholds), writes the comparison as Markdown to
# $DSBENCH_COMMENT (default dsbench-comparison.md, for a pull-request comment)
# and the candidate result to $DSBENCH_RESULT (default dsbench-candidate.json),
# and exits with dsbench's code: 0 pass, 1 a threshold crossed with
# significance, 2 bad input. Runs the pull request adds, renames or removes
# are listed as new or gone and pass (add --fail-on-missing to fail them).
# The comment is written on every exit, its first line the verdict.
# With no baseline file yet it records one and exits 0.
set -euo pipefail

baseline=${1:?usage: ci-gate.sh BASELINE.json [SUITE.yaml] [flags…]}
suite=${2:-$(dirname "$0")/suites/smoke.yaml}
shift $(( $# >= 2 ? 2 : 1 ))
dsbench=${DSBENCH:-dsbench}
comment=${DSBENCH_COMMENT:-dsbench-comparison.md}
result=${DSBENCH_RESULT:-dsbench-candidate.json}

if [[ ! -f $baseline ]]; then
	echo "ci-gate: no baseline at $baseline; recording one" >&2
	exec "$dsbench" suite "$suite" -q -o "$baseline" "$@"
fi

set +e
"$dsbench" suite "$suite" -q --baseline "$baseline" --format md -o "$result" "$@" >"$comment"
code=$?
set -e
cat "$comment"
case $code in
0) echo "ci-gate: pass" >&2 ;;
1) echo "ci-gate: regression crossed a threshold with significance" >&2 ;;
*) echo "ci-gate: bad input (exit $code)" >&2 ;;
esac
exit $code
