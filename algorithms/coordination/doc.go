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
//     loosely-coupled distributed systems", OSDI 2006. A cell of replicas
//     on the shared simulated cluster: the master replicates writes, lock
//     grants and sessions as log entries (a majority logs them with an
//     fsync; chubbycell.go); every client session keeps a KeepAlive RPC
//     outstanding, held by the master until the lease (12 s) is nearly
//     over, which carries cache invalidations back (chubby.go); a crashed
//     master is replaced by an election among the replicas once their
//     master lease runs out, and sessions survive a fail-over shorter than
//     lease + grace (45 s) (chubbyelect.go). Sequencers (lock generation
//     numbers) let a resource server fence a holder whose session expired.
package coordination
