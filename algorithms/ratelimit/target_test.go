package ratelimit

import (
	"cmp"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

type arrival struct {
	at     time.Duration
	client uint32
}

type completion struct {
	at, done time.Duration
	denied   bool
}

// drive replays arrivals through target in a real harness.World and returns
// each request's completion in arrival order.
func drive(t *testing.T, target harness.SimTarget, arrivals []arrival) []completion {
	t.Helper()
	out := make([]completion, len(arrivals))
	var w *harness.World
	w = harness.NewWorld(42, func(req *harness.Request, o harness.Outcome) {
		if o.Err != nil || o.Shard != harness.NoShard {
			t.Fatalf("op %d: outcome %+v", req.Op.Seq, o)
		}
		out[req.Op.Seq] = completion{at: req.Op.At, done: w.Now(), denied: o.Denied}
	})
	start := func(w *harness.World, req *harness.Request, _ int64) { target.Start(w, req) }
	for i, a := range arrivals {
		req := &harness.Request{Op: workloads.Op{Seq: uint64(i), At: a.at, Client: a.client}, Sent: a.at}
		w.At(a.at, start, req, 0)
	}
	for w.Step() {
	}
	for i, c := range out {
		if c.done < c.at || (c.done == 0 && arrivals[i].at != 0 && c.at == 0) {
			t.Fatalf("op %d never completed or completed before it arrived: %+v", i, c)
		}
	}
	return out
}

func simTargetFor(t *testing.T, name string, raw map[string]string) harness.SimTarget {
	t.Helper()
	return algotest.Build(t, "ratelimit/"+name, raw, "", algotest.Options{Clock: algorithms.Virtual, Seed: 1}).(harness.SimTarget)
}

// bursty is a multi-tenant on/off trace: 20000/s in 200 ms bursts each
// second, clients Zipf-like (client i drawn with weight 1/(i+1)).
func bursty(seed uint64, n int) []arrival {
	r := rand.New(rand.NewPCG(seed, 9))
	var out []arrival
	at := time.Duration(0)
	for len(out) < n {
		at += time.Duration(r.ExpFloat64() * 50_000)
		if at%time.Second > 200*time.Millisecond {
			at = (at/time.Second + 1) * time.Second
		}
		c := uint32(0)
		for c < 99 && r.Float64() > 0.3 {
			c++
		}
		out = append(out, arrival{at, c})
	}
	return out
}

var names = []string{"token-bucket", "gcra", "leaky-queue", "fixed-window", "sliding-log",
	"sliding-counter", "concurrency", "x-time-rate"}

// Every target, driven through a World: each op completes once, the
// figures count what happened, and a run repeats exactly.
func TestTargetsInVirtualTime(t *testing.T) {
	arr := bursty(1, 12_000)
	for _, name := range names {
		for _, mode := range []string{"keyed", "global"} {
			raw := map[string]string{"mode": mode}
			st := simTargetFor(t, name, raw)
			done := drive(t, st, arr)
			m := st.(harness.Metricser).Metrics()
			denied := 0
			for _, c := range done {
				if c.denied {
					denied++
				}
			}
			if float64(denied) != m["denied"] || m["admitted"]+m["denied"] != float64(len(arr)) {
				t.Errorf("%s/%s: %d denied by outcomes, metrics %v admitted %v denied", name, mode, denied, m["admitted"], m["denied"])
			}
			if denied == 0 || denied == len(arr) {
				t.Errorf("%s/%s: %d of %d denied: the trace does not exercise it", name, mode, denied, len(arr))
			}
			for _, k := range []string{"admitted_rate", "max_admitted_in_any_window", "jain_admitted_share", "bytes_per_key"} {
				if m[k] <= 0 {
					t.Errorf("%s/%s: %s = %v", name, mode, k, m[k])
				}
			}
			if ideal, ok := m["ideal_max_in_window"]; ok {
				switch name {
				case "token-bucket", "gcra", "leaky-queue", "x-time-rate":
					if m["max_admitted_in_any_window"] > ideal {
						t.Errorf("%s/%s: %v admitted in a window, ideal %v", name, mode, m["max_admitted_in_any_window"], ideal)
					}
				}
				if name == "token-bucket" || name == "gcra" {
					if m["false_admits"] != 0 || m["false_denials"] != 0 {
						t.Errorf("%s/%s: %v false admits, %v false denials against its own definition", name, mode, m["false_admits"], m["false_denials"])
					}
				}
			} else if name != "concurrency" {
				t.Errorf("%s/%s: no ideal_max_in_window", name, mode)
			}
			again := simTargetFor(t, name, raw)
			drive(t, again, arr)
			m2 := again.(harness.Metricser).Metrics()
			if _, ok := m["decision_ns"]; ok {
				t.Errorf("%s/%s: a virtual-time run reports decision_ns, a wall-clock figure", name, mode)
			}
			for k, v := range m {
				if m2[k] != v {
					t.Errorf("%s/%s: %s = %v then %v on the same trace", name, mode, k, v, m2[k])
				}
			}
		}
	}
}

// The fixed window lets the boundary burst through and the reference counts
// it: a burst just before and just after a boundary, in one window.
func TestFixedWindowFalseAdmitsCounted(t *testing.T) {
	var arr []arrival
	for i := 0; i < 300; i++ {
		arr = append(arr, arrival{time.Second - time.Millisecond + time.Duration(i)*7*time.Microsecond, 0})
	}
	st := simTargetFor(t, "fixed-window", map[string]string{"rate": "100", "burst": "10"})
	drive(t, st, arr)
	m := st.(harness.Metricser).Metrics()
	if m["max_admitted_in_any_window"] != 200 || m["false_admits"] < 150 {
		t.Fatalf("boundary burst: %v in a window, %v false admits; want 200 and >= 150 (the bucket of 10 admits ~10)",
			m["max_admitted_in_any_window"], m["false_admits"])
	}
}

// Admitted ops wait in the leaky queue: they leave at most one per 1/rate,
// and ops beyond the queue are denied at once.
func TestLeakyQueueTargetDelays(t *testing.T) {
	var arr []arrival
	for i := 0; i < 50; i++ {
		arr = append(arr, arrival{time.Millisecond, 0})
	}
	st := simTargetFor(t, "leaky-queue", map[string]string{"rate": "1000", "queue": "9"})
	done := drive(t, st, arr)
	var deps []time.Duration
	for i, c := range done {
		switch {
		case i < 10 && (c.denied || c.done != time.Millisecond+time.Duration(i)*time.Millisecond):
			t.Fatalf("op %d: %+v, want to leave at %v", i, c, time.Millisecond+time.Duration(i)*time.Millisecond)
		case i >= 10 && (!c.denied || c.done != c.at):
			t.Fatalf("op %d: %+v, want denied at once (queue full)", i, c)
		}
		if !c.denied {
			deps = append(deps, c.done)
		}
	}
	m := st.(harness.Metricser).Metrics()
	if m["queue_delay_max_ns"] != float64(9*time.Millisecond) || m["max_admitted_in_any_window"] > m["ideal_max_in_window"] {
		t.Fatalf("metrics %v", m)
	}
}

// Admitted ops hold a slot for their service time; at most limit are ever in
// flight, per client in keyed mode.
func TestConcurrencyTargetHoldsSlots(t *testing.T) {
	arr := bursty(3, 5000)
	st := simTargetFor(t, "concurrency", map[string]string{"limit": "3", "service": "exp:mean=2ms", "mode": "global"})
	done := drive(t, st, arr)
	type ev struct {
		at time.Duration
		d  int
	}
	var evs []ev
	for _, c := range done {
		if !c.denied {
			evs = append(evs, ev{c.at, 1}, ev{c.done, -1})
		}
	}
	// Sweep: releases at an instant come before admissions at that instant.
	slices.SortFunc(evs, func(a, b ev) int {
		if a.at != b.at {
			return cmp.Compare(a.at, b.at)
		}
		return cmp.Compare(a.d, b.d)
	})
	in, peak := 0, 0
	for _, e := range evs {
		in += e.d
		peak = max(peak, in)
	}
	m := st.(harness.Metricser).Metrics()
	if peak != 3 || m["max_in_flight"] != 3 {
		t.Fatalf("peak in flight %d (metrics %v), want 3", peak, m["max_in_flight"])
	}
}

// Keyed mode over more clients than keys= evicts, keeps memory at keys=,
// and still decides every op.
func TestKeyedTargetEvicts(t *testing.T) {
	var arr []arrival
	for i := 0; i < 5000; i++ {
		arr = append(arr, arrival{time.Duration(i) * time.Microsecond, uint32(i % 1000)})
	}
	st := simTargetFor(t, "sliding-log", map[string]string{"keys": "100"})
	drive(t, st, arr)
	m := st.(harness.Metricser).Metrics()
	if m["keys"] != 100 || m["evictions"] != 4900 || m["admitted"] != 5000 {
		t.Fatalf("keys %v evictions %v admitted %v; want 100, 4900, 5000", m["keys"], m["evictions"], m["admitted"])
	}
}

// Many wall-clock workers share the limiters (run with -race): the global
// limit holds across them.
func TestWallWorkersShareLimiter(t *testing.T) {
	info, _ := algorithms.Lookup("ratelimit/token-bucket")
	for _, mode := range []string{"global", "keyed"} {
		p, _ := info.Resolve(map[string]string{"rate": "1000", "burst": "5", "mode": mode})
		target, err := info.NewWall(algorithms.Env{Params: p, Clock: algorithms.Wall, Workers: 4})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wt := target.(harness.Forker).Fork(w, rand.New(rand.NewPCG(uint64(w), 0)))
			wg.Add(1)
			go func() {
				defer wg.Done()
				op := workloads.Op{Client: uint32(w)}
				for i := 0; i < 5000; i++ {
					wt.Do(time.Duration(i)*10*time.Microsecond, &op) // 100k/s per worker
				}
			}()
		}
		wg.Wait()
		m := target.(harness.Metricser).Metrics()
		limit := 5 + 1000*0.05 // burst + rate·50ms
		if mode == "keyed" {
			limit *= 4
		}
		if m["admitted"] > limit+4 || m["admitted"] < limit-8 {
			t.Errorf("%s: %v admitted by 4 workers in 50 ms, want about %v", mode, m["admitted"], limit)
		}
		if _, ok := m["lock_contended_frac"]; !ok {
			t.Errorf("%s: no lock_contended_frac", mode)
		}
		if m["decision_ns"] <= 0 {
			t.Errorf("%s: the wall clock reports decision_ns = %v", mode, m["decision_ns"])
		}
	}
}

