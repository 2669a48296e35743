// Package merge combines the result documents of one run executed as shards
// on several machines (`dsbench run --shard k/n`) into the document of the
// whole run, so a load that one machine cannot generate is still measured as
// one run. HDR histograms merge exactly (HdrHistogram's Merge: bucket counts
// add), so the merged latency percentiles are those of the whole load within
// the histogram's precision, and counters add exactly. Figures that cannot be
// merged exactly are documented on Merge.
//
// Shards are started by an existing scheduler, not by dsbench. With GNU
// parallel over ssh, one shard per host, each writing its own file:
//
//	parallel --sshlogin host1,host2,host3,host4 --transferfile /dev/null --return 'shard-{}.json' \
//	  dsbench run hashing/ring -w ycsb-a --duration 60s --seed 42 --shard {}/4 -o shard-{}.json ::: 0 1 2 3
//	dsbench merge shard-*.json -o all.json
//
// Every shard must use the same seed and settings; the shard index derives
// each shard's own op stream. On Kubernetes, an Indexed Job runs the shards
// as pods with JOB_COMPLETION_INDEX 0…n−1 (see scripts/k8s/dsbench-shards.yaml), which is
// exactly the k of --shard k/n.
package merge
