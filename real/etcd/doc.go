// Package etcd is the real/etcd target: the workload's ops against an etcd
// cluster through its official Go client, go.etcd.io/etcd/client/v3.
//
// read is a Get (consistency=linearizable goes through the leader's quorum
// read; serializable answers from the member's local store), update and
// insert Put, delete Delete, scan a ranged Get of up to the op's size keys
// from its key, read-modify-write a Get then a Txn that puts only if the
// key's ModRevision is unchanged (retried on a conflict, counted in
// txn_conflicts), and acquire/release etcd's lease and lock recipes
// (concurrency.NewSession: a lease kept alive; concurrency.NewMutex: a key
// per waiter under the lock's prefix, the lowest CreateRevision holds), held
// until the same client's release or for hold at most, as in the
// coordination models.
//
// The client spreads requests over endpoints=; the member that answered
// (the response header's MemberId) is the op's shard, in the order of
// endpoints, so the fairness figures and per-shard latency show a leader
// hot spot: a follower forwards writes and linearizable reads to the
// leader. leader_shard reports which member led at the start.
//
// scripts/servers/etcd.sh start runs one member at the default endpoint;
// scripts/servers/etcd.sh cluster start runs three.
package etcd