// Zero and negative rates, bursts and sizes are refused before a run, with
// the parameter named.
func TestRegistryRejectsBadParameters(t *testing.T) {
	for _, name := range names {
		info, err := algorithms.Lookup("ratelimit/" + name)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range info.Params {
			if p.Type != algorithms.Int && p.Type != algorithms.Float && p.Type != algorithms.Duration {
				continue
			}
			for _, v := range []string{"0", "-5", "-1s", "0s"} {
				if _, err := info.Resolve(map[string]string{p.Name: v}); err == nil {
					t.Errorf("%s: %s=%s accepted", name, p.Name, v)
				} else if !strings.Contains(err.Error(), p.Name) {
					t.Errorf("%s: %s=%s: error %q does not name the parameter", name, p.Name, v, err)
				}
			}
		}
	}
	// Values that pass each range but not together.
	info, _ := algorithms.Lookup("ratelimit/fixed-window")
	if _, err := info.Resolve(map[string]string{"rate": "0.5", "window": "1s"}); err == nil || !strings.Contains(err.Error(), "rate·window") {
		t.Errorf("rate·window < 1 passed Resolve (it must be bad input, exit 2): %v", err)
	}
}

func testParams(raw map[string]string) algorithms.Params {
	info, err := algorithms.Lookup("ratelimit/token-bucket")
	if err != nil {
		panic(err)
	}
	p, err := info.Resolve(raw)
	if err != nil {
		panic(err)
	}
	return p
}

