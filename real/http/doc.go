// Package http is the real/http target: the workload's ops as HTTP/1.1 or
// HTTP/2 requests through net/http with a transport tuned for load (a pool
// of pool connections per host, keep-alive, no compression, response bodies
// drained so connections are reused).
//
// url= is the request URL with {key} (key_prefix + the op's key) and
// {client} (the op's client) placeholders; method= a method, or by-kind
// (read and scan GET, update PUT, insert POST, delete DELETE, rmw PATCH);
// POST, PUT and PATCH send a body of the op's value size. headers= adds
// request headers. targets= names a file in vegeta's targets format instead
// (Tomás Senart's vegeta, "http format": a "METHOD URL" line, header lines,
// an optional "@body-file" line, blank lines between targets); the op's key
// picks the target (key mod the number of targets), which is the op's
// shard, so the fairness figures cover the endpoints.
//
// Every response's status code is counted (status_200, status_503, …); a
// status outside ok= (default 200-299) fails the op. Per-client fairness
// counts tenants as for every target. TLS: insecure_skip_verify, ca_file,
// cert_file/key_file (a client certificate), server_name; http2=auto uses
// HTTP/2 where TLS negotiates it, on also speaks HTTP/2 without TLS (h2c,
// prior knowledge), off keeps HTTP/1.1.
package http
