package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/dsbench/dsbench/results"
	"github.com/dsbench/dsbench/results/merge"
)

func init() { commands = append(commands, newMergeCmd) }

func newMergeCmd(a *App) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "merge SHARD.json… -o ALL.json",
		Short: "Combine the shards of one run (--shard k/n) into one result",
		Long: `Merge combines the results of one run executed as shards on several machines
(dsbench run --shard k/n, the same seed and settings everywhere) into the
result of the whole load: HDR histograms merge bucket by bucket and counters
add exactly, and the summaries and fairness figures are recomputed from them.
The inputs must be shards 0…n−1 of one n, each exactly once.

Run the shards with a scheduler you already have: GNU parallel over ssh, or
a Kubernetes Indexed Job (scripts/k8s/dsbench-shards.yaml).`,
		Example: `  parallel --sshlogin h1,h2,h3,h4 --return shard-{}.json \
    dsbench run hashing/ring --duration 60s --seed 42 --shard {}/4 -o shard-{}.json ::: 0 1 2 3
  dsbench merge shard-*.json -o all.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usagef("merge needs -o FILE for the merged result")
			}
			if err := results.CheckOutput(out, args...); err != nil {
				return usagef("-o %s: %v", out, err)
			}
			var docs []*results.Document
			for _, p := range args {
				d, err := readDoc(p)
				if err != nil {
					return err
				}
				docs = append(docs, d)
			}
			m, err := merge.Merge(docs)
			if err != nil {
				return usagef("%v", err)
			}
			m.Environment.Command = commandLine(a)
			f, err := results.FormatForPath(out)
			if err != nil {
				return usagef("-o %s: %v", out, err)
			}
			if f != results.JSON && f != results.JSONL {
				return usagef("-o %s: merge writes json or jsonl, the formats merge and compare read back", out)
			}
			if err := results.WriteFile(out, f, m); err != nil {
				return err
			}
			if m.Interrupted {
				return exitError{exitInterrupted, errors.New("a shard was interrupted: the merged result is marked \"interrupted\"")}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the merged result to FILE (.json or .jsonl)")
	return cmd
}

// commandLine is the invocation recorded in the results.
func commandLine(a *App) string {
	return results.CommandLine(append([]string{"dsbench"}, a.Args...))
}
