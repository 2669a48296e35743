// Package loadbalance implements request load balancers and a simulation of
// the backends behind them: round robin, smooth weighted round robin (nginx,
// ngx_http_upstream_round_robin.c), least connections with ties broken by
// weighted round robin (nginx least_conn), least response time as Peak-EWMA
// (Finagle's PeakEwma, linkerd2-proxy, tower-balance), IP hash (nginx
// ip_hash, on the op's client id), uniform random, power of d choices
// (Mitzenmacher 2001; Azar et al. 1994) and consistent hashing with bounded
// loads as a balancer (Mirrokni, Thorup & Zadimoghaddam 2016; Vimeo's
// HAProxy change). Definitions follow docs/references.md ("Hashing and
// load balancing").
//
// A balancer is a pure decision procedure over a Pool (health, weights,
// in-flight counts): time and randomness come in as arguments. sim.go runs
// it in virtual time in front of simulated backends (FIFO queues behind a
// concurrency limit, slow and failing backends); target.go registers each
// balancer as loadbalance/… for the virtual clock (what does the balancer do
// to tail latency?) and the wall clock (what does one decision cost?).
package loadbalance
