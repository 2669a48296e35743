package results

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// Format names an output format.
type Format string

// The output formats.
const (
	Table   Format = "table"    // aligned text table for a terminal
	JSON    Format = "json"     // the dsbench/v1 Document, indented
	JSONL   Format = "jsonl"    // one run per line, environment folded in
	CSV     Format = "csv"      // wide: one row per run
	CSVLong Format = "csv-long" // long: run_id,target,workload,metric,value
	MD      Format = "md"       // GitHub Markdown tables
	Bench   Format = "bench"    // Go benchmark format, read by benchstat
	HLog    Format = "hlog"     // HdrHistogram interval log
	HGRM    Format = "hgrm"     // HdrHistogram percentile distribution
	// Intervals is every run's per-interval time series as CSV, one row per
	// (run, interval): -o intervals:FILE.csv.
	Intervals Format = "intervals"
	// XLSX is an Excel workbook (sheets runs, metrics, intervals,
	// percentiles, environment, and aggregate for repeated runs).
	XLSX Format = "xlsx"
)

// Options tunes the writers; the zero value gives every format's default.
type Options struct {
	// Columns, when set, is exactly the wide table's columns, in order, for
	// csv and the xlsx runs sheet (names checked by ParseColumns), so files
	// written by different invocations line up.
	Columns []string
	// Table tunes the human formats (table and md).
	Table TableOptions
}

type writerFunc func(io.Writer, *Document, Options) error

var writers = map[Format]writerFunc{
	Table:     func(w io.Writer, d *Document, o Options) error { return WriteTable(w, d, o.Table) },
	JSON:      func(w io.Writer, d *Document, _ Options) error { return writeJSON(w, d) },
	JSONL:     func(w io.Writer, d *Document, _ Options) error { return writeJSONL(w, d) },
	CSV:       writeCSV,
	CSVLong:   func(w io.Writer, d *Document, _ Options) error { return writeCSVLong(w, d) },
	MD:        func(w io.Writer, d *Document, o Options) error { return WriteMarkdown(w, d, o.Table) },
	Bench:     func(w io.Writer, d *Document, _ Options) error { return writeBench(w, d) },
	HLog:      func(w io.Writer, d *Document, _ Options) error { return writeHLog(w, d) },
	HGRM:      func(w io.Writer, d *Document, _ Options) error { return writeHGRM(w, d) },
	Intervals: func(w io.Writer, d *Document, _ Options) error { return writeIntervals(w, d) },
	XLSX:      writeXLSX,
}

// Formats returns every format name, in the order the help text lists them.
func Formats() []Format {
	return []Format{Table, JSON, JSONL, CSV, CSVLong, MD, Bench, HLog, HGRM, Intervals, XLSX}
}

// Binary reports whether a format is a binary file format, which belongs in
// a file (-o), not on a terminal.
func (f Format) Binary() bool { return f == XLSX }

func formatList() string {
	names := make([]string, 0, len(writers))
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return strings.Join(names, ", ")
}

// ParseFormat returns the format called name.
func ParseFormat(name string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(name)))
	if _, ok := writers[f]; !ok {
		return "", fmt.Errorf("unknown format %q (valid: %s)", name, formatList())
	}
	return f, nil
}

// extensions maps a file extension to the format it implies.
var extensions = []struct {
	ext string
	f   Format
}{
	{".json", JSON}, {".jsonl", JSONL}, {".csv", CSV}, {".md", MD},
	{".txt", Bench}, {".hlog", HLog}, {".hgrm", HGRM}, {".xlsx", XLSX},
}

// FormatForPath picks the format from a file name's extension: .json,
// .jsonl, .csv (wide), .md, .txt (Go benchmark format), .hlog, .hgrm, .xlsx.
// csv-long and intervals are CSV too, so they are named: -o csv-long:F.csv.
func FormatForPath(path string) (Format, error) {
	ext := strings.ToLower(filepath.Ext(path))
	var valid []string
	for _, e := range extensions {
		if e.ext == ext {
			return e.f, nil
		}
		valid = append(valid, e.ext)
	}
	return "", fmt.Errorf("cannot tell the format of %q from its extension %q (known: %s)",
		path, ext, strings.Join(valid, ", "))
}

// ParseOutput reads an -o argument: FORMAT:FILE when the text before the
// first colon is a format name, otherwise FILE with the format taken from
// its extension.
func ParseOutput(arg string) (Format, string, error) {
	if name, path, ok := strings.Cut(arg, ":"); ok {
		if f, err := ParseFormat(name); err == nil {
			if path == "" {
				return "", "", fmt.Errorf("output %q names format %s but no file", arg, f)
			}
			return f, path, nil
		}
	}
	if arg == "" {
		return "", "", fmt.Errorf("empty output file name")
	}
	f, err := FormatForPath(arg)
	return f, arg, err
}

// Write renders doc in format f with the default options.
func Write(w io.Writer, f Format, doc *Document) error {
	return WriteWith(w, f, doc, Options{})
}

