// Package zookeeper is the real/zookeeper target: the workload's ops against
// a ZooKeeper ensemble through github.com/go-zookeeper/zk.
//
// Each key is a znode (under key_prefix, in buckets of 1000 keys so no
// parent's child list outgrows a packet): read is getData (after a sync
// through the leader with sync=true, so it is never stale, as the
// coordination/zookeeper model's sync parameter), update setData (creating
// the znode if absent), insert create (setData if present), delete delete,
// read-modify-write getData then a versioned setData (retried on a
// version conflict, counted in version_conflicts), and acquire/release the
// paper's herd-free lock recipe (Hunt et al., USENIX ATC 2010, §2.4: an
// ephemeral sequential znode under the lock's znode, a watch on the
// predecessor only; zk.Lock), held until the same client's release or for
// hold at most, as in the model.
//
// The pool is pool sessions (one TCP connection each), ops spread over them
// in turn; the server a session is connected to is the op's shard, in the
// order of addr, so with an ensemble the fairness figures show how clients
// spread over servers. The client has no per-call deadline, so an attempt
// that outlives op_timeout is abandoned (and counted as a timeout) while
// the session finishes it.
//
// scripts/servers/zookeeper.sh start runs a standalone server at the
// default addr.
package zookeeper
