package loadbalance

import (
	"testing"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
)

// TestLeastResponseTimeAlias: the seed's least-response-time is Peak-EWMA
// over every backend: the same run as peak-ewma with choices=0, and not the
// same as the two-choice default.
func TestLeastResponseTimeAlias(t *testing.T) {
	o := algotest.Options{Clock: algorithms.Virtual, Ops: 3000, Seed: 4}
	raw := map[string]string{"slow": "2"}
	a := algotest.Run(t, "loadbalance/least-response-time", raw, Workload, o)
	b := algotest.Run(t, "loadbalance/peak-ewma", map[string]string{"slow": "2", "choices": "0"}, Workload, o)
	algotest.SameRun(t, "least-response-time vs peak-ewma choices=0", a, b)
	c := algotest.Run(t, "loadbalance/peak-ewma", raw, Workload, o)
	if a.Latency.Equals(c.Latency) {
		t.Error("least-response-time runs as peak-ewma's two-choice default")
	}
}