// A run longer than the decision log's bound counts every op, logs no more
// than the bound (memory stays flat however long a wall-clock run is) and
// says how many decisions the accuracy figures cover.
func TestDecisionLogBounded(t *testing.T) {
	c, err := newCore(&kinds[0], testParams(map[string]string{"rate": "1000"}), wallShards)
	if err != nil {
		t.Fatal(err)
	}
	c.judged = 2000
	target := newWallTarget(c, 1)
	w := target.Fork(0, nil).(*wallWorker)
	op := workloads.Op{}
	const n = 200_000
	var before, after runtime.MemStats
	for i := 0; i < n; i++ {
		if i == n/2 {
			runtime.ReadMemStats(&before)
		}
		op.Client = uint32(i % 7)
		w.Do(time.Duration(i)*time.Microsecond, &op)
	}
	runtime.ReadMemStats(&after)
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 64<<10 {
		t.Errorf("%d bytes allocated by %d decisions after the log was full, want none", grown, n/2)
	}
	m := target.Metrics()
	if m["admitted"]+m["denied"] != n || m["judged_ops"] > 2000 || m["judged_ops"] < 500 {
		t.Fatalf("admitted %v + denied %v, want %d; judged_ops %v, want the bound", m["admitted"], m["denied"], n, m["judged_ops"])
	}
	// 7 keys at 1000/s over 0.2 s, each starting with a burst of 10.
	if want := 7 * (10 + 1000*0.2); m["admitted"] < want-7 || m["admitted"] > want {
		t.Errorf("admitted %v over the whole run, want about %v", m["admitted"], want)
	}
	if want := m["admitted"] / 0.2; math.Abs(m["admitted_rate"]-want) > 0.001*want {
		t.Errorf("admitted_rate %v, want %v (the whole run)", m["admitted_rate"], want)
	}
}
