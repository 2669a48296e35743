package casestudy

import (
	"container/heap"
	"sort"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
	"github.com/dsbench/dsbench/harness"
)

const canvaName = "casestudy/canva-uploads"

func runCanva(t *testing.T, raw map[string]string, spec string, ops uint64, seed uint64, broken bool) (*canvaSim, *harness.Report) {
	t.Helper()
	o := algotest.Options{Clock: algorithms.Virtual, Ops: ops, Seed: seed, Timeout: time.Minute} // a lost message would never complete its op
	c := algotest.Build(t, canvaName, raw, spec, o).(*canvaSim)
	c.cfg.lifo = broken
	rep := algotest.RunTarget(t, c, algotest.Spec(t, spec), o)
	return c, rep
}

type durHeap []time.Duration

func (h durHeap) Len() int           { return len(h) }
func (h durHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h durHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *durHeap) Push(x any)        { *h = append(*h, x.(time.Duration)) }
func (h *durHeap) Pop() any          { o := *h; x := o[len(o)-1]; *h = o[:len(o)-1]; return x }

// fifoSchedule is the reference: c servers, FIFO, constant service d, jobs
// ready at ready[i] (in order): job i's completion time.
func fifoSchedule(ready []time.Duration, c int, d time.Duration) []time.Duration {
	free := make(durHeap, c)
	done := make([]time.Duration, len(ready))
	for i, r := range ready {
		f := heap.Pop(&free).(time.Duration)
		done[i] = max(r, f) + d
		heap.Push(&free, done[i])
	}
	return done
}

// canvaMatchesFIFO compares every upload's thumbnail time with the
// reference schedule and returns the mismatches.
func canvaMatchesFIFO(c *canvaSim, store time.Duration, workers int, d time.Duration) int {
	idx := make([]int, len(c.msgs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return c.msgs[idx[a]].uploaded < c.msgs[idx[b]].uploaded })
	ready := make([]time.Duration, len(idx))
	for k, i := range idx {
		ready[k] = c.msgs[i].uploaded + store
	}
	want := fifoSchedule(ready, workers, d)
	bad := 0
	for k, i := range idx {
		if c.msgs[i].thumbAt != want[k] {
			bad++
		}
	}
	return bad
}

// TestCanvaFixedPoolIsFIFOSchedule: with a fixed pool, constant store and
// service times, no failures or crashes, every thumbnail is written exactly
// when a FIFO c-server queue says (computed independently), on a bursty
// arrival process; a queue that hands out the newest message first is
// caught.
func TestCanvaFixedPoolIsFIFOSchedule(t *testing.T) {
	raw := map[string]string{"autoscale": "false", "min_workers": "3", "fail_rate": "0", "crash_rate": "0",
		"store_latency": "const:d=20ms", "service": "const:d=70ms", "visibility": "1h"}
	for _, spec := range []string{
		"mix=insert:1 arrival=constant:rate=45",
		"mix=insert:1 arrival=onoff:rate=100,on=1s,off=2s",
		"mix=insert:1 arrival=poisson:rate=40",
	} {
		c, rep := runCanva(t, raw, spec, 3000, 1, false)
		if bad := canvaMatchesFIFO(c, 20*time.Millisecond, 3, 70*time.Millisecond); bad != 0 || rep.Ops != 3000 {
			t.Errorf("%s: %d of %d thumbnails off the FIFO schedule (ops %d)", spec, bad, len(c.msgs), rep.Ops)
		}
		if m := c.Metrics(); m["redeliveries"] != 0 || m["duplicate_thumbnails"] != 0 || m["backlog_max"] == 0 {
			t.Errorf("%s: redeliveries %v duplicates %v backlog_max %v", spec, m["redeliveries"], m["duplicate_thumbnails"], m["backlog_max"])
		}
		if broken, _ := runCanva(t, raw, spec, 3000, 1, true); canvaMatchesFIFO(broken, 20*time.Millisecond, 3, 70*time.Millisecond) == 0 {
			t.Errorf("%s: a LIFO queue matches the FIFO schedule", spec)
		}
	}
}

