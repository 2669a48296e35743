package loadbalance

import (
	"errors"
	"math/rand/v2"
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

// completion is one finished request as the test's World saw it.
type completion struct {
	at, latency time.Duration
	shard       int32
	err         error
}

type simResult struct {
	done    []completion
	metrics map[string]float64
}

func (r simResult) p99() time.Duration {
	lat := make([]time.Duration, 0, len(r.done))
	for _, c := range r.done {
		lat = append(lat, c.latency)
	}
	slices.Sort(lat)
	return lat[len(lat)*99/100]
}

// share is the fraction of successful completions in [from, to) served by shard.
func (r simResult) share(shard int32, from, to time.Duration) float64 {
	n, k := 0, 0
	for _, c := range r.done {
		if c.err == nil && c.at >= from && c.at < to {
			n++
			if c.shard == shard {
				k++
			}
		}
	}
	return float64(k) / float64(n)
}

func newSimTarget(t *testing.T, policy string, raw map[string]string) (harness.SimTarget, error) {
	t.Helper()
	st, err := algotest.New("loadbalance/"+policy, raw, "", algotest.Options{Clock: algorithms.Virtual, Seed: 1})
	if err != nil {
		return nil, err
	}
	return st.(harness.SimTarget), nil
}

// runSim drives a real harness.World directly: n open-loop Poisson arrivals
// at rate/s over 1000 keys and 100 clients, then runs every event.
func runSim(t *testing.T, policy string, raw map[string]string, n int, rate float64, seed uint64) simResult {
	t.Helper()
	st, err := newSimTarget(t, policy, raw)
	if err != nil {
		t.Fatal(err)
	}
	var res simResult
	var w *harness.World
	w = harness.NewWorld(seed, func(req *harness.Request, o harness.Outcome) {
		res.done = append(res.done, completion{at: w.Now(), latency: w.Now() - req.Op.At, shard: o.Shard, err: o.Err})
	})
	if s, ok := st.(harness.SimSetup); ok {
		s.Setup(w)
	}
	start := func(w *harness.World, req *harness.Request, _ int64) { req.Sent = w.Now(); st.Start(w, req) }
	r := rand.New(rand.NewPCG(seed, 77))
	at := time.Duration(0)
	for i := 0; i < n; i++ {
		at += time.Duration(r.ExpFloat64() / rate * 1e9)
		req := &harness.Request{Op: workloads.Op{Seq: uint64(i), At: at, Key: r.Uint64N(1000), Client: uint32(r.IntN(100))}}
		w.At(at, start, req, 0)
	}
	for w.Step() {
	}
	if len(res.done) != n {
		t.Fatalf("%s: %d of %d requests completed", policy, len(res.done), n)
	}
	res.metrics = st.(harness.Metricser).Metrics()
	return res
}

// With one backend five times slower, load-aware balancers send it less than
// its 1/10 share and keep the tail short; round robin sends it exactly 1/10,
// more than it can serve, and its queue grows for the whole run.
func TestRoutesAwayFromSlowBackend(t *testing.T) {
	slow := map[string]string{"slow": "1", "slowdown": "5"}
	rr := runSim(t, "round-robin", slow, 20000, 7000, 1)
	if s := rr.metrics["slow_share"]; s < 0.099 || s > 0.101 {
		t.Fatalf("round robin slow_share = %v, want 0.1", s)
	}
	for _, c := range []struct {
		policy string
		raw    map[string]string
	}{
		{"least-connections", slow},
		{"peak-ewma", slow},
		{"peak-ewma", map[string]string{"slow": "1", "slowdown": "5", "choices": "0"}},
		{"p2c", slow},
	} {
		res := runSim(t, c.policy, c.raw, 20000, 7000, 1)
		share, p99 := res.metrics["slow_share"], res.p99()
		t.Logf("%s %v: slow_share %.3f p99 %v (round robin %.3f, %v)", c.policy, c.raw, share, p99, rr.metrics["slow_share"], rr.p99())
		if share > 0.07 || p99 > 50*time.Millisecond || p99*3 > rr.p99() {
			t.Errorf("%s %v: slow_share %.3f, p99 %v; round robin p99 %v", c.policy, c.raw, share, p99, rr.p99())
		}
	}
}

func TestUtilisation(t *testing.T) {
	res := runSim(t, "round-robin", nil, 20000, 7000, 2)
	if u := res.metrics["util_mean"]; u < 0.65 || u > 0.75 {
		t.Errorf("util_mean = %v at 70%% offered load", u)
	}
	if _, ok := res.metrics["util_b9"]; !ok {
		t.Error("util_b9 missing")
	}
}

// A backend that dies: in-service requests fail with ErrBackendDied, queued
// ones are served elsewhere, nothing is served by it while it is down, and
// it serves again after recovering.
func TestBackendDiesAndRecovers(t *testing.T) {
	raw := map[string]string{"fail": "3", "fail_at": "1s", "recover_at": "2s", "service": "const:d=1ms"}
	res := runSim(t, "round-robin", raw, 30000, 9500, 3)
	failed := 0
	for _, c := range res.done {
		if c.err != nil {
			if !errors.Is(c.err, ErrBackendDied) || c.at != time.Second || c.shard != 3 {
				t.Fatalf("unexpected failure %+v", c)
			}
			failed++
		}
	}
	if float64(failed) != res.metrics["failed"] || failed > 1 {
		t.Fatalf("failed %d, metrics %v (concurrency 1: at most one in service)", failed, res.metrics["failed"])
	}
	if res.metrics["retried"] == 0 {
		t.Error("no queued request was re-dispatched (round robin at 95% load should have queued some)")
	}
	if s := res.share(3, time.Second+time.Nanosecond, 2*time.Second); s != 0 {
		t.Errorf("dead backend served %v of requests", s)
	}
	if s := res.share(3, 2*time.Second+10*time.Millisecond, 3*time.Second); s < 0.05 {
		t.Errorf("recovered backend served only %v", s)
	}
}

// A degraded backend stays up; Peak-EWMA sees its response times and routes
// away, round robin keeps feeding it 1/10 of the requests, ten times what it
// can now serve, and the queue that builds there dominates the tail.
func TestDegradedBackend(t *testing.T) {
	raw := map[string]string{"fail": "0", "fail_mode": "degrade", "degrade": "10", "fail_at": "500ms", "recover_at": "2s"}
	pe := runSim(t, "peak-ewma", raw, 20000, 7000, 4)
	rr := runSim(t, "round-robin", raw, 20000, 7000, 4)
	sp, sr := pe.share(0, 700*time.Millisecond, 2*time.Second), rr.share(0, 700*time.Millisecond, 2*time.Second)
	t.Logf("completions by the degraded backend: peak-ewma %.3f, round robin %.3f; p99 %v vs %v", sp, sr, pe.p99(), rr.p99())
	if sp > 0.05 || rr.p99() < 10*pe.p99() {
		t.Errorf("degraded backend: peak-ewma share %.3f p99 %v; round robin share %.3f p99 %v", sp, pe.p99(), sr, rr.p99())
	}
}

func TestSimDeterministic(t *testing.T) {
	raw := map[string]string{"slow": "2"}
	for _, pol := range []string{"p2c", "peak-ewma", "random"} {
		a, b := runSim(t, pol, raw, 3000, 7000, 9), runSim(t, pol, raw, 3000, 7000, 9)
		if !slices.Equal(a.done, b.done) {
			t.Errorf("%s: two runs with one seed differ", pol)
		}
	}
}

// No healthy backend in virtual time: every request fails with a clear error.
func TestSimNoHealthyBackend(t *testing.T) {
	res := runSim(t, "least-connections", map[string]string{"backends": "1", "fail": "0", "fail_at": "0s"}, 100, 1000, 5)
	for _, c := range res.done {
		if !errors.Is(c.err, ErrNoBackend) || c.shard != harness.NoShard {
			t.Fatalf("completion %+v, want ErrNoBackend", c)
		}
	}
}

func TestBadParams(t *testing.T) {
	for _, c := range []struct {
		policy string
		raw    map[string]string
		want   string
	}{
		{"p2c", map[string]string{"crash": "10"}, "not a backend"},
		{"p2c", map[string]string{"fail": "1", "fail_at": "2s", "recover_at": "1s"}, "not after"},
		{"p2c", map[string]string{"slow": "11"}, "slow=11"},
		{"weighted-round-robin", map[string]string{"backends": "3", "weights": "5:1"}, "2 weights for 3"},
		{"weighted-round-robin", map[string]string{"backends": "2", "weights": "0:0"}, "weight 0"},
		{"bounded-hash", map[string]string{"c": "1"}, "above 1"},
		{"random", map[string]string{"service": "gauss:mean=1ms"}, "unknown duration distribution"},
	} {
		_, err := newSimTarget(t, c.policy, c.raw)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: %v, want it to mention %q", c.policy, c.raw, err, c.want)
		}
	}
}

