// Package coordination models two coordination services in virtual time:
//
//   - coordination/zookeeper, after P. Hunt, M. Konar, F. P. Junqueira and
//     B. Reed, "ZooKeeper: Wait-free coordination for Internet-scale
//     systems", USENIX ATC 2010. An ensemble of servers each holding a
//     replica of the znode tree (tree.go: versions, ephemeral and sequential
//     nodes, one-shot watches, sessions); a leader orders every write with
//     ZAB's broadcast (propose, a majority acks, commit; zab.go) over FIFO
//     links with per-link delay; reads are served from the local replica of
//     the client's server (so they can be stale), or after a sync through
//     the leader; each server is a single CPU that queues the messages it
//     handles, so reads scale with servers and writes do not (Fig. 5).
//     Locks follow the paper's herd-free recipe (§2.4): an ephemeral
//     sequential node, a watch on the predecessor only.
//
//   - coordination/chubby, after M. Burrows, "The Chubby lock service for
//     loosely-coupled distributed systems", OSDI 2006. Coarse-grained locks
//     on files of a replicated master; sessions held by KeepAlives with
//     leases (12 s), a grace period (45 s) over a master fail-over;
//     sequencers (lock generation numbers) that a resource server checks to
//     fence a holder whose lease expired; client caches invalidated by the
//     master before a write completes (chubby.go).
package coordination
