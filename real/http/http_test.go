package http_test

import (
	"errors"
	"io"
	nethttp "net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dsbench/dsbench/bench"
	"github.com/dsbench/dsbench/real/driver/servertest"
	realhttp "github.com/dsbench/dsbench/real/http"
)

// server records what it was asked; /fail/… answers 503.
type server struct {
	mu      sync.Mutex
	methods map[string]int
	paths   map[string]int
	protos  map[int]int
	headers map[string]int
	bodies  int64
}

func newServer() *server {
	return &server{methods: map[string]int{}, paths: map[string]int{}, protos: map[int]int{}, headers: map[string]int{}}
}

func (s *server) ServeHTTP(w nethttp.ResponseWriter, r *nethttp.Request) {
	n, _ := io.Copy(io.Discard, r.Body)
	s.mu.Lock()
	s.methods[r.Method]++
	s.paths[strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)[0]]++
	s.protos[r.ProtoMajor]++
	s.headers[r.Header.Get("X-Tenant")]++
	s.bodies += n
	s.mu.Unlock()
	if strings.HasPrefix(r.URL.Path, "/fail/") {
		w.WriteHeader(nethttp.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "ok")
}

func TestUnreachableIsBadInput(t *testing.T) {
	servertest.Unreachable(t, realhttp.Name, []string{"url=http://127.0.0.1:1/{key}"}, "127.0.0.1:1")
}

// url= placeholders, headers, by-kind methods with bodies of the op's
// size, and status codes counted and judged by ok=.
func TestRequests(t *testing.T) {
	s := newServer()
	ts := httptest.NewServer(s)
	defer ts.Close()
	r := servertest.Run(t, realhttp.Name, "mix=read:0.5,update:0.5 keys=uniform:n=10 clients=uniform:n=3 size=const:n=64", bench.Options{
		Ops: 600, Workers: 4, Params: []string{"url=" + ts.URL + "/c{client}/{key}", "method=by-kind", "headers=X-Tenant: a; X-Other: b"}})
	if r.Errors != 0 || r.Metrics["status_200"] != 600 {
		t.Errorf("%d errors (%s), metrics %v", r.Errors, r.FirstError, r.Metrics)
	}
	if s.methods["GET"] != int(r.Kinds["read"].Ops) || s.methods["PUT"] != int(r.Kinds["update"].Ops) ||
		s.bodies != 64*int64(r.Kinds["update"].Ops) || s.headers["a"] != 600 {
		t.Errorf("server saw %v, %d body bytes, headers %v; run kinds %v", s.methods, s.bodies, s.headers, r.Kinds)
	}
	if s.paths["c0"]+s.paths["c1"]+s.paths["c2"] != 600 || s.paths["c0"] == 0 {
		t.Errorf("client placeholder: paths %v", s.paths)
	}
	// 503s: errors by default, successes with ok= naming them.
	r = servertest.Run(t, realhttp.Name, "ycsb-c", bench.Options{Ops: 50, Params: []string{"url=" + ts.URL + "/fail/{key}"}})
	if r.Errors != 50 || r.Metrics["status_503"] != 50 || !strings.Contains(r.FirstError, "status 503") {
		t.Errorf("503s: %d errors (%s), metrics %v", r.Errors, r.FirstError, r.Metrics)
	}
	r = servertest.Run(t, realhttp.Name, "ycsb-c", bench.Options{Ops: 50, Params: []string{"url=" + ts.URL + "/fail/{key}", "ok=200-299,503"}})
	if r.Errors != 0 {
		t.Errorf("ok=200-299,503: %d errors", r.Errors)
	}
}

// A vegeta targets file: the op's key picks the target, which is the shard.
func TestTargetsFile(t *testing.T) {
	s := newServer()
	ts := httptest.NewServer(s)
	defer ts.Close()
	dir := t.TempDir()
	body := filepath.Join(dir, "body.json")
	os.WriteFile(body, []byte(`{"x":1}`), 0o644)
	file := filepath.Join(dir, "targets.txt")
	os.WriteFile(file, []byte("# two endpoints\nGET "+ts.URL+"/a/{key}\nX-Tenant: t1\n\nPOST "+ts.URL+"/b\nX-Tenant: t2\n@"+body+"\n"), 0o644)
	r := servertest.Run(t, realhttp.Name, "ycsb-c keys=uniform:n=100", bench.Options{Ops: 400, Workers: 2, Params: []string{"targets=" + file}})
	c := r.Fairness.Shards.Counts
	if r.Errors != 0 || len(c) != 2 || int(c[0]) != s.paths["a"] || int(c[1]) != s.paths["b"] || s.headers["t2"] != s.methods["POST"] || s.bodies != 7*int64(c[1]) {
		t.Errorf("%d errors (%s), shards %v, server %v %v %v, %d body bytes", r.Errors, r.FirstError, c, s.paths, s.methods, s.headers, s.bodies)
	}
	_, err := bench.NewPlan([]any{realhttp.Name}, "", bench.Options{Ops: 1, Params: []string{"targets=" + filepath.Join(dir, "none")}})
	var ie *bench.InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "none") {
		t.Errorf("missing targets file: %v, want an InputError naming it", err)
	}
}

// HTTP/2: negotiated over TLS (http2=auto), spoken in clear text with
// http2=on (h2c), never with http2=off.
func TestHTTP2(t *testing.T) {
	s := newServer()
	tls := httptest.NewUnstartedServer(s)
	tls.EnableHTTP2 = true
	tls.StartTLS()
	defer tls.Close()
	servertest.Run(t, realhttp.Name, "ycsb-c", bench.Options{Ops: 20, Params: []string{"url=" + tls.URL + "/{key}", "insecure_skip_verify=true"}})
	servertest.Run(t, realhttp.Name, "ycsb-c", bench.Options{Ops: 20, Params: []string{"url=" + tls.URL + "/{key}", "insecure_skip_verify=true", "http2=off"}})
	if s.protos[2] != 20 || s.protos[1] != 20 {
		t.Errorf("TLS: requests by HTTP major version %v, want 20 HTTP/2 (auto) and 20 HTTP/1 (off)", s.protos)
	}
	r := servertest.Run(t, realhttp.Name, "ycsb-c", bench.Options{Ops: 5, Params: []string{"url=" + tls.URL + "/{key}"}})
	if r.Errors != 5 || !strings.Contains(r.FirstError, "certificate") {
		t.Errorf("an unknown certificate without insecure_skip_verify: %d errors (%s)", r.Errors, r.FirstError)
	}

	h2c := newServer()
	plain := httptest.NewUnstartedServer(h2c)
	plain.Config.Protocols = new(nethttp.Protocols)
	plain.Config.Protocols.SetHTTP1(true)
	plain.Config.Protocols.SetUnencryptedHTTP2(true)
	plain.Start()
	defer plain.Close()
	servertest.Run(t, realhttp.Name, "ycsb-c", bench.Options{Ops: 20, Params: []string{"url=" + plain.URL + "/{key}", "http2=on"}})
	if h2c.protos[2] != 20 {
		t.Errorf("h2c: requests by HTTP major version %v, want 20 HTTP/2", h2c.protos)
	}
}