// The wall-clock targets are safe for concurrent use, forked or shared.
func TestWallTargetsConcurrent(t *testing.T) {
	for _, pol := range Policies {
		info, _ := algorithms.Lookup("loadbalance/" + pol)
		p, err := info.Resolve(map[string]string{"backends": "7"})
		if err != nil {
			t.Fatal(err)
		}
		tg, err := info.NewWall(algorithms.Env{Params: p, Seed: 3, Clock: algorithms.Wall, Workers: 4})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				target := tg
				if w%2 == 1 {
					target = tg.(harness.Forker).Fork(w, rand.New(rand.NewPCG(uint64(w), 1)))
				}
				op := workloads.Op{}
				for i := 0; i < 1000; i++ {
					op.Key, op.Client = uint64(i), uint32(i)
					if o := target.Do(time.Duration(i), &op); o.Err != nil || o.Shard < 0 || o.Shard >= 7 {
						t.Errorf("%s: %+v", pol, o)
						return
					}
				}
			}(w)
		}
		wg.Wait()
	}
}

// Serving a request allocates nothing once queues and the event heap have
// grown: events are method values made once, queues are ring buffers.
func TestSimRequestDoesNotAllocate(t *testing.T) {
	for _, pol := range Policies {
		st, err := newSimTarget(t, pol, map[string]string{"slow": "1", "concurrency": "2"})
		if err != nil {
			t.Fatal(err)
		}
		w := harness.NewWorld(1, func(*harness.Request, harness.Outcome) {})
		start := func(w *harness.World, req *harness.Request, _ int64) { st.Start(w, req) }
		reqs := make([]harness.Request, 64)
		round := func() {
			// A burst of 64 requests queues behind the backends, then drains.
			for i := range reqs {
				reqs[i] = harness.Request{Op: workloads.Op{Key: uint64(i), Client: uint32(i)}}
				w.At(w.Now(), start, &reqs[i], 0)
			}
			for w.Step() {
			}
		}
		round() // warm up: grow queues and the heap
		if a := testing.AllocsPerRun(20, round); a != 0 {
			t.Errorf("%s: %v allocations per burst of 64 requests", pol, a)
		}
	}
}

// crash=random fails one backend drawn from the run's seed: from crash_at
// on it serves nothing, the others serve everything, and different seeds
// pick different backends.
func TestSimCrashRandom(t *testing.T) {
	picked := map[int32]bool{}
	for seed := uint64(1); seed <= 8; seed++ {
		res := runSim(t, "round-robin", map[string]string{"backends": "4", "crash": "random", "crash_at": "0s"}, 400, 1000, seed)
		served := map[int32]int{}
		for _, c := range res.done {
			if c.err != nil {
				t.Fatalf("seed %d: %v (three backends are up)", seed, c.err)
			}
			served[c.shard]++
		}
		if len(served) != 3 {
			t.Fatalf("seed %d: %d backends served, want 3: %v", seed, len(served), served)
		}
		for b := int32(0); b < 4; b++ {
			if served[b] == 0 {
				picked[b] = true
			}
		}
	}
	if len(picked) < 2 {
		t.Errorf("8 seeds always failed the same backend: %v", picked)
	}
}
