package dynamo

import (
	"strings"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// cluster builds a target's Sim on a World of its own, so a test can issue
// ops at chosen times and let the cluster run on after the last one.
type cluster struct {
	*Sim
	w      *harness.World
	errors int
	done   int
}

func newCluster(t *testing.T, name string, params map[string]string) *cluster {
	t.Helper()
	info, err := algorithms.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := info.Resolve(params)
	if err != nil {
		t.Fatal(err)
	}
	st, err := info.NewSim(algorithms.Env{Params: p, Seed: 1, Clock: algorithms.Virtual})
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{Sim: st.(*Sim)}
	c.w = harness.NewWorld(42, func(_ *harness.Request, o harness.Outcome) {
		c.done++
		if o.Err != nil {
			c.errors++
		}
	})
	c.Setup(c.w)
	return c
}

func (c *cluster) issue(w *harness.World, req *harness.Request, _ int64) {
	req.Sent = w.Now()
	c.Start(w, req)
}

// ops issues one op of kind on each of keys, evenly spread over [from, to).
func (c *cluster) ops(kind workloads.Kind, keys int, from, to time.Duration) {
	for k := 0; k < keys; k++ {
		at := from + time.Duration(k)*(to-from)/time.Duration(keys)
		req := &harness.Request{Op: workloads.Op{Kind: kind, Key: uint64(k), At: at}}
		c.w.At(at, c.issue, req, 0)
	}
}

var outage = map[string]string{"crash": "1", "crash_at": "0s", "restart_at": "300ms", "antientropy": "0s"}

func with(m map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// Strict quorum, no anti-entropy: the node that was down misses every write
// of its outage for good. Merkle anti-entropy finds and ships exactly those
// ranges, and the replicas converge.
func TestAntiEntropyConverges(t *testing.T) {
	c := newCluster(t, "dynamo/strict", outage)
	c.ops(workloads.Update, 1000, 10*time.Millisecond, 250*time.Millisecond)
	c.w.RunUntil(2 * time.Second)
	if c.Divergent() == 0 || c.errors != 0 || c.done != 1000 {
		t.Fatalf("without anti-entropy: %d divergent replicas, %d errors of %d", c.Divergent(), c.errors, c.done)
	}
	c = newCluster(t, "dynamo/strict", with(outage, "antientropy", "100ms"))
	c.ops(workloads.Update, 1000, 10*time.Millisecond, 250*time.Millisecond)
	c.w.RunUntil(2 * time.Second)
	if d := c.Divergent(); d != 0 || c.rangesSynced == 0 {
		t.Fatalf("with anti-entropy: %d divergent replicas after %d leaf ranges synced", d, c.rangesSynced)
	}
	// Converged trees: one more round finds nothing.
	before := c.rangesSynced
	c.w.RunUntil(2200 * time.Millisecond)
	if c.rangesSynced != before {
		t.Errorf("anti-entropy kept syncing converged replicas: %d → %d", before, c.rangesSynced)
	}
}

// Sloppy quorum, no anti-entropy: the fallbacks hand every hinted replica
// back once the node recovers, and that alone converges the replicas.
func TestHintedHandoffConverges(t *testing.T) {
	c := newCluster(t, "dynamo/quorum", outage)
	c.ops(workloads.Update, 1000, 10*time.Millisecond, 250*time.Millisecond)
	c.w.RunUntil(2 * time.Second)
	if c.hintsStored == 0 || c.hintsDelivered != c.hintsStored {
		t.Fatalf("hints stored %d delivered %d", c.hintsStored, c.hintsDelivered)
	}
	if d := c.Divergent(); d != 0 || c.Lost() != 0 {
		t.Fatalf("%d divergent replicas, %d writes lost", d, c.Lost())
	}
	for i := range c.nodes {
		if c.nodes[i].hintsLive != 0 {
			t.Errorf("node %d still holds %d hints", i, c.nodes[i].hintsLive)
		}
	}
}

// Read repair: after the outage, one read of every key repairs each stale
// replica exactly once, and nothing else converges them.
func TestReadRepair(t *testing.T) {
	c := newCluster(t, "dynamo/strict", outage)
	c.ops(workloads.Update, 1000, 10*time.Millisecond, 250*time.Millisecond)
	c.w.RunUntil(400 * time.Millisecond)
	stale := c.Divergent()
	c.ops(workloads.Read, 1000, 500*time.Millisecond, 900*time.Millisecond)
	c.w.RunUntil(2 * time.Second)
	if stale == 0 || c.readRepair != stale || c.Divergent() != 0 {
		t.Fatalf("%d stale replicas before the reads, %d read repairs, %d after", stale, c.readRepair, c.Divergent())
	}
}

// The durability check can fail: with one replica per key (n=1) and its node
// gone for good, the writes it acknowledged are lost. With n=3 and w=1 the
// same outage loses nothing.
func TestDurabilityCheck(t *testing.T) {
	p := map[string]string{"nodes": "3", "n": "1", "r": "1", "w": "1", "crash": "0", "crash_at": "300ms"}
	c := newCluster(t, "dynamo/quorum", p)
	c.ops(workloads.Update, 600, 0, 600*time.Millisecond)
	c.w.RunUntil(time.Second)
	if c.Lost() == 0 {
		t.Fatal("no acknowledged write lost with n=1 and its node gone")
	}
	c = newCluster(t, "dynamo/quorum", with(p, "n", "3"))
	c.ops(workloads.Update, 600, 0, 600*time.Millisecond)
	c.w.RunUntil(time.Second)
	if c.Lost() != 0 || c.errors != 0 {
		t.Fatalf("n=3 w=1: %d lost, %d errors", c.Lost(), c.errors)
	}
}

// Under a random fault plan (crashes, partitions, one-way cuts between
// nodes) and message loss between nodes, with r = w = 3, ops whose replica
// crashes with their messages in flight time out and ops begun during a
// crash fail at once; every op still completes exactly once
// (World.Complete panics on a second) and no acknowledged write is lost.
// The client's links are neither lossy nor cut (harness/simnet's rule), so
// without crashes nothing fails.
func TestFaultsAndTimeouts(t *testing.T) {
	faults := map[string]string{"loss": "0.2", "w": "3", "r": "3", "fault_gap": "30ms", "fault_len": "30ms", "faults_end": "1s"}
	for _, name := range []string{"dynamo/quorum", "dynamo/strict"} {
		rep, s := run(t, name, Workload, faults, 3000, 4)
		if rep.Errors == 0 || rep.Ops != 3000 {
			t.Errorf("%s: %d errors of %d ops under the fault plan", name, rep.Errors, rep.Ops)
		}
		if s.Lost() != 0 {
			t.Errorf("%s: %d acknowledged writes lost", name, s.Lost())
		}
		rep, _ = run(t, name, Workload, with(faults, "fault_gap", "0s"), 3000, 4)
		if rep.Errors != 0 || rep.Metrics["messages_dropped"] == 0 {
			t.Errorf("%s: loss alone: %d errors, %v messages dropped", name, rep.Errors, rep.Metrics["messages_dropped"])
		}
	}
}

func TestBadParams(t *testing.T) {
	for _, c := range []struct {
		params map[string]string
		want   string
	}{
		{map[string]string{"r": "4"}, "r=4"},
		{map[string]string{"w": "0"}, "w=\"0\""},
		{map[string]string{"n": "6"}, "n=6"},
		{map[string]string{"nodes": "2"}, "n=3"},
		{map[string]string{"crash": "5"}, `"5" is not a node`},
		{map[string]string{"down": "5"}, `"5" is not a node`},
		{map[string]string{"crash": "leader"}, "no leader"},
		{map[string]string{"partition": "isolate:leader"}, "no leader"},
		{map[string]string{"down": "1", "crash": "1"}, "old name of crash"},
		{map[string]string{"dup": "0.1"}, "no parameter \"dup\""},
		{map[string]string{"loss": "1"}, "loss"},
		{map[string]string{"merkle_leaves": "3"}, "merkle_leaves"},
	} {
		for _, name := range []string{"dynamo/quorum", "dynamo/strict"} {
			info, _ := algorithms.Lookup(name)
			_, err := info.Resolve(c.params)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s %v: error %v, want one naming %s", name, c.params, err, c.want)
			}
		}
	}
}

// Two concurrent blind writes of a key through different coordinators are
// siblings: a get returns both, and the client's next write, made with the
// context of that get, reconciles them into one version.
func TestSiblingsReconciledByNextWrite(t *testing.T) {
	c := newCluster(t, "dynamo/quorum", map[string]string{"nodes": "3", "r": "3", "w": "3", "antientropy": "0s"})
	const keys = 300
	c.ops(workloads.Update, keys, 0, time.Millisecond)
	c.ops(workloads.Update, keys, 0, time.Millisecond)
	c.ops(workloads.Read, keys, 100*time.Millisecond, 110*time.Millisecond)
	c.w.RunUntil(200 * time.Millisecond)
	// Two writes of a key pick the same coordinator with probability 1/3.
	sib := c.sibReads
	if sib < keys/2 || sib > keys*5/6 || c.versionsReturned != keys+sib {
		t.Fatalf("%d of %d gets returned siblings, %d versions", sib, keys, c.versionsReturned)
	}
	c.ops(workloads.Update, keys, 200*time.Millisecond, 210*time.Millisecond)
	c.ops(workloads.Read, keys, 300*time.Millisecond, 310*time.Millisecond)
	c.w.RunUntil(time.Second)
	if c.sibReads != sib || c.versionsReturned != keys+sib+keys || c.errors != 0 || c.staleReads != 0 {
		t.Fatalf("after the reconciling writes: %d gets with siblings (was %d), %d versions, %d errors, %d stale",
			c.sibReads, sib, c.versionsReturned, c.errors, c.staleReads)
	}
}
