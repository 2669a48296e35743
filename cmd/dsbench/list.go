package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/workloads"
)

func init() { commands = append(commands, newListCmd) }

func newListCmd(a *App) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [FAMILY | FAMILY/NAME]",
		Short: "List targets with their parameters and clocks, and the workload vocabulary",
		Long: `List every registered target (or one family's) with its description, its
parameters (type, default, allowed values) and the clocks it runs on, then the
workload presets, key distributions and arrival processes. A target alias (a
second name for a target with some defaults changed, e.g.
loadbalance/least-response-time) is listed in its family with what it runs.`,
		Example: "  dsbench list\n  dsbench list hashing\n  dsbench list hashing/ring\n  dsbench list --json | jq '.targets[].name'",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			family, target := "", ""
			if len(args) == 1 {
				family = args[0]
				if strings.Contains(family, "/") {
					if _, err := algorithms.Lookup(family); err != nil {
						return usageError{err}
					}
					family, target = "", family
				} else if !slices.Contains(algorithms.Families(), family) {
					hint := ""
					if s := algorithms.Suggest(family, append(algorithms.Families(), algorithms.Names()...)); s != "" {
						hint = fmt.Sprintf(" (did you mean %q?)", s)
					}
					return usagef("unknown family %q%s (valid: %s, or FAMILY/NAME for one target)", family, hint, strings.Join(algorithms.Families(), ", "))
				}
			}
			l := buildListing(family)
			if target != "" {
				l = oneTarget(l, target)
			}
			if asJSON {
				enc := json.NewEncoder(a.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(l)
			}
			writeListing(a.Stdout, l)
			return nil
		},
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return append(algorithms.Families(), algorithms.Names()...), cobra.ShellCompDirectiveNoFileComp
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

type listing struct {
	Targets       []listedTarget `json:"targets"`
	Presets       []listedPreset `json:"presets"`
	KeyDists      []string       `json:"key_distributions"`
	Arrivals      []string       `json:"arrival_processes"`
	DurationDists []string       `json:"duration_distributions"`
	// Cluster is the simulated cluster's vocabulary, shared by every
	// networked target (global defaults; a target's own are in its params).
	Cluster []listedParam `json:"cluster_params"`
}

type listedTarget struct {
	Name        string        `json:"name"`
	Description string        `json:"description"`
	Clocks      []string      `json:"clocks"` // the default first
	Tour        bool          `json:"tour"`
	Workload    string        `json:"workload,omitempty"`
	Params      []listedParam `json:"params"`
	Aliases     string        `json:"aliases,omitempty"`
	// AliasOf names the target a target alias runs (its Description says
	// with which parameter defaults).
	AliasOf string `json:"alias_of,omitempty"`
}

type listedParam struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Default string `json:"default"`
	Allowed string `json:"allowed"`
	Doc     string `json:"doc"`
	Cluster bool   `json:"cluster,omitempty"`
}

type listedPreset struct {
	Name string `json:"name"`
	Spec string `json:"spec"`
}

func buildListing(family string) listing {
	l := listing{
		KeyDists:      workloads.KeyDistForms,
		Arrivals:      workloads.ArrivalForms,
		DurationDists: workloads.DurationDistForms,
	}
	for _, info := range algorithms.All() {
		if family != "" && info.Family() != family {
			continue
		}
		t := listedTarget{Name: info.Name, Description: info.Description, Tour: info.Tour, Workload: info.Workload, Params: []listedParam{}}
		for _, c := range info.Clocks() {
			t.Clocks = append(t.Clocks, string(c))
		}
		for _, p := range info.Params {
			t.Params = append(t.Params, listedParam{Name: p.Name, Type: string(p.Type), Default: p.Default, Allowed: p.Allowed(), Doc: p.Doc, Cluster: p.Cluster})
		}
		t.Aliases = info.AliasNote()
		l.Targets = append(l.Targets, t)
	}
	for _, a := range algorithms.Aliases() {
		info, err := algorithms.Lookup(a.Name)
		if err != nil || (family != "" && info.Family() != family) {
			continue
		}
		t := listedTarget{Name: info.Name, Description: info.Description, Workload: info.Workload, Params: []listedParam{}, AliasOf: info.AliasOf}
		for _, c := range info.Clocks() {
			t.Clocks = append(t.Clocks, string(c))
		}
		for _, p := range info.Params {
			t.Params = append(t.Params, listedParam{Name: p.Name, Type: string(p.Type), Default: p.Default, Allowed: p.Allowed(), Doc: p.Doc, Cluster: p.Cluster})
		}
		l.Targets = append(l.Targets, t)
	}
	slices.SortStableFunc(l.Targets, func(a, b listedTarget) int { return strings.Compare(a.Name, b.Name) })
	for _, p := range algorithms.ClusterParams() {
		l.Cluster = append(l.Cluster, listedParam{Name: p.Name, Type: string(p.Type), Default: p.Default, Allowed: p.Allowed(), Doc: p.Doc, Cluster: true})
	}
	for _, name := range workloads.Presets() {
		l.Presets = append(l.Presets, listedPreset{Name: name, Spec: workloads.PresetSpec(name)})
	}
	return l
}

