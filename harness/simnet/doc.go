// Package simnet is the one simulated cluster under every virtual-time
// protocol in dsbench (Paxos, Raft, ZooKeeper, Chubby, Dynamo, Kafka,
// Spanner, MapReduce, the networked case studies). It follows the shape of
// FoundationDB's deterministic simulation and TigerBeetle's VOPR
// (docs/references.md, "Deterministic simulation"): one seed, one virtual
// clock and event heap (a *harness.World); per-link delay that is a floor
// plus a random part; loss, duplication and reordering; partitions
// that start and heal; node crashes and restarts — plus, per node, a CPU and
// a disk, so that a protocol's throughput curve comes from the messages it
// sends and the fsyncs it waits for, not from a cost formula.
//
// # Model
//
// A Net[P] is a cluster of N nodes 0…N−1. P is the payload, a small value
// struct the protocol defines; messages are copied by value into pooled
// envelopes, so Send and delivery allocate nothing once the pool has grown
// to the peak number of messages in flight.
//
//   - Network: each copy of a message is delivered Delay+Jitter after it
//     leaves its sender (both drawn from w.Rand()); SetLinkDelay gives one
//     link its own floor (near and far sites). Random jitter reorders a link
//     unless Config.FIFO keeps it in send order, as TCP does. Each copy
//     between nodes is lost with probability Loss and duplicated with
//     probability Dup. Self-sends are local: delivered after the events
//     already due now, never lost, duplicated, partitioned or charged.
//   - CPU (cpu.go): one FIFO server per node. Every Send costs the sender
//     cpu_send and the message leaves when that is done; every message
//     received costs cpu_recv, queued behind the node's earlier work, before
//     its handler runs. A leader fanning a proposal out to n−1 followers pays
//     n−1 sends and n−1 acks, which is what bends ZooKeeper's and Paxos's
//     throughput as the cluster grows.
//   - Disk (disk.go): Fsync(node, fn…) calls fn when a log write is durable,
//     after an fsync latency; with group commit, writes that arrive during an
//     fsync share the next one.
//   - Clients (FromClient, ToClient): clients live outside the cluster; their
//     messages cross one network delay, are charged to the server's CPU, and
//     are never lost or partitioned (a crashed server drops them).
//   - Timers (After): a node's timer never fires after the node crashed.
//   - Partitions: a link from→to is open or blocked. Block/Unblock (one way),
//     Isolate(node), Split(group) and Heal() change the matrix now; a message
//     is dropped if its link is blocked when it is sent or delivered.
//   - Bandwidth (bandwidth.go): SetFabric gives every node a NIC and puts
//     it under a switch; a Link is a FIFO serializer (bytes start when the
//     earlier ones have left). Stream moves bulk data along a chain of
//     nodes packet by packet, store-and-forward at each NIC and switch
//     link and forwarded by each node as it arrives (GFS's pipelined push),
//     so transfers queue behind each other and aggregate rates saturate
//     where the links do. Control messages (Send) carry no bytes on links.
//   - Fault domain: Config.FaultNodes keeps random faults (crash=random,
//     random partitions, fault plans) on nodes 0 … FaultNodes−1; the nodes
//     after them (a workload's client machines, a master modelled as
//     reliable) are never picked at random.
//   - Crashes: Crash(node) marks the node down: it sends nothing, messages
//     that reach it are dropped, its CPU queue, unsynced log writes and
//     timers are lost. Restart(node) brings it back with its incarnation
//     incremented and calls OnRestart, so the protocol resets volatile state.
//
// # The fault and cost vocabulary
//
// Every networked family takes the same parameters, with the names, defaults
// and docs in params.go: nodes delay jitter loss dup fifo cpu_send cpu_recv
// fsync group_commit crash=NODE|leader|random crash_at restart_at
// partition=… fault_gap fault_len faults_end slow=NODE:FACTOR. The algorithms
// registry declares them once (algorithms/cluster.go) and `dsbench list`
// shows them once. ParseSelector, ParsePartition and ParseSlow read the
// fault specs; Schedule runs a Faults value (a fault aimed at the leader asks
// Net.Leader, which the protocol sets); ScheduleFaults runs a random
// FaultPlan: a safety phase of faults, then a liveness phase in which
// everything heals.
//
// Every random draw comes from the World's source in event order, so a run is
// a function of its seed.
package simnet
