// Package mapreduce simulates MapReduce jobs in virtual time, after
//
//	J. Dean, S. Ghemawat. "MapReduce: Simplified Data Processing on Large
//	Clusters". OSDI 2004.
//
// A job has M map tasks and R reduce tasks run by a master on W worker
// machines (§3.1). Map task i reads its split of the input (lines of words
// drawn from a key distribution), applies the word-count map function
// (emit (word, 1) per word), optionally runs the combiner (§4.3: sum the
// counts per word inside the map task), and partitions its output by
// hash(key) mod R (§4.1; FNV-1a over the word's decimal text). A reduce task
// starts once every map task of its job is done and sums the counts of its
// partition. Intermediate bytes moved from map to reduce tasks are counted as
// shuffle bytes: a pair is the word's text plus an 8-byte count.
//
// Task durations are drawn from distributions; an attempt is a straggler
// with probability straggler_frac and then takes slowdown times as long (a
// machine with a bad disk, §3.6). With backup tasks (§3.6), when a phase of
// a job is close to completion (no task left to start and at most
// backup_tail of its tasks still running) an idle worker runs a backup
// copy of a running task; whichever attempt finishes first wins, and the
// other is killed. The map function is deterministic, so the winner's
// output is the same whichever attempt wins, and the master commits only
// one completion per task (§3.3): every record is reduced exactly once.
//
// The paper's figure: on its sort benchmark, backup tasks cut the job
// from 1283 s to 891 s (Fig. 3, a 44% longer run without them).
//
// Each op of a workload is one job, submitted at the op's intended start;
// jobs share the cluster in FIFO order (the master gives an idle worker the
// oldest job's next task, and backups only when no job has a task left to
// start), so an op's latency is the job's completion time including
// queueing. Outcome.Shard is the worker that ran the job's last task.
package mapreduce
