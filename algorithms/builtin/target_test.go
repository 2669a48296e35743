package builtin

import (
	"testing"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/workloads"
)

// TestRegistered: every builtin target builds with its defaults on each
// clock it claims, and its tour workload parses.
func TestRegistered(t *testing.T) {
	for _, name := range []string{"builtin/noop", "builtin/sleep", "builtin/stall", "builtin/map"} {
		info, err := algorithms.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := workloads.ParseSpec(info.Workload); err != nil {
			t.Errorf("%s: tour workload %q: %v", name, info.Workload, err)
		}
		p, err := info.Resolve(nil)
		if err != nil {
			t.Fatalf("%s: defaults: %v", name, err)
		}
		env := algorithms.Env{Params: p, Seed: 1}
		if info.NewWall != nil {
			if tg, err := info.NewWall(env); err != nil || tg == nil {
				t.Errorf("%s: wall: %v", name, err)
			}
		}
		if info.NewSim != nil {
			if tg, err := info.NewSim(env); err != nil || tg == nil {
				t.Errorf("%s: virtual: %v", name, err)
			}
		}
	}
	if _, err := (&algorithms.Info{Name: "builtin/sleep", Params: []algorithms.Param{serviceParam}}).Resolve(map[string]string{"service": "weird:x=1"}); err == nil {
		t.Error("a bad service distribution was accepted")
	}
}