// WriteWith renders doc in format f.
func WriteWith(w io.Writer, f Format, doc *Document, o Options) error {
	wf, ok := writers[f]
	if !ok {
		return fmt.Errorf("unknown format %q (valid: %s)", f, formatList())
	}
	if doc == nil {
		return fmt.Errorf("results: nil document")
	}
	return wf(w, doc, o)
}

// WriteFile writes doc to path in format f with the default options (see
// WriteFileWith).
func WriteFile(path string, f Format, doc *Document) error {
	return WriteFileWith(path, f, doc, Options{})
}

// WriteFileWith writes doc to path in format f through a temporary file in
// the same directory, renamed into place only when complete, so an
// interrupted or failed write never leaves a torn file.
func WriteFileWith(path string, f Format, doc *Document, o Options) error {
	if _, ok := writers[f]; !ok {
		return fmt.Errorf("unknown format %q (valid: %s)", f, formatList())
	}
	return WriteAtomic(path, func(w io.Writer) error {
		if err := WriteWith(w, f, doc, o); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		return nil
	})
}

// WriteAtomic creates path with what fn writes, through a buffered temporary
// file in the same directory that is synced, made 0644 and renamed into
// place only when fn succeeds: readers never see a torn or partial file.
// A symlink is followed (the file it names is replaced, the link stays);
// a special file (/dev/stdout, a FIFO, a terminal) is written through, not
// replaced by a regular file. The temporary file is removed on every
// error, and by RemoveTemps when the process is stopped mid-write.
func WriteAtomic(path string, fn func(io.Writer) error) (err error) {
	path, err = resolveOutput(path)
	if err != nil {
		return err
	}
	if st, serr := os.Stat(path); serr == nil {
		switch {
		case st.IsDir():
			return fmt.Errorf("%s is a directory", path)
		case !st.Mode().IsRegular() || isStream(path):
			return writeThrough(path, fn)
		}
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return err
	}
	forget := liveTemps.add(tmp.Name())
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
		forget()
	}()
	bw := bufio.NewWriterSize(tmp, 1<<16)
	if err = fn(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// isStream reports whether path names one of the process's streams
// (/dev/stdout, /dev/fd/N, /proc/self/fd/N): even when it resolves to a
// regular file (stdout redirected to one), it is written through, so the
// redirection's file is not replaced under the shell.
func isStream(path string) bool {
	return strings.HasPrefix(path, "/dev/") || strings.HasPrefix(path, "/proc/self/fd/")
}

// writeThrough writes to a special file in place.
func writeThrough(path string, fn func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0) // append: a redirected stdout keeps what is already written
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	if err := fn(bw); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// resolveOutput follows path's symlinks, a dangling one included (the
// file is created where the link points).
func resolveOutput(path string) (string, error) {
	if st, err := os.Stat(path); err == nil && (isStream(path) || !st.Mode().IsRegular() && !st.IsDir()) {
		return path, nil // a special file (/dev/stdout → /proc/self/fd/1 → pipe:[…]) is opened by the name given
	}
	for range 40 {
		st, err := os.Lstat(path)
		if err != nil || st.Mode()&os.ModeSymlink == 0 {
			return path, nil
		}
		to, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(to) {
			to = filepath.Join(filepath.Dir(path), to)
		}
		path = to
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links", path)
}

// CheckOutput reports, before anything runs, why path cannot be written:
// its directory is missing or not writable, it is a directory, or it is
// one of inputs (a trace, a baseline, a compared file, a suite: writing
// would destroy it). A special file (a FIFO, /dev/stdout) passes: it is
// written through.
func CheckOutput(path string, inputs ...string) error {
	real, err := resolveOutput(path)
	if err != nil {
		return err
	}
	st, err := os.Stat(real)
	if err == nil {
		if st.IsDir() {
			return fmt.Errorf("%s is a directory", path)
		}
		for _, in := range inputs {
			if ist, err := os.Stat(in); err == nil && os.SameFile(st, ist) {
				return fmt.Errorf("%s is also an input of this command (%s): writing it would destroy it", path, in)
			}
		}
		if !st.Mode().IsRegular() {
			return nil
		}
	}
	dir := filepath.Dir(real)
	dst, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("directory %s: %w", dir, err)
	}
	if !dst.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	probe, err := os.CreateTemp(dir, ".dsbench-check-*")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", dir, errors.Unwrap(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// tempSet is the temporary files being written, for RemoveTemps.
type tempSet struct {
	mu    sync.Mutex
	names map[string]bool
}

var liveTemps = &tempSet{names: map[string]bool{}}

func (t *tempSet) add(name string) (forget func()) {
	t.mu.Lock()
	t.names[name] = true
	t.mu.Unlock()
	return func() {
		t.mu.Lock()
		delete(t.names, name)
		t.mu.Unlock()
	}
}

// RemoveTemps removes the temporary files of writes still in progress: a
// command that must exit at once (a second Ctrl-C) calls it first, so no
// partial file is left behind.
func RemoveTemps() {
	liveTemps.mu.Lock()
	defer liveTemps.mu.Unlock()
	for name := range liveTemps.names {
		os.Remove(name)
	}
}

// sortedKeys returns a map's keys in order, for deterministic output.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
