// Package bench runs a target against a workload and returns the results
// document: the one place that plans, loads, shards and runs a target. The
// dsbench CLI binds its flags to Options and calls it; tests and programs
// outside this repository call it directly to benchmark their own code.
//
// A target is a registered one, by name ("storage/lsm", see `dsbench list`),
// or your own value implementing harness.Target (wall clock) or
// harness.SimTarget (virtual time):
//
//	type cache struct{ m sync.Map }
//
//	func (c *cache) Do(now time.Duration, op *workloads.Op) harness.Outcome {
//		if op.Kind == workloads.Read {
//			c.m.Load(op.Key)
//		} else {
//			c.m.Store(op.Key, op.Size)
//		}
//		return harness.Outcome{Shard: harness.NoShard}
//	}
//
//	doc, err := bench.Run(ctx, &cache{}, "ycsb-b", bench.Options{Ops: 100_000, Workers: 2})
//	// doc.Runs[0].LatencyNs.P99, doc.Runs[0].ThroughputOpsS, …; results.Write(os.Stdout, results.Table, doc)
//
// Latency is measured from each op's intended start (free of coordinated
// omission), as in every dsbench run; see package harness.
//
// The order of a run, as the CLI's: every option, parameter and name is
// checked first (an error wrapping *InputError, nothing ran); each target is
// then built, loaded (Options.Load), run through the harness and closed, one
// run per parameter combination and repetition; a cancelled context ends the
// current run early, keeps what it measured and marks the document
// interrupted.
package bench
