package results

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestJSONRoundTrip(t *testing.T) {
	doc := fixtureDoc()
	path := filepath.Join(t.TempDir(), "runs.json")
	if err := WriteFile(path, JSON, doc); err != nil {
		t.Fatal(err)
	}
	back, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, doc) {
		a, _ := json.Marshal(doc)
		b, _ := json.Marshal(back)
		t.Fatalf("JSON round trip changed the document:\n%s\n%s", a, b)
	}
}

func TestJSONLRoundTrip(t *testing.T) {
	doc := fixtureDoc()
	path := filepath.Join(t.TempDir(), "runs.jsonl")
	if err := WriteFile(path, JSONL, doc); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if len(lines) != len(doc.Runs) {
		t.Fatalf("%d lines for %d runs", len(lines), len(doc.Runs))
	}
	for i, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if m["schema"] != SchemaVersion || m["environment"] == nil || m["id"] != doc.Runs[i].ID {
			t.Fatalf("line %d does not stand alone: schema %v, environment %v, id %v", i+1, m["schema"], m["environment"] != nil, m["id"])
		}
	}
	back, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, doc) {
		t.Fatal("JSON Lines round trip changed the document")
	}
}

func TestReadRejectsOtherSchemas(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"schema":"dsbench/v2","runs":[]}`, `"dsbench/v2" is not supported`},
		{`{"runs":[]}`, `no "schema" field`},
		{`[1,2]`, "not a dsbench JSON document"},
		{`{"schema":"dsbench/v1","runs":[{"ops":"many"}]}`, "not a dsbench JSON document"},
	} {
		_, err := Read(strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Read(%s) error %v, want one containing %q", c.in, err, c.want)
		}
	}
	path := filepath.Join(t.TempDir(), "old.json")
	os.WriteFile(path, []byte(`{"schema":"other/v1"}`), 0o644)
	if _, err := ReadFile(path); err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), SchemaVersion) {
		t.Errorf("ReadFile error %v should name the file and the schema it wants", err)
	}
}

// JSON cannot hold NaN or ±Inf: the writers replace them and leave the
// caller's document as it was.
func TestJSONGuardsNonFinite(t *testing.T) {
	doc := fixtureDoc()
	r := &doc.Runs[0]
	r.LatencyNs.Mean = math.NaN()
	r.ThroughputOpsS = math.Inf(1)
	r.Fairness.Shards.Jain = math.NaN()
	r.Metrics["bad"] = math.Inf(-1)
	r.Intervals[0].LatencyP99Ns = math.NaN()
	r.Kinds["read"] = KindRun{LatencyNs: Summary{P99: math.NaN()}}
	for _, f := range []Format{JSON, JSONL} {
		var buf bytes.Buffer
		if err := Write(&buf, f, doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if strings.Contains(buf.String(), `"bad"`) {
			t.Errorf("%s: a non-finite metric was written", f)
		}
	}
	var buf bytes.Buffer
	Write(&buf, JSON, doc)
	back, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if b := back.Runs[0]; b.LatencyNs.Mean != 0 || b.ThroughputOpsS != 0 || b.Fairness.Shards.Jain != 0 || b.Intervals[0].LatencyP99Ns != 0 {
		t.Errorf("non-finite figures should read back as 0: %+v", b.LatencyNs)
	}
	if !math.IsNaN(r.LatencyNs.Mean) || !math.IsInf(r.Metrics["bad"], -1) {
		t.Error("writing modified the caller's document")
	}
}
