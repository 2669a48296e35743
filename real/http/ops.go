package http

import (
	"bytes"
	"context"
	"fmt"
	"io"
	nethttp "net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/dsbench/dsbench/real/driver"
	"github.com/dsbench/dsbench/workloads"
)

// backend sends the requests.
type backend struct {
	client  *nethttp.Client
	targets []target
	ok      [][2]int
	headers nethttp.Header
	prefix  string

	status            [600]atomic.Uint64
	otherStatus       atomic.Uint64
	bytesIn, bytesOut atomic.Uint64
}

// kindMethods is method=by-kind.
var kindMethods = map[workloads.Kind]string{
	workloads.Read: "GET", workloads.Scan: "GET", workloads.Update: "PUT",
	workloads.Insert: "POST", workloads.Delete: "DELETE", workloads.RMW: "PATCH",
}

// Do sends one request for op.
func (b *backend) Do(ctx context.Context, op *workloads.Op) (driver.Result, error) {
	i := 0
	if len(b.targets) > 1 {
		i = int(op.Key % uint64(len(b.targets)))
	}
	t := &b.targets[i]
	r := driver.Result{Shard: int32(i)}
	method := t.method
	if method == "by-kind" {
		var ok bool
		if method, ok = kindMethods[op.Kind]; !ok {
			return r, driver.Unsupported(Name+" method=by-kind", op.Kind, "read, scan, update, insert, delete, rmw")
		}
	}
	u := t.url
	if strings.Contains(u, "{") {
		u = strings.NewReplacer("{key}", b.prefix+strconv.FormatUint(op.Key, 10), "{client}", strconv.FormatUint(uint64(op.Client), 10)).Replace(u)
	}
	var body io.Reader
	var n int
	switch {
	case t.hasBody:
		body, n = bytes.NewReader(t.body), len(t.body)
	case method == "POST" || method == "PUT" || method == "PATCH":
		v := driver.Value(int(op.Size))
		body, n = bytes.NewReader(v), len(v)
	}
	req, err := nethttp.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return r, driver.Permanent{Err: err}
	}
	for k, vs := range b.headers {
		req.Header[k] = vs
	}
	for k, vs := range t.header {
		req.Header[k] = vs
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return r, err
	}
	read, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	b.bytesOut.Add(uint64(n))
	b.bytesIn.Add(uint64(read))
	code := resp.StatusCode
	if code >= 0 && code < len(b.status) {
		b.status[code].Add(1)
	} else {
		b.otherStatus.Add(1)
	}
	if err != nil {
		return r, err
	}
	for _, rg := range b.ok {
		if code >= rg[0] && code <= rg[1] {
			return r, nil
		}
	}
	return r, fmt.Errorf("status %d (ok: %s)", code, okString(b.ok))
}

func okString(rs [][2]int) string {
	var parts []string
	for _, r := range rs {
		if r[0] == r[1] {
			parts = append(parts, strconv.Itoa(r[0]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", r[0], r[1]))
		}
	}
	return strings.Join(parts, ",")
}

// LoadBatch: an HTTP endpoint has no load phase (the target does not
// declare one, so --load is refused before the run).
func (b *backend) LoadBatch(context.Context, uint64, uint64, int) error {
	return fmt.Errorf("%s has no load phase", Name)
}

// Cleanup: the run wrote nothing it can name.
func (b *backend) Cleanup(context.Context) error { return nil }

func (b *backend) Close() error {
	b.client.CloseIdleConnections()
	return nil
}

// Metrics: status_<code> (responses with that status), status_other
// (codes outside 0…599), bytes_sent and bytes_received (bodies).
func (b *backend) Metrics() map[string]float64 {
	m := map[string]float64{
		"bytes_sent":     float64(b.bytesOut.Load()),
		"bytes_received": float64(b.bytesIn.Load()),
	}
	for c := range b.status {
		if n := b.status[c].Load(); n > 0 {
			m["status_"+strconv.Itoa(c)] = float64(n)
		}
	}
	if n := b.otherStatus.Load(); n > 0 {
		m["status_other"] = float64(n)
	}
	return m
}
