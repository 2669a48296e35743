// Package gfs is the Google File System in virtual time:
//
//	Sanjay Ghemawat, Howard Gobioff and Shun-Tak Leung. "The Google File
//	System". SOSP 2003, pp. 29–43.
//
// gfs/cluster runs a master, chunkservers (the cluster vocabulary's nodes)
// and the workload's client machines on harness/simnet, with bandwidth:
// every machine's NIC and every switch's link to the core are FIFO links
// that bulk data queues on, packet by packet (simnet's Stream), so
// aggregate rates saturate where the paper's did.
//
//   - sim.go: the master (the chunk → replica map, versions, leases,
//     heartbeats, failure detection, re-replication with clones that move
//     the chunk's bytes over the network) and the chunkservers (the primary
//     orders mutations by serial number, pads a chunk a record does not fit,
//     forwards to the secondaries and answers when they all applied).
//   - client.go: the client library (location cache, the data pushed along
//     a chain of replicas, closest first, pipelined and separate from the
//     write request sent to the primary once every replica holds it; reads
//     from a replica; retries; at-least-once record append), the metrics
//     and the replica checker the tests use.
//
// NOTES.md has the model, the parameters, the Fig. 3 table beside the
// paper's and what differs from the paper.
package gfs
