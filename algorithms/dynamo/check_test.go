package dynamo

import (
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/history"
	"github.com/dsbench/dsbench/workloads"
)

// hot is a workload with much concurrency per key, so reads race writes.
const hot = "ycsb-a keys=zipf:theta=0.99,n=50 arrival=poisson:rate=5000 clients=uniform:n=100"

// checked runs name with --check and returns the violating keys.
func checked(t *testing.T, name string, params map[string]string, seed uint64) float64 {
	t.Helper()
	o := algotest.Options{Clock: algorithms.Virtual, Ops: 4000, Seed: seed, Check: true}
	rep := algotest.Run(t, name, params, hot, o)
	if rep.Check == nil {
		t.Fatalf("%s: no linearizability verdict with Check set", name)
	}
	if rep.Check.Unknown != 0 {
		t.Errorf("%s %v seed %d: %d keys undecided", name, params, seed, rep.Check.Unknown)
	}
	return rep.Metrics["linearizability_violations"]
}

// The checker catches the unsafe configurations: R + W ≤ N (r=1, w=1)
// returns reads that miss acknowledged writes, on every seed; and Dynamo's
// own R + W > N with asynchronous read repair is a regular register, not
// an atomic one: a get that sees a write still in flight can be followed by
// one that does not (a new-old inversion), which some seed shows.
// read_repair=blocking (ABD's write-back) removes it: none over the seeds,
// with a random fault plan of crashes and partitions.
func TestLinearizabilityChecked(t *testing.T) {
	faults := map[string]string{"nodes": "5", "fault_gap": "50ms", "fault_len": "50ms", "faults_end": "1s"}
	inversions := 0.0
	for seed := uint64(1); seed <= 6; seed++ {
		for _, name := range []string{"dynamo/quorum", "dynamo/strict"} {
			if v := checked(t, name, with(faults, "r", "1", "w", "1"), seed); v == 0 {
				t.Errorf("%s r=1 w=1 seed %d: no violation found", name, seed)
			}
			inversions += checked(t, name, with(faults, "fault_gap", "0s"), seed)
			if v := checked(t, name, with(faults, "read_repair", "blocking"), seed); v != 0 {
				t.Errorf("%s r=2 w=2 read_repair=blocking seed %d: %v keys not linearizable", name, seed, v)
			}
		}
	}
	if inversions == 0 {
		t.Errorf("r=2 w=2 with asynchronous read repair: no new-old inversion over 6 seeds (the seeds that showed one no longer do)")
	}
}

// The sloppy quorum is not linearizable either, even with blocking read
// repair: with two of a key's three home replicas down, a write is
// acknowledged by the third and a fallback; when the home nodes return and
// the nodes that took the write are down, a get reads the two home nodes,
// which never saw it. The strict quorum refuses that write (too few healthy
// replicas) and stays linearizable on the same schedule.
func TestSloppyQuorumIsNotLinearizable(t *testing.T) {
	for _, c := range []struct {
		name string
		want bool
	}{{"dynamo/quorum", true}, {"dynamo/strict", false}} {
		cl := newCluster(t, c.name, map[string]string{"read_repair": "blocking", "antientropy": "0s"})
		hist := history.New()
		cl.RecordHistory(hist)
		const key = 7
		pref := cl.Ring().Pref(cl.Ring().Range(key))
		at := func(d time.Duration, fn func()) {
			cl.w.At(d, func(*harness.World, *harness.Request, int64) { fn() }, nil, 0)
		}
		at(10*time.Millisecond, func() { cl.net.Crash(int(pref[0])); cl.net.Crash(int(pref[1])) })
		op := func(d time.Duration, kind workloads.Kind) {
			req := &harness.Request{Op: workloads.Op{Kind: kind, Key: key, At: d}}
			cl.w.At(d, cl.issue, req, 0)
		}
		op(20*time.Millisecond, workloads.Update)
		at(100*time.Millisecond, func() {
			for _, n := range pref[2:] {
				cl.net.Crash(int(n))
			}
			cl.net.Restart(int(pref[0]))
			cl.net.Restart(int(pref[1]))
		})
		op(110*time.Millisecond, workloads.Read)
		cl.w.RunUntil(time.Second)
		res := history.Check(hist, 10*time.Second)
		if got := res.Violations > 0; got != c.want || cl.done != 2 {
			t.Errorf("%s: %d violations (want one: %v), %d of 2 ops done, %d errors", c.name, res.Violations, c.want, cl.done, cl.errors)
		}
		if c.want && res.First != nil {
			t.Logf("%s: %v", c.name, res.First)
		}
	}
}
