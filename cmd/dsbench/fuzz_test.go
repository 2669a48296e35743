package main

import "testing"

// A suite file never panics the parser; an accepted one plans runs.
func FuzzPlanSuite(f *testing.F) {
	for _, s := range []string{
		"targets: [builtin/noop]\nops: 100\n",
		"targets: [builtin/noop]\nops: 100\nops: 200\n",
		"targets: [builtin/noop]\nops: 100\n---\nops: 5\n",
		"targets: [builtin/noop]\nalpha: NaN\n",
		"targets: [builtin/noop]\nruns: 2e9\n",
		"matrix:\n  - targets: [builtin/sleep]\n    clock: virtual\n    fail_on: [latency.p99>+25%]\n",
		"targets: [builtin/noop]\nruns: 0\n",
		": :\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		_, _ = planSuite("fuzz.yaml", b)
	})
}
