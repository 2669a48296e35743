package consensus

import "testing"

func TestSmoke(t *testing.T) {
	for _, name := range targets {
		rep := run(t, name, Workload, nil, 3000, 1)
		t.Logf("%s: ops %d err %d p50 %v p99 %v metrics %v", name, rep.Ops, rep.Errors, rep.Latency.ValueAtQuantile(50), rep.Latency.ValueAtQuantile(99), rep.Metrics)
	}
}
