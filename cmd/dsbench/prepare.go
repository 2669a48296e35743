package main

import (
	crand "crypto/rand"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dsbench/dsbench/bench"
	"github.com/dsbench/dsbench/results"
)

// execution is a validated invocation: the plan bench.NewPlan checked and
// the outputs to write. Everything that can be wrong with the input has been
// found before the first run starts (docs/design.md rule 7).
type execution struct {
	opts    RunOptions
	plan    *bench.Plan
	outputs []output
	stdout  results.Format
	write   results.Options // --columns
}

// output is one -o destination.
type output struct {
	format results.Format
	path   string
}

// prepare validates opts and plans the runs.
func (a *App) prepare(opts RunOptions) (*execution, error) {
	ex := &execution{opts: opts}
	seed, printed, err := parseSeed(opts.Seed, randomSeed)
	if err != nil {
		return nil, err
	}
	format := opts.Format
	if format == "" {
		format = "table"
	}
	if ex.stdout, err = parseStdoutFormat(format); err != nil {
		return nil, err
	}
	if opts.Columns != "" {
		if ex.write.Columns, err = results.ParseColumns(opts.Columns); err != nil {
			return nil, usageError{err}
		}
	}
	for _, o := range opts.Outputs {
		out, err := parseOutput(o)
		if err != nil {
			return nil, err
		}
		if err := results.CheckOutput(out.path, opts.Trace); err != nil {
			return nil, usagef("-o %s: %v", o, err)
		}
		ex.outputs = append(ex.outputs, out)
	}
	bo := opts.Options
	bo.Seed = seed
	targets := make([]any, len(opts.Targets))
	for i, t := range opts.Targets {
		targets[i] = t
	}
	if ex.plan, err = bench.NewPlan(targets, opts.Workload, bo); err != nil {
		return nil, err
	}
	if printed {
		fmt.Fprintf(a.Stderr, "seed: %d (reproduce with --seed %d)\n", seed, seed)
	}
	return ex, nil
}

// parseStdoutFormat reads --format: any format but a binary one, which
// belongs in a file.
func parseStdoutFormat(name string) (results.Format, error) {
	f, err := results.ParseFormat(name)
	if err != nil {
		return "", usageError{fmt.Errorf("--format: %w", err)}
	}
	if f.Binary() {
		return "", usagef("--format %s: a binary file format, not for a terminal; write it with -o FILE.%s", f, f)
	}
	return f, nil
}

func randomSeed() uint64 {
	var b [8]byte
	_, _ = crand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:]) >> 1
}

// parseOutput reads -o FILE (format from the extension) or -o FORMAT:FILE,
// and checks that the file's directory exists, so a long run cannot end
// with nowhere to write.
func parseOutput(s string) (output, error) {
	out, err := parseOutputFormat(s)
	if err != nil {
		return out, err
	}
	dir := filepath.Dir(out.path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return output{}, usagef("-o %s: directory %s does not exist", s, dir)
	}
	return out, nil
}

func parseOutputFormat(s string) (output, error) {
	if s == "" || s == "-" {
		return output{}, usagef("-o: want a file name (stdout takes --format)")
	}
	// "nope:runs.csv" is far more likely a mistyped format than a file name
	// with a colon: say so rather than guess from the extension.
	if name, _, ok := strings.Cut(s, ":"); ok && name != "" && !strings.ContainsAny(name, `/\.`) {
		if _, err := results.ParseFormat(name); err != nil {
			return output{}, usageError{fmt.Errorf("-o %s: %w", s, err)}
		}
	}
	f, path, err := results.ParseOutput(s)
	if err != nil {
		return output{}, usageError{fmt.Errorf("-o %s: %w; or name the format: -o FORMAT:%s (formats: %s)", s, err, s, strings.Join(formatNames(), ", "))}
	}
	return output{format: f, path: path}, nil
}
