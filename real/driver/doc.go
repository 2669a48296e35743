// Package driver holds what every real-server target (real/redis, real/etcd,
// real/zookeeper, real/postgres, real/http) shares: the common parameters
// (op_timeout, retries, key_prefix, cleanup, pool, load_batch), the per-op
// timeout and counted retry loop, key and value encoding, the load phase in
// batches, held locks for the acquire/release recipes, the reachability
// check that turns an unreachable server into bad input, and Target, which
// wraps a Backend (one server's client) as a harness.Target.
//
// A real target runs on the wall clock only: the server keeps real time.
// Latency is measured from each op's intended start like every target's (the
// harness does it); a retry happens inside the op, so its cost is in the
// op's latency, and it is counted in the retries metric, never hidden.
package driver
