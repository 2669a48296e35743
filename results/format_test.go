package results

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseFormat(t *testing.T) {
	for _, f := range Formats() {
		got, err := ParseFormat(string(f))
		if err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
		if _, ok := writers[f]; !ok {
			t.Errorf("format %s has no writer", f)
		}
	}
	if len(writers) != len(Formats()) {
		t.Errorf("%d writers but Formats lists %d", len(writers), len(Formats()))
	}
	if got, err := ParseFormat(" CSV-Long "); err != nil || got != CSVLong {
		t.Errorf("ParseFormat is not forgiving of case and spaces: %q, %v", got, err)
	}
	_, err := ParseFormat("xml")
	if err == nil || !strings.Contains(err.Error(), `"xml"`) || !strings.Contains(err.Error(), "csv-long") {
		t.Errorf("ParseFormat(xml) error %v should name the value and the valid formats", err)
	}
}

func TestFormatForPath(t *testing.T) {
	for path, want := range map[string]Format{
		"out.json": JSON, "a/b/runs.jsonl": JSONL, "x.csv": CSV, "README.MD": MD,
		"new.txt": Bench, "lat.hlog": HLog, "lat.hgrm": HGRM,
	} {
		if got, err := FormatForPath(path); err != nil || got != want {
			t.Errorf("FormatForPath(%q) = %q, %v; want %s", path, got, err, want)
		}
	}
	for _, bad := range []string{"out.xml", "noext"} {
		_, err := FormatForPath(bad)
		if err == nil || !strings.Contains(err.Error(), ".hgrm") || !strings.Contains(err.Error(), bad) {
			t.Errorf("FormatForPath(%q) error %v should name the file and the known extensions", bad, err)
		}
	}
}

func TestParseOutput(t *testing.T) {
	for _, c := range []struct {
		arg  string
		f    Format
		path string
	}{
		{"runs.json", JSON, "runs.json"},
		{"csv-long:runs.csv", CSVLong, "runs.csv"},
		{"table:out.log", Table, "out.log"},
		{"bench:dir/with:colon.txt", Bench, "dir/with:colon.txt"},
		{"C:results.csv", CSV, "C:results.csv"}, // "C" is no format: a path
	} {
		f, path, err := ParseOutput(c.arg)
		if err != nil || f != c.f || path != c.path {
			t.Errorf("ParseOutput(%q) = %q, %q, %v; want %s, %q", c.arg, f, path, err, c.f, c.path)
		}
	}
	for _, bad := range []string{"", "json:", "out.xml"} {
		if _, _, err := ParseOutput(bad); err == nil {
			t.Errorf("ParseOutput(%q) succeeded", bad)
		}
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	if err := Write(&bytes.Buffer{}, "xml", fixtureDoc()); err == nil {
		t.Fatal("Write accepted an unknown format")
	}
	if err := WriteFile(filepath.Join(t.TempDir(), "x"), "xml", fixtureDoc()); err == nil {
		t.Fatal("WriteFile accepted an unknown format")
	}
}

func TestWriteFileReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "runs.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	doc := fixtureDoc()
	if err := WriteFile(path, JSON, doc); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	Write(&want, JSON, doc)
	got, _ := os.ReadFile(path)
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatal("WriteFile wrote something other than Write")
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}

	// A write that fails half-way (a corrupt histogram, found after the
	// first block) leaves the old file and no temporary behind.
	bad := fixtureDoc()
	bad.Runs[1].Histogram = "HISTFnot-a-histogram"
	if err := WriteFile(path, HGRM, bad); err == nil {
		t.Fatal("WriteFile succeeded with a corrupt histogram")
	}
	if got2, _ := os.ReadFile(path); !bytes.Equal(got2, want.Bytes()) {
		t.Fatal("a failed WriteFile changed the existing file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("temporary files left behind: %v", names)
	}
	if err := WriteFile(filepath.Join(dir, "missing", "x.json"), JSON, doc); err == nil {
		t.Fatal("WriteFile into a missing directory succeeded")
	}
}
