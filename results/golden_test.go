package results

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenName is the fixture's golden file for each format.
var goldenName = map[Format]string{
	Table: "fixture.table.txt", JSON: "fixture.json", JSONL: "fixture.jsonl", CSV: "fixture.csv",
	CSVLong: "fixture.long.csv", MD: "fixture.md", Bench: "fixture.bench.txt",
	HLog: "fixture.hlog", HGRM: "fixture.hgrm", Intervals: "fixture.intervals.csv",
}

func TestGolden(t *testing.T) {
	doc := fixtureDoc()
	for _, f := range Formats() {
		t.Run(string(f), func(t *testing.T) {
			if f.Binary() {
				t.Skip("a binary format: TestXLSX reads it back cell by cell")
			}
			name, ok := goldenName[f]
			if !ok {
				t.Fatalf("no golden file named for format %s", f)
			}
			var buf bytes.Buffer
			if err := Write(&buf, f, doc); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", name)
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./results -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s output differs from %s (go test ./results -update to accept):\n got:\n%s\nwant:\n%s", f, path, buf.Bytes(), want)
			}
		})
	}
}
