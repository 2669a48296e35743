package bench

import (
	"context"

	"github.com/dsbench/dsbench/results"
)

// Run plans and executes one target (a registered name, or your own
// harness.Target or harness.SimTarget value; nil runs the tour) on workload
// (a preset such as "ycsb-a" or a spec; "" = the target's own). The error
// wraps *InputError when the input is bad (nothing ran); when runs fail, the
// document still holds every run, the failed ones with their error.
func Run(ctx context.Context, target any, workload string, o Options) (*results.Document, error) {
	var targets []any
	if target != nil {
		targets = []any{target}
	}
	p, err := NewPlan(targets, workload, o)
	if err != nil {
		return nil, err
	}
	return p.Execute(ctx, o.Progress)
}
