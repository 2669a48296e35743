package consensus

import (
	"strings"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// run runs target consensus/name with raw parameters on a workload through
// harness.RunSim and returns the report.
func run(t testing.TB, name, workload string, raw map[string]string, ops uint64, seed uint64) *harness.Report {
	t.Helper()
	nodes := algotest.Params(t, "consensus/"+name, raw).Int("nodes")
	st := algotest.Build(t, "consensus/"+name, raw, workload, algotest.Options{Clock: algorithms.Virtual, Seed: seed}).(harness.SimTarget)
	return runTarget(t, st, algotest.Spec(t, workload), nodes, ops, seed)
}

// runTarget runs st through harness.RunSim with the clients' history
// checked for linearizability (Report.Check); a run that does not finish in
// 30 s of wall time (a liveness bug: the cluster's timers never stop) fails.
func runTarget(t testing.TB, st harness.SimTarget, spec workloads.Spec, nodes int, ops, seed uint64) *harness.Report {
	t.Helper()
	return algotest.RunTarget(t, st, spec, algotest.Options{Clock: algorithms.Virtual, Ops: ops, Seed: seed, Shards: nodes, Timeout: 30 * time.Second, Check: true})
}

var targets = []string{"multi-paxos", "flexible-paxos", "raft", "etcd-raft"}

func resolve(name string, raw map[string]string) (algorithms.Params, error) {
	info, err := algorithms.Lookup("consensus/" + name)
	if err != nil {
		return algorithms.Params{}, err
	}
	return info.Resolve(raw)
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
