package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// writeJSON writes the Document, indented, with every non-finite number
// replaced (see sanitized) so encoding never fails.
func writeJSON(w io.Writer, doc *Document) error {
	d := sanitized(doc)
	if d.Schema == "" {
		d.Schema = SchemaVersion
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}

// RunLine is one line of the JSON Lines format: a run with the document's
// schema and environment folded in, so every line stands alone (for jq, log
// shippers and databases that ingest one object per line). The run's fields
// are at the top level.
type RunLine struct {
	Schema      string      `json:"schema"`
	Environment Environment `json:"environment"`
	Run
}

func writeJSONL(w io.Writer, doc *Document) error {
	d := sanitized(doc)
	enc := json.NewEncoder(w) // Encode ends each value with a newline
	for _, r := range d.Runs {
		if err := enc.Encode(RunLine{Schema: SchemaVersion, Environment: d.Environment, Run: r}); err != nil {
			return err
		}
	}
	return nil
}

// ReadFile reads a document written in the json format, or in the jsonl
// format when the name ends in .jsonl. It fails with a clear error when the
// schema is not dsbench/v1.
func ReadFile(path string) (*Document, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc *Document
	if strings.EqualFold(filepath.Ext(path), ".jsonl") {
		doc, err = readJSONL(b)
	} else {
		doc, err = Read(bytes.NewReader(b))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return doc, nil
}

// Read decodes one JSON document and checks its schema.
func Read(r io.Reader) (*Document, error) {
	var doc Document
	dec := json.NewDecoder(r)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not a dsbench JSON document: %w", err)
	}
	// One document only: trailing data (a second document, a torn append)
	// would otherwise be ignored.
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("not one dsbench JSON document: more data after it, at byte %d", dec.InputOffset())
	}
	if err := checkSchema(doc.Schema); err != nil {
		return nil, err
	}
	if doc.Runs == nil {
		doc.Runs = []Run{}
	}
	if err := checkFigures(doc.Runs); err != nil {
		return nil, err
	}
	return &doc, nil
}

// maxSeconds bounds a run's times: about 31 years.
const maxSeconds = 1e9

// checkFigures refuses times no run can have (a hand-edited or corrupted
// document: an interval at start_s 1e300 crashed the report's charts).
func checkFigures(runs []Run) error {
	for _, r := range runs {
		if d := r.DurationS; !(d >= 0 && d <= maxSeconds) {
			return fmt.Errorf("run %s: duration_s=%g is outside 0…%g", r.ID, d, float64(maxSeconds))
		}
		prev := -1.0
		for i, iv := range r.Intervals {
			if s := iv.StartS; !(s >= 0 && s <= maxSeconds) || s < prev {
				return fmt.Errorf("run %s: intervals[%d].start_s=%g is outside 0…%g or before the interval before it", r.ID, i, s, float64(maxSeconds))
			}
			prev = iv.StartS
		}
	}
	return nil
}

func readJSONL(b []byte) (*Document, error) {
	doc := &Document{Schema: SchemaVersion, Runs: []Run{}}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 64<<20) // a line holds two encoded histograms
	for n := 1; sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var line RunLine
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if err := checkSchema(line.Schema); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if err := checkFigures([]Run{line.Run}); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		doc.Environment = line.Environment
		doc.Runs = append(doc.Runs, line.Run)
		doc.Interrupted = doc.Interrupted || line.Run.Interrupted
	}
	return doc, sc.Err()
}

func checkSchema(s string) error {
	switch s {
	case SchemaVersion:
		return nil
	case "":
		return fmt.Errorf("no \"schema\" field: not a dsbench document (want %q)", SchemaVersion)
	default:
		return fmt.Errorf("schema %q is not supported (want %q)", s, SchemaVersion)
	}
}

// sanitized returns a copy of doc whose numbers are all finite, since JSON
// cannot hold NaN or ±Inf: summary, fairness and interval figures become 0
// and non-finite metrics are omitted, as NewRun does. doc is not modified.
func sanitized(doc *Document) *Document {
	d := *doc
	d.Runs = make([]Run, len(doc.Runs))
	for i, r := range doc.Runs {
		d.Runs[i] = sanitizeRun(r)
	}
	return &d
}

func sanitizeRun(r Run) Run {
	r.DurationS = finite(r.DurationS)
	r.ThroughputOpsS = finite(r.ThroughputOpsS)
	r.LatencyNs = r.LatencyNs.finite()
	r.ServiceNs = r.ServiceNs.finite()
	if r.SendLagNs != nil {
		lag := r.SendLagNs.finite()
		r.SendLagNs = &lag
	}
	r.RequestedOpsS = finite(r.RequestedOpsS)
	if r.Kinds != nil {
		kinds := make(map[string]KindRun, len(r.Kinds))
		for k, kr := range r.Kinds {
			kr.LatencyNs, kr.ServiceNs = kr.LatencyNs.finite(), kr.ServiceNs.finite()
			kinds[k] = kr
		}
		r.Kinds = kinds
	}
	r.Fairness.Shards = r.Fairness.Shards.finite()
	r.Fairness.Clients = r.Fairness.Clients.finite()
	if r.Metrics != nil {
		r.Metrics = finiteMetrics(r.Metrics)
	}
	if r.Intervals != nil {
		ivs := make([]Interval, len(r.Intervals))
		for i, iv := range r.Intervals {
			iv.StartS, iv.ThroughputOpsS = finite(iv.StartS), finite(iv.ThroughputOpsS)
			iv.LatencyP50Ns, iv.LatencyP99Ns, iv.LatencyMaxNs = finite(iv.LatencyP50Ns), finite(iv.LatencyP99Ns), finite(iv.LatencyMaxNs)
			if iv.Metrics != nil {
				iv.Metrics = finiteMetrics(iv.Metrics)
			}
			ivs[i] = iv
		}
		r.Intervals = ivs
	}
	return r
}

func (s Summary) finite() Summary {
	s.P50, s.P90, s.P99, s.P999, s.P9999 = finite(s.P50), finite(s.P90), finite(s.P99), finite(s.P999), finite(s.P9999)
	s.Max, s.Mean, s.Stddev = finite(s.Max), finite(s.Mean), finite(s.Stddev)
	return s
}

func (s Spread) finite() Spread {
	s.Jain, s.MaxMean, s.CoV, s.Gini = finite(s.Jain), finite(s.MaxMean), finite(s.CoV), finite(s.Gini)
	if s.LatencyP99Ns != nil {
		p := make([]float64, len(s.LatencyP99Ns))
		for i, v := range s.LatencyP99Ns {
			p[i] = finite(v)
		}
		s.LatencyP99Ns = p
	}
	return s
}