// TestCanvaNoMessageLost: under failures, crashes and visibility expiries,
// every upload ends as a thumbnail or dead-lettered, every op completes, and
// the counters agree.
func TestCanvaNoMessageLost(t *testing.T) {
	for _, raw := range []map[string]string{
		{"fail_rate": "0.3", "crash_rate": "0.05", "max_receives": "3", "backoff": "100ms"},
		{"fail_rate": "0.1", "crash_rate": "0.02", "visibility": "200ms", "policy": "step"},
		{"fail_rate": "0.2", "autoscale": "false", "crash_rate": "0.1", "visibility": "2s"},
	} {
		c, rep := runCanva(t, raw, CanvaWorkload, 3000, 2, false)
		m := c.Metrics()
		if m["pending"] != 0 || m["thumbnails"]+m["dead_lettered"] != m["uploads"] || rep.Ops != 3000 || float64(rep.Errors) != m["dead_lettered"] {
			t.Errorf("%v: uploads %v thumbnails %v dead %v pending %v ops %d errors %d", raw, m["uploads"], m["thumbnails"], m["dead_lettered"], m["pending"], rep.Ops, rep.Errors)
		}
		// A message is delivered again only after a retry's backoff or a
		// visibility expiry (an expired copy deleted before its redelivery
		// is not delivered again).
		if m["redeliveries"] != m["receives"]-m["uploads"] || m["redeliveries"] > m["retries"]+m["visibility_expiries"] {
			t.Errorf("%v: redeliveries %v, receives %v, retries %v, visibility expiries %v", raw, m["redeliveries"], m["receives"], m["retries"], m["visibility_expiries"])
		}
		if m["worker_crashes"] > 0 && m["visibility_expiries"] < m["worker_crashes"]-1 {
			t.Errorf("%v: %v crashes but only %v visibility expiries", raw, m["worker_crashes"], m["visibility_expiries"])
		}
		if m["workers_max"] > 64 || m["worker_utilization"] <= 0 || m["worker_utilization"] > 1 {
			t.Errorf("%v: workers_max %v utilization %v", raw, m["workers_max"], m["worker_utilization"])
		}
	}
	// Every job fails and one receive is allowed: everything is dead-lettered.
	c, _ := runCanva(t, map[string]string{"fail_rate": "1", "max_receives": "1"}, CanvaWorkload, 500, 3, false)
	if m := c.Metrics(); m["dead_lettered"] != 500 || m["thumbnails"] != 0 {
		t.Errorf("all failing: %v dead-lettered, %v thumbnails", m["dead_lettered"], m["thumbnails"])
	}
}

// TestCanvaDuplicatesOnlyAfterExpiry: a visibility timeout longer than any
// job gives no duplicate thumbnails even with crashes (a crashed worker
// writes nothing; its message is redelivered once it expires); one shorter
// than the jobs gives duplicates, never more than the expiries.
func TestCanvaDuplicatesOnlyAfterExpiry(t *testing.T) {
	c, _ := runCanva(t, map[string]string{"crash_rate": "0.1", "service": "const:d=100ms"}, CanvaWorkload, 2000, 4, false)
	if m := c.Metrics(); m["duplicate_thumbnails"] != 0 || m["worker_crashes"] == 0 || m["visibility_expiries"] == 0 {
		t.Errorf("long visibility: duplicates %v crashes %v expiries %v", m["duplicate_thumbnails"], m["worker_crashes"], m["visibility_expiries"])
	}
	c, _ = runCanva(t, map[string]string{"crash_rate": "0", "fail_rate": "0", "service": "const:d=100ms", "visibility": "60ms", "max_receives": "1000"}, CanvaWorkload, 2000, 4, false)
	if m := c.Metrics(); m["duplicate_thumbnails"] == 0 || m["duplicate_thumbnails"] > m["visibility_expiries"] {
		t.Errorf("short visibility: duplicates %v expiries %v", m["duplicate_thumbnails"], m["visibility_expiries"])
	}
}

// TestCanvaAutoscaling: on the spike workload, autoscaling cuts the tail of
// time to thumbnail against the fixed pool at the cost of worker-seconds,
// stays within max_workers, and scales back in; proportional scales faster
// than step.
func TestCanvaAutoscaling(t *testing.T) {
	run := func(raw map[string]string) map[string]float64 {
		c, _ := runCanva(t, raw, CanvaWorkload, 4000, 5, false)
		return c.Metrics()
	}
	fixed := run(map[string]string{"autoscale": "false"})
	prop := run(map[string]string{"policy": "proportional"})
	step := run(map[string]string{"policy": "step"})
	if !(prop["time_to_thumbnail_p99"] < step["time_to_thumbnail_p99"] && step["time_to_thumbnail_p99"] < fixed["time_to_thumbnail_p99"]) {
		t.Errorf("p99: proportional %v, step %v, fixed %v", prop["time_to_thumbnail_p99"], step["time_to_thumbnail_p99"], fixed["time_to_thumbnail_p99"])
	}
	if !(prop["worker_seconds"] > fixed["worker_seconds"]) || fixed["workers_max"] != 8 || prop["workers_max"] > 64 || prop["scale_downs"] == 0 {
		t.Errorf("cost: proportional %v fixed %v worker-seconds; workers_max %v / %v; scale_downs %v", prop["worker_seconds"], fixed["worker_seconds"], prop["workers_max"], fixed["workers_max"], prop["scale_downs"])
	}
	if capped := run(map[string]string{"max_workers": "12"}); capped["workers_max"] != 12 {
		t.Errorf("max_workers=12: %v workers", capped["workers_max"])
	}
	a, b := runSim(t, canvaName, "", nil, 2000, 9), runSim(t, canvaName, "", nil, 2000, 9)
	algotest.SameRun(t, canvaName, a, b)
	wantBad(t, canvaName, map[string]string{"min_workers": "10", "max_workers": "5"}, "max_workers=5", "min_workers=10")
	wantBad(t, canvaName, map[string]string{"policy": "magic"}, "proportional", "step")
}
