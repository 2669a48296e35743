package results

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
)

type writerFunc func(io.Writer, *Document) error

var writers = map[Format]writerFunc{
	Table:   writeTable,
	JSON:    writeJSON,
	JSONL:   writeJSONL,
	CSV:     writeCSV,
	CSVLong: writeCSVLong,
	MD:      writeMarkdown,
	Bench:   writeBench,
	HLog:    writeHLog,
	HGRM:    writeHGRM,
}

// Formats returns every format name, in the order the help text lists them.
func Formats() []Format {
	return []Format{Table, JSON, JSONL, CSV, CSVLong, MD, Bench, HLog, HGRM}
}

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
	{".txt", Bench}, {".hlog", HLog}, {".hgrm", HGRM},
}

// FormatForPath picks the format from a file name's extension: .json,
// .jsonl, .csv (wide), .md, .txt (Go benchmark format), .hlog, .hgrm.
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

// Write renders doc in format f.
func Write(w io.Writer, f Format, doc *Document) error {
	wf, ok := writers[f]
	if !ok {
		return fmt.Errorf("unknown format %q (valid: %s)", f, formatList())
	}
	if doc == nil {
		return fmt.Errorf("results: nil document")
	}
	return wf(w, doc)
}

// WriteFile writes doc to path in format f through a temporary file in the
// same directory, renamed into place only when complete, so an interrupted
// or failed write never leaves a torn file.
func WriteFile(path string, f Format, doc *Document) error {
	if _, ok := writers[f]; !ok {
		return fmt.Errorf("unknown format %q (valid: %s)", f, formatList())
	}
	return WriteAtomic(path, func(w io.Writer) error {
		if err := Write(w, f, doc); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		return nil
	})
}

// WriteAtomic creates path with what fn writes, through a buffered temporary
// file in the same directory that is synced, made 0644 and renamed into
// place only when fn succeeds: readers never see a torn or partial file.
func WriteAtomic(path string, fn func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
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

// sortedKeys returns a map's keys in order, for deterministic output.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
