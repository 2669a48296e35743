package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/dsbench/dsbench/bench"
	"github.com/dsbench/dsbench/results"
	"github.com/dsbench/dsbench/workloads"
)

func init() { commands = append(commands, newGenCmd) }

type genOptions struct {
	workload string
	ops      uint64
	seed     string
	format   string
	output   string
	stats    bool
	shard    string
}

func newGenCmd(a *App) *cobra.Command {
	var o genOptions
	cmd := &cobra.Command{
		Use:   "gen",
		Short: "Print a workload's op stream (CSV or binary trace), or its statistics",
		Long: `Generate the op stream a workload spec and seed produce, as a trace that
'dsbench run --trace FILE' replays exactly (intended start times included), or
with --stats a summary: key frequency by rank, top-k shares, op kinds, clients,
arrival rate per second and burstiness (CV of inter-arrival gaps).

The CSV form has the header seq,at_ns,kind,key,client,size. The same spec and
seed give the same stream byte for byte on every machine.`,
		Example: `  dsbench gen -w ycsb-a --ops 10
  dsbench gen -w 'keys=zipf:theta=1.2,n=1e6 arrival=poisson:rate=1000' --ops 1e5 --stats
  dsbench gen -w ycsb-b --ops 1000000 --format bin -o ycsb-b.trace`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return a.gen(o) },
	}
	f := cmd.Flags()
	f.StringVarP(&o.workload, "workload", "w", "ycsb-a", "workload: a preset or a spec")
	o.ops = 20
	f.VarP(countValue{&o.ops}, "ops", "n", "ops to generate, e.g. 1e6")
	f.StringVar(&o.seed, "seed", "", "root seed, or \"random\" (default 1)")
	f.StringVar(&o.format, "format", "csv", "trace format: csv or bin")
	f.StringVarP(&o.output, "output", "o", "", "write to `FILE` instead of stdout (written to a temporary name, then renamed)")
	f.BoolVar(&o.stats, "stats", false, "print a statistical summary instead of the ops")
	f.StringVar(&o.shard, "shard", "", "generate only shard `k/n` of the stream")
	return cmd
}

func (a *App) gen(o genOptions) error {
	spec, err := workloads.ParseSpec(o.workload)
	if err != nil {
		return usagef("--workload %q: %v", o.workload, err)
	}
	if o.ops == 0 {
		return usagef("--ops 0: want at least 1 op")
	}
	if o.format != "csv" && o.format != "bin" {
		return usagef("--format %q: valid formats are csv, bin", o.format)
	}
	if o.output != "" {
		if err := results.CheckOutput(o.output); err != nil {
			return usagef("-o %s: %v", o.output, err)
		}
	}
	seed, printed, err := parseSeed(o.seed, randomSeed)
	if err != nil {
		return err
	}
	if printed {
		fmt.Fprintf(a.Stderr, "seed: %d (reproduce with --seed %d)\n", seed, seed)
	}
	part, err := bench.ParseShard(o.shard)
	if err != nil {
		return err
	}
	g, err := spec.Generator(seed, part)
	if err != nil {
		return usagef("%v", err)
	}
	if o.stats {
		st := workloads.ComputeStats(g, int(o.ops))
		return writeTo(a.Stdout, o.output, func(w io.Writer) error {
			fmt.Fprintf(w, "workload: %s\nseed: %d\n", spec, seed)
			return writeStats(w, st)
		})
	}
	parent := a.ctx
	if parent == nil {
		parent = context.Background()
	}
	ctx, stop := interruptible(parent, a.Stderr)
	defer stop()
	err = writeTo(a.Stdout, o.output, func(w io.Writer) error {
		tw, err := workloads.NewTraceWriter(w, o.format)
		if err != nil {
			return err
		}
		var op workloads.Op
		for i := uint64(0); i < o.ops; i++ {
			if i%(1<<16) == 0 && ctx.Err() != nil {
				return ctx.Err() // the temporary file is removed: a trace cut short is not a trace
			}
			g.Next(&op)
			if err := tw.Write(&op); err != nil {
				return err
			}
		}
		return tw.Flush()
	})
	if ctx.Err() != nil {
		return exitError{exitInterrupted, errors.New("interrupted: no trace was written")}
	}
	return err
}

// writeTo writes to stdout, or to path through results.WriteAtomic (an
// interrupted gen leaves no torn file).
func writeTo(stdout io.Writer, path string, fn func(io.Writer) error) error {
	if path == "" {
		bw := bufio.NewWriterSize(stdout, 1<<16)
		if err := fn(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	return results.WriteAtomic(path, fn)
}

// writeStats prints a workload summary for people.
func writeStats(w io.Writer, s workloads.Stats) error {
	fmt.Fprintf(w, "ops: %d\n", s.Ops)
	fmt.Fprintf(w, "\nkeys: %d distinct over a span of %d\n", s.Distinct, s.KeySpan)
	fmt.Fprintf(w, "  share of ops to the hottest 1 / 10 / 100 keys: %.2f%% / %.2f%% / %.2f%%\n", 100*s.Top1, 100*s.Top10, 100*s.Top100)
	if onePct := (s.KeySpan + 99) / 100; uint64(s.Distinct) < onePct {
		// Too few distinct keys seen to know which 1% is hottest.
		fmt.Fprintf(w, "  share of ops to the hottest 1%% of the key span:  n/a (only %d distinct keys sampled of %d; generate more ops)\n", s.Distinct, onePct)
	} else {
		fmt.Fprintf(w, "  share of ops to the hottest 1%% of the key span:  %.2f%%\n", 100*s.Top1Pct)
	}
	fmt.Fprintf(w, "  frequency by rank:")
	for _, r := range []int{1, 2, 3, 10, 100, 1000, 10000} {
		if r <= len(s.RankCounts) {
			fmt.Fprintf(w, "  #%d %d", r, s.RankCounts[r-1])
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  hottest keys:")
	for _, k := range s.TopKeys {
		fmt.Fprintf(w, " %d(%d)", k.Key, k.Count)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "\nop kinds:")
	for k := workloads.Kind(0); k < workloads.NumKinds; k++ {
		if n := s.Kinds[k]; n > 0 {
			fmt.Fprintf(w, "  %s %d (%.1f%%)", k, n, 100*float64(n)/float64(s.Ops))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "\nclients: %d distinct, busiest/mean %.2f, CV %.3f\n", s.Clients, s.ClientMaxMean, s.ClientCV)
	if s.Closed {
		fmt.Fprintf(w, "\narrivals: closed loop (no intended schedule)\n")
		return nil
	}
	fmt.Fprintf(w, "\narrivals: mean rate %s over %v, mean gap %v, burstiness (CV of gaps) %.3f\n",
		fmtRate(s.MeanRate), s.Span, s.GapMean, s.GapCV)
	fmt.Fprintf(w, "  ops per second:")
	for i, n := range s.PerSecond {
		if i == 20 {
			fmt.Fprintf(w, " … (%d seconds)", len(s.PerSecond))
			break
		}
		fmt.Fprintf(w, " %d", n)
	}
	fmt.Fprintln(w)
	return nil
}

func fmtRate(r float64) string { return fmt.Sprintf("%.1f ops/s", r) }
