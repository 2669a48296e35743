// Package hashing implements the consistent-hashing family: a ring with
// virtual nodes (Karger et al. 1997; ketama), jump consistent hash (Lamping
// & Veach 2014, arXiv:1406.2294), rendezvous / highest-random-weight hashing
// (Thaler & Ravishankar 1998, with the logarithmic weighting of Schindelhauer
// & Schomaker), Maglev (Eisenbud et al., NSDI'16), consistent hashing with
// bounded loads (Mirrokni, Thorup & Zadimoghaddam 2016), multi-probe
// consistent hashing (Appleton & O'Reilly 2015), and plain hash mod n as the
// bad baseline. Definitions follow docs/references.md ("Hashing and load
// balancing").
//
// Every algorithm maps a uint64 key to the index of its owner in the node
// list it was built from. The pure algorithms are immutable after
// construction (and so safe for concurrent lookups) except Bounded, whose
// loads change with every placement. target.go registers them as wall-clock
// targets under hashing/… and measures, at construction, the figures people
// choose these algorithms by: disruption on a membership change (see
// moved.go), balance of a key sample, lookup cost and memory.
package hashing
