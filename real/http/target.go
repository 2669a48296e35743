package http

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	nethttp "net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/real/driver"
)

// Name is the target's registered name.
const Name = "real/http"

// DefaultURL is the request URL when none is given.
const DefaultURL = "http://127.0.0.1:8080/{key}"

// Params are real/http's parameters.
var Params = append(driver.Params(algorithms.Param{Name: "url", Type: algorithms.String, Default: DefaultURL,
	Doc: "request URL; {key} and {client} are replaced by the op's key (after key_prefix) and client"}, ""),
	algorithms.Param{Name: "method", Type: algorithms.Enum, Default: "GET", Choices: []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "by-kind"},
		Doc: "request method; by-kind: read/scan GET, update PUT, insert POST, delete DELETE, rmw PATCH"},
	algorithms.Param{Name: "headers", Type: algorithms.String, Default: "", Doc: "request headers, 'Name: value' separated by ';'"},
	algorithms.Param{Name: "targets", Type: algorithms.String, Default: "", Doc: "a file of targets in vegeta's http format, used instead of url= (the op's key picks one)"},
	algorithms.Param{Name: "ok", Type: algorithms.String, Default: "200-299", Doc: "status codes that succeed: codes and ranges, e.g. 200-299,404"},
	algorithms.Param{Name: "http2", Type: algorithms.Enum, Default: "auto", Choices: []string{"auto", "on", "off"},
		Doc: "auto: HTTP/2 where TLS negotiates it; on: also h2c (HTTP/2 without TLS); off: HTTP/1.1 only"},
	algorithms.Param{Name: "insecure_skip_verify", Type: algorithms.Bool, Default: "false", Doc: "TLS: accept any server certificate"},
	algorithms.Param{Name: "ca_file", Type: algorithms.String, Default: "", Doc: "TLS: PEM file of the CAs that sign the server's certificate"},
	algorithms.Param{Name: "cert_file", Type: algorithms.String, Default: "", Doc: "TLS: PEM client certificate (with key_file)"},
	algorithms.Param{Name: "key_file", Type: algorithms.String, Default: "", Doc: "TLS: PEM key of cert_file"},
	algorithms.Param{Name: "server_name", Type: algorithms.String, Default: "", Doc: "TLS: the name to verify the certificate against (default: the URL's host)"},
)

func init() {
	algorithms.Register(algorithms.Info{
		Name:        Name,
		Description: "HTTP/1.1 and HTTP/2 endpoints (net/http): url= with {key}/{client}, or a vegeta targets file; status codes counted",
		Params:      Params,
		Workload:    "ycsb-c keys=zipf:theta=0.99,n=100000 arrival=poisson:rate=1000",
		External:    true,
		Check: func(p algorithms.Params) error {
			if _, err := parseOK(p.String("ok")); err != nil {
				return fmt.Errorf("%s: ok=%q: %v", Name, p.String("ok"), err)
			}
			if _, err := parseHeaders(p.String("headers")); err != nil {
				return fmt.Errorf("%s: headers=%q: %v", Name, p.String("headers"), err)
			}
			if (p.String("cert_file") == "") != (p.String("key_file") == "") {
				return fmt.Errorf("%s: cert_file and key_file go together", Name)
			}
			return nil
		},
		Preflight: preflight,
		NewWall: func(env algorithms.Env) (harness.Target, error) {
			cfg := driver.Read(env)
			b, err := open(env.Params, cfg)
			if err != nil {
				return nil, err
			}
			return driver.NewTarget(Name, cfg, b), nil
		},
	})
}

// loadTargets returns the run's targets: the targets file, or url= alone.
func loadTargets(p algorithms.Params) ([]target, error) {
	if f := p.String("targets"); f != "" {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("targets=%s: %v", f, err)
		}
		ts, err := parseTargets(string(data))
		if err != nil {
			return nil, fmt.Errorf("targets=%s: %v", f, err)
		}
		return ts, nil
	}
	t := target{method: p.String("method"), url: p.String("url")}
	if err := t.compile(); err != nil {
		return nil, fmt.Errorf("url=%q: %v", t.url, err)
	}
	return []target{t}, nil
}

// hostPort is where a URL's requests go.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "https" {
		return net.JoinHostPort(u.Hostname(), "443")
	}
	return net.JoinHostPort(u.Hostname(), "80")
}

// preflight checks the targets and that each host accepts connections.
func preflight(p algorithms.Params) error {
	ts, err := loadTargets(p)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, t := range ts {
		hp := hostPort(t.parsed)
		if seen[hp] {
			continue
		}
		seen[hp] = true
		if err := driver.Dial(hp); err != nil {
			return driver.Unreachable("the HTTP server", "", hp, err)
		}
	}
	if _, err := tlsConfig(p); err != nil {
		return err
	}
	return nil
}

func tlsConfig(p algorithms.Params) (*tls.Config, error) {
	c := &tls.Config{InsecureSkipVerify: p.Bool("insecure_skip_verify"), ServerName: p.String("server_name")}
	if f := p.String("ca_file"); f != "" {
		pem, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("ca_file: %v", err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file=%s: no PEM certificate in it", f)
		}
	}
	if f := p.String("cert_file"); f != "" {
		cert, err := tls.LoadX509KeyPair(f, p.String("key_file"))
		if err != nil {
			return nil, fmt.Errorf("cert_file/key_file: %v", err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

// transport is net/http's, tuned for load: pool connections per host,
// kept alive, no compression (the body sizes are the workload's).
func transport(p algorithms.Params, pool int) (*nethttp.Transport, error) {
	tc, err := tlsConfig(p)
	if err != nil {
		return nil, err
	}
	t := &nethttp.Transport{
		Proxy:               nil, // loopback and named hosts only: never a proxy from the environment
		DialContext:         (&net.Dialer{Timeout: driver.ReachTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:     tc,
		MaxIdleConns:        pool,
		MaxIdleConnsPerHost: pool,
		MaxConnsPerHost:     pool,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		TLSHandshakeTimeout: driver.ReachTimeout,
	}
	protos := new(nethttp.Protocols)
	protos.SetHTTP1(true)
	switch p.String("http2") {
	case "auto":
		protos.SetHTTP2(true)
	case "on":
		protos.SetHTTP2(true)
		protos.SetUnencryptedHTTP2(true)
		protos.SetHTTP1(false)
	}
	t.Protocols = protos
	return t, nil
}

func open(p algorithms.Params, cfg driver.Config) (*backend, error) {
	ts, err := loadTargets(p)
	if err != nil {
		return nil, err
	}
	ok, _ := parseOK(p.String("ok"))
	hs, _ := parseHeaders(p.String("headers"))
	tr, err := transport(p, cfg.Pool)
	if err != nil {
		return nil, err
	}
	return &backend{client: &nethttp.Client{Transport: tr}, targets: ts, ok: ok, headers: hs, prefix: cfg.KeyPrefix}, nil
}

// parseOK reads "200-299,404" into inclusive ranges.
func parseOK(s string) ([][2]int, error) {
	var out [][2]int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(lo)
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || a < 100 || b > 599 || a > b {
			return nil, fmt.Errorf("%q is not a status code or range such as 200-299", part)
		}
		out = append(out, [2]int{a, b})
	}
	return out, nil
}

// parseHeaders reads "Name: value; Name2: value2".
func parseHeaders(s string) (nethttp.Header, error) {
	h := nethttp.Header{}
	for _, part := range strings.Split(s, ";") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		k, v, ok := strings.Cut(part, ":")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("%q is not 'Name: value'", part)
		}
		h.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return h, nil
}
