// Package consensus is the consensus family: replicated logs agreed by a
// cluster of nodes over a simulated network (harness/simnet), in virtual time.
//
//   - consensus/multi-paxos: Multi-Paxos after Leslie Lamport, "Paxos Made
//     Simple", ACM SIGACT News 32(4), 2001 — §3 "Implementing a State
//     Machine": a distinguished proposer (the leader) runs phase 1 once for
//     all instances above those it knows chosen, then one phase-2 round trip
//     per command. Quorums are majorities.
//   - consensus/flexible-paxos: the same protocol with the quorums of Heidi
//     Howard, Dahlia Malkhi and Alexander Spiegelman, "Flexible Paxos: Quorum
//     intersection revisited", OPODIS 2016 (arXiv:1608.06696): phase-1
//     quorums of q1 and phase-2 quorums of q2 acceptors are safe whenever
//     q1 + q2 > N; they need not intersect among themselves.
//   - consensus/raft: the production reference, go.etcd.io/raft/v3's RawNode
//     (Diego Ongaro and John Ousterhout, "In Search of an Understandable
//     Consensus Algorithm", USENIX ATC 2014), driven from the simulator:
//     ticks are World events, messages go through simnet, storage is
//     raft.MemoryStorage.
//
// Every client op (read, update, insert, rmw, …) is a command appended to the
// log: reads go through the log too (linearizable without clock assumptions;
// no leases). An op starts at the leader (the client→leader hop is not
// modelled) and completes when the leader has applied its command, i.e. when
// it learned the command chosen (Paxos: q2 accepts, itself included; Raft: a
// majority of appends) and every earlier slot. With a constant one-way delay
// d and no faults that is 2d.
//
// The pure protocol (paxos.go) reads no clock and no global random source:
// time is the World's and randomness the World's source. See NOTES.md for
// parameters, metrics and deviations.
package consensus
