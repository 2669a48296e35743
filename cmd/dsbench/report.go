package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dsbench/dsbench/results/report"
)

func init() { commands = append(commands, newReportCmd) }

func newReportCmd(a *App) *cobra.Command {
	var dir string
	var noPNG bool
	cmd := &cobra.Command{
		Use:   "report FILE.json",
		Short: "Plot a result: latency percentiles, time series, sweeps, shard load, as SVG/PNG and one HTML page",
		Long: `Report renders a result file as plots: the latency percentile distribution
of every run overlaid on a logarithmic "nines" axis (90%, 99%, 99.9%…, as
HdrHistogram's plotter draws it), throughput and p99 latency over time, a
metric against a swept parameter when runs differ in one parameter, and the
ops per shard of each run. Each chart is written as SVG and PNG, and
report.html holds them all with the summary table: one self-contained file
with no network fetches, fit for a CI artifact.`,
		Example: `  dsbench run hashing/ring -p 'vnodes=10|100|1000' -o sweep.json
  dsbench report sweep.json -o sweep-report && open sweep-report/report.html`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			doc, err := readDoc(args[0])
			if err != nil {
				return err
			}
			paths, err := report.Write(doc, dir, report.Options{PNG: !noPNG})
			if err != nil {
				return err
			}
			for _, p := range paths {
				fmt.Fprintln(a.Stdout, p)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&dir, "output", "o", "dsbench-report", "directory to write the charts and report.html into")
	cmd.Flags().BoolVar(&noPNG, "no-png", false, "write SVG only")
	return cmd
}
