// Package algorithms is the registry of benchmark targets. Each family lives in
// its own sub-package (hashing, loadbalance, ratelimit, lsm, …) and registers
// its targets by name ("family/name") from an init function; algorithms/all
// imports every family, so a binary that blank-imports it sees them all.
//
// Like database/sql's drivers, Register panics on a nil constructor or a
// duplicate name, and Names returns the names sorted.
package algorithms
