package bench

import (
	"fmt"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/workloads"
)

// workloadFor resolves the workload a target runs: the plan's workload (or
// the target's own default), then the Keys/Mix/Arrival/Clients overrides,
// Rate and ValueSize. It returns the spec and its short label.
func (p *Plan) workloadFor(info *algorithms.Info) (workloads.Spec, string, error) {
	o := p.opts
	base := p.workload
	if base == "" {
		base = info.Workload
	}
	if base == "" {
		base = algorithms.DefaultWorkload
	}
	text := base
	for _, ov := range []struct{ key, val string }{
		{"keys", o.Keys}, {"mix", o.Mix}, {"arrival", o.Arrival}, {"clients", o.Clients},
	} {
		if ov.val != "" {
			text += " " + ov.key + "=" + ov.val
		}
	}
	if o.ValueSize > 0 {
		text += fmt.Sprintf(" size=const:n=%d", o.ValueSize)
	}
	spec, err := workloads.ParseSpec(text)
	if err != nil {
		return spec, "", inputf("workload %q: %v", text, err)
	}
	// As YCSB's recordcount, Load sets the keyspace too, so reads hit the
	// loaded records; Keys given explicitly wins.
	if o.Load > 0 && o.Keys == "" {
		if s, err := spec.WithKeySpace(o.Load); err == nil {
			spec = s
		}
	}
	if o.Rate > 0 {
		if spec, err = spec.WithRate(o.Rate); err != nil {
			return spec, "", inputf("--rate %g: %v", o.Rate, err)
		}
	}
	name := "custom"
	if text == base && isPreset(base) {
		name = base
	} else if p.workload == "" && info.Workload != "" && text == base {
		name = "default"
	}
	if p.trace != nil {
		name = "trace"
	}
	return spec, name, nil
}

func isPreset(s string) bool {
	for _, p := range workloads.Presets() {
		if p == s {
			return true
		}
	}
	return false
}
