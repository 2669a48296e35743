package bench

import (
	"fmt"
	"strings"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
)

// resolveTarget turns what the caller passed into a target description: a
// registered name, an unregistered *algorithms.Info (a target with declared
// parameters), or the caller's own harness.Target / harness.SimTarget value,
// which every run of the plan shares and none closes (own reports that).
func resolveTarget(t any, name string) (info *algorithms.Info, own bool, err error) {
	switch v := t.(type) {
	case string:
		info, err := algorithms.Lookup(v)
		return info, false, input(err)
	case *algorithms.Info:
		if v == nil || v.Name == "" || (v.NewWall == nil && v.NewSim == nil) {
			return nil, false, inputf("target %v: an algorithms.Info needs a Name and a constructor", v)
		}
		return v, false, nil
	}
	wall, isWall := t.(harness.Target)
	sim, isSim := t.(harness.SimTarget)
	if !isWall && !isSim {
		return nil, false, inputf("target %T: want a registered target's name, a harness.Target or a harness.SimTarget", t)
	}
	if name == "" {
		name = strings.TrimPrefix(fmt.Sprintf("%T", t), "*")
	}
	info = &algorithms.Info{Name: name, Description: "your own target"}
	if isWall {
		info.NewWall = func(algorithms.Env) (harness.Target, error) { return wall, nil }
	}
	if isSim {
		info.NewSim = func(algorithms.Env) (harness.SimTarget, error) { return sim, nil }
	}
	_, info.Loads = t.(harness.Loader)
	return info, true, nil
}
