// Package redis is the real/redis target: the workload's ops against a Redis
// server through its official Go client, github.com/redis/go-redis/v9.
//
// Key-value ops (the YCSB mapping of YCSB's own Redis binding, Cooper et al.,
// SoCC'10): read is GET, update SET, insert SET plus ZADD to an index sorted
// set, delete DEL plus ZREM, scan a ZRANGEBYSCORE on that index from the key
// followed by MGET (scan=cursor uses Redis's SCAN command with MATCH on the
// prefix instead, which walks the hash table, not a key range), and
// read-modify-write the optimistic WATCH/GET/MULTI/SET/EXEC transaction,
// retried on a conflict (counted in watch_conflicts).
//
// limiter=gcra|sliding-window makes every op a rate-limit decision taken by
// a Lua script inside Redis, as Redis users build limiters (GCRA as in
// Brandur Leach's throttled and go-redis/redis_rate; the sliding window log
// as a sorted set of admission times), keyed by the op's client like the
// in-process ratelimit family's keyed mode, so ratelimit/gcra and
// real/redis -p limiter=gcra run on one workload with the same rate, burst
// and window parameters. The scripts take the time from Redis (TIME): every
// client of a shared limiter must see one clock.
//
// Start a server with scripts/servers/redis.sh start; the default addr is
// that server's.
package redis
