// Package spanner models Spanner's TrueTime, commit wait and snapshot reads
// on the shared simulated cluster (harness/simnet), after J. C. Corbett,
// J. Dean, M. Epstein, A. Fikes, C. Frost, J. J. Furman, S. Ghemawat,
// A. Gubarev, C. Heiser, P. Hochschild, W. Hsieh, S. Kanthak, E. Kogan,
// H. Li, A. Lloyd, S. Melnik, D. Mwaura, D. Nagle, S. Quinlan, R. Rao,
// L. Rolig, Y. Saito, M. Szymaniak, C. Taylor, R. Wang and D. Woodford,
// "Spanner: Google's Globally-Distributed Database", OSDI 2012.
//
// TrueTime (truetime.go) is the pure model: TT.now() = [t − ε, t + ε] around
// each server's local clock, with ε a sawtooth — epsilon_min right after a
// poll of the time masters, growing by the drift bound (200 µs/s) until the
// next poll (every 30 s), so ε runs from 1 ms to 7 ms and averages 4 ms (§3).
// A server's local clock error starts within ±epsilon_min at each poll and
// drifts at the server's own rate, bounded by the drift bound, so the true
// time is always inside the interval — the TrueTime guarantee the tests
// check.
//
// The target spanner/truetime (sim.go) runs a cluster of `nodes` spanservers,
// each with its own TrueTime clock, holding `groups` Paxos groups (key mod
// groups), each replicated on every node and led by node group mod nodes.
// Clients reach servers through the cluster's client links (a real round
// trip). A read-write transaction goes to its group's leader, which takes
// the key's lock (FIFO; no wound-wait), picks s ≥ TT.now().latest, appends it
// to the group's Paxos log (paxos.go: accepts to the replicas, durable acks
// from a majority, commit index to the replicas) and, overlapped with that,
// commit-waits until TT.after(s) (§4.1.2); it replies and releases the lock
// at the later of the two. A snapshot read at t (safetime.go) is served by
// the client's nearest replica or the leader once that node's safe time
// t_safe ≥ t (§4.1.3–4.1.4). A crashed leader is replaced after its lease
// by a Paxos phase-1 election (failover.go). consistency.go checks external consistency and
// snapshot correctness from a global view; commit_wait=false and
// safe_wait=false are the broken variants it catches.
//
// The target spanner/txn (txn.go) runs transactions across Paxos groups on
// the same groups and clocks: two-phase commit (§4.2.1: participants log
// prepare records at prepare timestamps, the coordinator picks s ≥ all of
// them and ≥ TT.now().latest at the commit's arrival, logs the commit record
// and commit-waits; participants log the outcome, then release locks),
// wound-wait locking, and read-only transactions across groups at one
// timestamp whose safe time is bounded by prepared transactions (§4.1.3:
// t_safe = min(t_Paxos, t_TM)). It checks external consistency, per-key
// snapshots, cross-group atomicity of read-only transactions, lost updates
// and partial commits. Its leaders fail over as spanner/truetime's do, and
// two-phase commit recovers from their Paxos logs (§4.1.1, §4.2.1): a new
// participant leader re-locks the transactions its log shows prepared, a new
// coordinator leader finishes the commit records it inherits and presumes
// abort for attempts with none, and clients ask the coordinator for an
// attempt's outcome before retrying it.
package spanner
