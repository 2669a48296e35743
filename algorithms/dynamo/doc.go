// Package dynamo is Amazon's Dynamo key-value store in virtual time:
//
//	Giuseppe DeCandia, Deniz Hastorun, Madan Jampani, Gunavardhan Kakulapati,
//	Avinash Lakshman, Alex Pilchin, Swaminathan Sivasubramanian, Peter Vosshall
//	and Werner Vogels. "Dynamo: Amazon's Highly Available Key-value Store".
//	SOSP 2007, pp. 205–220.
//
// The pure parts, each in its own file and each testable without a clock:
//
//   - vclock.go: vector clocks (§4.4) and the comparison that tells a
//     descendant from a concurrent sibling;
//   - ring.go: consistent hashing with virtual nodes (§4.2) and the
//     preference list of N distinct physical nodes per key range (§4.3),
//     extended past N for the sloppy quorum (§4.6);
//   - merkle.go: the per-key-range Merkle tree of anti-entropy (§4.7);
//   - store.go: a node's versioned store, which keeps concurrent versions
//     as siblings and drops versions a newer one descends from (§4.4);
//   - quorum.go: the coordinator's quorum state machine (R replies for a
//     get, W acks for a put, §4.5).
//
// sim.go wires them into a cluster of simulated nodes with a per-link delay
// and loss model, client-driven coordination (§6.4: the client library is
// the coordinator, so an op's latency is the R-th / W-th fastest replica
// round trip), sloppy quorum with hinted handoff (§4.6), read repair (§5)
// and periodic Merkle anti-entropy between the replicas of each range.
// target.go registers dynamo/quorum (the full design) and dynamo/strict (a
// strict quorum over the first N nodes of the preference list, no hinted
// handoff: the baseline that loses write availability in an outage).
package dynamo
