// Package kafka models a Kafka topic: partitions that are append-only logs
// of segments, a producer partitioner and a consumer group, after
//
//	J. Kreps, N. Narkhede, J. Rao. "Kafka: a Distributed Messaging System
//	for Log Processing". NetDB 2011.
//
// and Apache Kafka's clients as shipped: the keyed partitioner is the
// default partitioner's toPositive(murmur2(keyBytes)) % numPartitions with
// Kafka's exact murmur2 (org.apache.kafka.common.utils.Utils.murmur2, seed
// 0x9747b28c), checked against the vectors of Kafka's own UtilsTest; null
// keys go to the sticky partitioner (KIP-480) or the RoundRobinPartitioner;
// consumer groups assign partitions with the RangeAssignor and the
// RoundRobinAssignor (checked against the examples in their Javadoc); a
// partition's size is counted in bytes of the v2 record-batch format
// (KIP-98), one record per batch as a producer with linger.ms=0 sends them.
//
// An op's uint64 key is encoded as Kafka's StringSerializer would encode
// its decimal text ("42" → the UTF-8 bytes '4','2'), so a key's partition
// here is the partition a Java producer would pick for String key "42".
//
// The algorithm is pure: the log, the partitioner and the assignors never
// read a clock or a global random source. Two clocks:
//
//   - wall: the cost of partitioning and appending one record, with one
//     lock per partition (a producer per worker, as with one KafkaProducer
//     per thread);
//   - virtual: the topic replicated on a cluster of brokers on the shared
//     simulated cluster (harness/simnet), after Kafka's replication
//     design (leaders, followers fetching, the ISR and the high
//     watermark, acks=0|1|all, min.insync.replicas, a controller that
//     fences silent brokers and elects leaders, clean or unclean, leader
//     epochs for truncation — docs/references.md), read by consumer
//     groups whose consumers poll and process at a fixed rate, so lag
//     builds under a bursty producer and drains. A produce op completes
//     at its acknowledgement; every acknowledged and every consumed
//     record is recorded, so acked_lost counts the acknowledged records no
//     consumer will see.
package kafka
