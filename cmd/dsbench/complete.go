package main

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/workloads"
)

// Shell completion (dsbench completion bash|zsh|fish|powershell) of what a
// run's flags take: -p the parameters of the targets already on the line
// (and the choices of an enum parameter after "name="), -w the presets and
// the spec's keys.

// completeParams completes -p for the targets named so far (every target
// when none is: the tour's parameters are anyone's).
func completeParams(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	var infos []*algorithms.Info
	for _, a := range args {
		if info, err := algorithms.Lookup(a); err == nil {
			infos = append(infos, info)
		}
	}
	if len(infos) == 0 {
		infos = algorithms.All()
	}
	if name, typed, ok := strings.Cut(toComplete, "="); ok {
		var out []string
		for _, info := range infos {
			for _, p := range info.Params {
				if p.Name != name || p.Type != algorithms.Enum {
					continue
				}
				for _, c := range p.Choices {
					if v := name + "=" + c; strings.HasPrefix(c, typed) && !slices.Contains(out, v) {
						out = append(out, v)
					}
				}
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, info := range infos {
		for _, p := range info.Params {
			if v := p.Name + "="; strings.HasPrefix(v, toComplete) && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	slices.Sort(out)
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// workloadKeys are the tokens of a workload spec (workloads/GRAMMAR.md).
var workloadKeys = []string{"keys=", "mix=", "size=", "scan=", "clients=", "arrival="}

// completeWorkload completes -w: a preset, or the key of the spec's next token.
func completeWorkload(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	var out []string
	for _, p := range workloads.Presets() {
		if strings.HasPrefix(p, toComplete) {
			out = append(out, p)
		}
	}
	for _, k := range workloadKeys {
		if strings.HasPrefix(k, toComplete) {
			out = append(out, k)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}
