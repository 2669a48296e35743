// Package simnet is a deterministic simulated message network on a
// *harness.World, for protocol targets that run in virtual time (Paxos, Raft,
// Dynamo quorums). It follows the shape of FoundationDB's deterministic
// simulation and TigerBeetle's VOPR (docs/references.md, "Deterministic
// simulation"): one seed, one virtual clock and event heap; a per-link delay
// that is a floor plus a random part; loss, duplication and reordering;
// partitions (isolate one node, split in two, one-way links) that start and
// heal; node crashes and restarts.
//
// # Model
//
// A Net[P] connects N nodes 0…N−1. P is the payload, a small value struct the
// protocol defines (a ballot, a slot, a command id); messages are copied by
// value into pooled envelopes, so Send and delivery allocate nothing once the
// pool has grown to the peak number of messages in flight.
//
//   - Delay: each copy of a message is delivered Delay.Next()+Jitter.Next()
//     after Send (both drawn from w.Rand()); SetLinkDelay gives one link its
//     own floor (near and far sites). A random jitter reorders
//     messages on a link as it allows; a constant delay keeps FIFO order
//     (ties break by send order).
//   - Loss: each copy is lost with probability Loss. Duplication: with
//     probability Dup a second, independently delayed copy is sent.
//   - Self-sends (from == to) are local: delivered at the current time (after
//     the events already due now), never lost, duplicated or partitioned.
//   - Partitions: a link from→to is either open or blocked. Block/Unblock
//     (one way), Isolate(node), Split(group) and Heal() change the matrix at
//     the current virtual time; schedule them with World.At or ScheduleFaults.
//     A message is dropped if its link is blocked when it is sent or when it
//     would be delivered (a partition cuts messages already on the wire).
//   - Crashes: Crash(node) marks the node down: it sends nothing (Send drops)
//     and messages that reach it are dropped; messages it sent before the
//     crash are still delivered. Restart(node) brings it back with its
//     incarnation incremented and calls the OnRestart hook, so the protocol
//     resets volatile state; protocols tag their timers with Incarnation(node)
//     and ignore stale ones.
//
// Every random draw comes from the World's source in event order, so a run is
// a function of its seed.
//
// # Parameters families declare
//
// simnet does not import the algorithms registry. A family declares the
// standard network parameters itself, with these names, defaults and docs
// (ParamDelay…ParamDup below), parses them and fills a Config.
package simnet
