// Package spanner models Spanner's TrueTime and commit wait in virtual time,
// after J. C. Corbett, J. Dean, M. Epstein, A. Fikes, C. Frost, J. J. Furman,
// S. Ghemawat, A. Gubarev, C. Heiser, P. Hochschild, W. Hsieh, S. Kanthak,
// E. Kogan, H. Li, A. Lloyd, S. Melnik, D. Mwaura, D. Nagle, S. Quinlan,
// R. Rao, L. Rolig, Y. Saito, M. Szymaniak, C. Taylor, R. Wang and
// D. Woodford, "Spanner: Google's Globally-Distributed Database", OSDI 2012.
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
// The target spanner/truetime (sim.go) runs read-write transactions (update,
// insert, rmw, delete ops) against Paxos groups (key mod groups): the group
// leader takes the key's lock (wound-wait is not modelled: a FIFO queue per
// key), picks s = max(TT.now().latest, 1 + the group's last write or
// snapshot-read timestamp), replicates
// for replication_delay and commit-waits until TT.after(s) (§4.1.2), then
// releases the lock and acknowledges. Read-only ops read at
// s_read = TT.now().latest without locks (§4.1.4), waiting only for
// in-flight writes of their key with s ≤ s_read. Commit wait makes the
// commit order external: the target checks every transaction against every
// one acknowledged before it started, and commit_wait=false shows the
// violations that appear without it.
package spanner