// oneTarget keeps one target of a listing, and the vocabulary it uses.
func oneTarget(l listing, name string) listing {
	for _, t := range l.Targets {
		if t.Name == name {
			l.Targets = []listedTarget{t}
			break
		}
	}
	l.Presets, l.KeyDists, l.Arrivals, l.DurationDists = nil, nil, nil, nil
	return l
}

func writeListing(w io.Writer, l listing) {
	fam := ""
	for _, t := range l.Targets {
		if f, _, _ := strings.Cut(t.Name, "/"); f != fam {
			fam = f
			fmt.Fprintf(w, "\n%s\n", strings.ToUpper(fam))
		}
		mark := ""
		if t.Tour {
			mark = "  (in the tour)"
		}
		fmt.Fprintf(w, "  %-32s %s%s\n", t.Name, t.Description, mark)
		fmt.Fprintf(w, "  %-32s clocks: %s\n", "", strings.Join(t.Clocks, ", "))
		if t.AliasOf != "" && len(l.Targets) > 1 {
			continue // its parameters are its target's, listed there
		}
		var cluster []string
		for _, p := range t.Params {
			if p.Cluster {
				if p.Default != clusterDefault(l.Cluster, p.Name) || p.Name == "nodes" {
					cluster = append(cluster, p.Name+"="+p.Default)
				}
				continue
			}
			fmt.Fprintf(w, "  %-32s   %s=%s  (%s) %s\n", "", p.Name, p.Default, p.Allowed, p.Doc)
		}
		if hasCluster(t) {
			fmt.Fprintf(w, "  %-32s   + the cluster parameters (CLUSTER PARAMETERS below); defaults here: %s\n", "", strings.Join(cluster, " "))
		}
		if t.Aliases != "" {
			fmt.Fprintf(w, "  %-32s   %s\n", "", t.Aliases)
		}
		if len(l.Targets) == 1 && t.Workload != "" {
			fmt.Fprintf(w, "  %-32s default workload: %s\n", "", t.Workload)
		}
	}
	if usesCluster(l) {
		fmt.Fprintf(w, "\nCLUSTER PARAMETERS (every networked target: the simulated cluster, harness/simnet)\n")
		for _, p := range l.Cluster {
			fmt.Fprintf(w, "  %s=%s  (%s) %s\n", p.Name, p.Default, p.Allowed, p.Doc)
		}
	}
	if l.Presets == nil {
		return // one target: its own figures, not the whole vocabulary
	}
	fmt.Fprintf(w, "\nWORKLOAD PRESETS\n")
	for _, p := range l.Presets {
		fmt.Fprintf(w, "  %-10s %s\n", p.Name, p.Spec)
	}
	fmt.Fprintf(w, "\nKEY DISTRIBUTIONS (keys=…)\n")
	for _, k := range l.KeyDists {
		fmt.Fprintf(w, "  %s\n", k)
	}
	fmt.Fprintf(w, "\nARRIVAL PROCESSES (arrival=…)\n")
	for _, k := range l.Arrivals {
		fmt.Fprintf(w, "  %s\n", k)
	}
	fmt.Fprintf(w, "\nDURATION DISTRIBUTIONS (parameters of type dist)\n")
	for _, k := range l.DurationDists {
		fmt.Fprintf(w, "  %s\n", k)
	}
}

// completeTargets completes target names for run.
func completeTargets(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	names := algorithms.Names()
	for _, a := range algorithms.Aliases() {
		names = append(names, a.Name)
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}

func clusterDefault(ps []listedParam, name string) string {
	for _, p := range ps {
		if p.Name == name {
			return p.Default
		}
	}
	return ""
}

func hasCluster(t listedTarget) bool {
	for _, p := range t.Params {
		if p.Cluster {
			return true
		}
	}
	return false
}

func usesCluster(l listing) bool {
	for _, t := range l.Targets {
		if hasCluster(t) {
			return true
		}
	}
	return false
}
