// Package history records the client history of a key-value store — every
// operation's invocation and return, with the values written and read — and
// checks it for linearizability (Herlihy & Wing, "Linearizability: a
// correctness condition for concurrent objects", TOPLAS 1990) with porcupine
// (github.com/anishathalye/porcupine), the checker Jepsen-style Go test
// suites use. The history is partitioned by key (a store is linearizable iff
// each key's register is: linearizability is local), so each key is checked
// on its own and a violation names its key.
//
// Operations whose outcome the client never learned (a timeout) may or may
// not have taken effect: a write is kept as still pending (it may be placed
// anywhere after its invocation), a read is dropped (it observed nothing).
// Operations that definitely failed are dropped.
//
// A violation is reported with a minimal window of the key's history: the
// shortest prefix that is already not linearizable, cut from the left at
// the latest quiescent point (no operation in flight) that keeps it so; the
// register's value at that point is taken as unknown.
package history
