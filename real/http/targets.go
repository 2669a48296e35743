package http

import (
	"bytes"
	"fmt"
	nethttp "net/http"
	"net/url"
	"os"
	"strings"
)

// target is one request template.
type target struct {
	method  string // a method or "by-kind"
	url     string // with {key} and {client}
	parsed  *url.URL
	header  nethttp.Header
	body    []byte // from an @file line; nil: the op's value size
	hasBody bool
}

// compile checks the URL (its placeholders filled with 0).
func (t *target) compile() error {
	u, err := url.Parse(strings.NewReplacer("{key}", "0", "{client}", "0").Replace(t.url))
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("want an http:// or https:// URL with a host")
	}
	t.parsed = u
	return nil
}

// parseTargets reads vegeta's http targets format: per target a
// "METHOD URL" line, then "Name: value" header lines and an optional
// "@path" body line; blank lines separate targets, # starts a comment.
func parseTargets(s string) ([]target, error) {
	var out []target
	var cur *target
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			cur = nil
			continue
		case cur == nil:
			method, u, ok := strings.Cut(line, " ")
			if !ok {
				return nil, fmt.Errorf("line %d: %q: want METHOD URL", i+1, line)
			}
			out = append(out, target{method: strings.ToUpper(method), url: strings.TrimSpace(u), header: nethttp.Header{}})
			cur = &out[len(out)-1]
			if err := cur.compile(); err != nil {
				return nil, fmt.Errorf("line %d: %v", i+1, err)
			}
		case strings.HasPrefix(line, "@"):
			b, err := os.ReadFile(line[1:])
			if err != nil {
				return nil, fmt.Errorf("line %d: body: %v", i+1, err)
			}
			cur.body, cur.hasBody = bytes.Clone(b), true
		default:
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				return nil, fmt.Errorf("line %d: %q: want a header 'Name: value' or @body-file", i+1, line)
			}
			cur.header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no targets in the file")
	}
	return out, nil
}
