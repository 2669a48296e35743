package loadbalance

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
	"github.com/dsbench/dsbench/workloads"
)

// Workload is the tour's workload: open-loop Poisson arrivals at 7000/s,
// about 70% of what ten 1 ms backends serve, from 1000 clients.
const Workload = "ycsb-c arrival=poisson:rate=7000 clients=uniform:n=1000"

var common = []algorithms.Param{
	algorithms.Param{Name: "backends", Type: algorithms.Int, Default: "10", Doc: "number of backends"}.Range(1, maxBackends),
	{Name: "weights", Type: algorithms.String, Default: "equal", Doc: "integer weight per backend, ':'-separated (e.g. 5:1:1; 0 drains a backend), or equal"},
	{Name: "service", Type: algorithms.Dist, Default: "exp:mean=1ms", Doc: "service time of a normal backend (virtual clock)"},
	algorithms.Param{Name: "concurrency", Type: algorithms.Int, Default: "1", Doc: "requests a backend serves at once; the rest queue FIFO"}.Range(1, 1024),
	algorithms.Param{Name: "slow", Type: algorithms.Int, Default: "0", Doc: "backends 0…slow−1 are slow"}.Range(0, maxBackends),
	algorithms.Param{Name: "slowdown", Type: algorithms.Float, Default: "5", Doc: "service-time multiplier of the slow backends"}.Range(1, 1e4),
	{Name: simnet.ParamCrash, Type: algorithms.String, Default: "none", Doc: "backend that fails at crash_at: none, a backend number, or random (drawn from the run's seed)"},
	{Name: "fail_mode", Type: algorithms.Enum, Default: "die", Choices: []string{"die", "degrade"}, Doc: "die: marked down, in-service requests fail, queued ones are re-dispatched; degrade: service times × degrade"},
	algorithms.Param{Name: simnet.ParamCrashAt, Type: algorithms.Duration, Default: "500ms", Doc: "virtual time the backend fails"}.Range(0, float64(24*time.Hour)),
	algorithms.Param{Name: simnet.ParamRestartAt, Type: algorithms.Duration, Default: "0s", Doc: "virtual time it recovers (0: never)"}.Range(0, float64(24*time.Hour)),
	algorithms.Param{Name: "degrade", Type: algorithms.Float, Default: "10", Doc: "service-time multiplier while degraded"}.Range(1, 1e4),
}

var extra = map[string][]algorithms.Param{
	"p2c": {algorithms.Param{Name: "choices", Type: algorithms.Int, Default: "2", Doc: "backends sampled per decision (d)"}.Range(1, 64)},
	"peak-ewma": {
		algorithms.Param{Name: "tau", Type: algorithms.Duration, Default: "100ms", Doc: "decay time of the response-time estimate"}.Range(float64(time.Microsecond), float64(time.Hour)),
		algorithms.Param{Name: "choices", Type: algorithms.Int, Default: "2", Doc: "backends compared per decision (0 = all)"}.Range(0, 64),
	},
	"bounded-hash": {
		algorithms.Param{Name: "c", Type: algorithms.Float, Default: "1.25", Doc: "load bound: at most ⌈c·m/n⌉ of m in-flight requests per backend (c > 1)"}.Range(1, 100),
		algorithms.Param{Name: "vnodes", Type: algorithms.Int, Default: "100", Doc: "ring points per backend"}.Range(1, 10000),
	},
}

var descriptions = map[string]string{
	"round-robin":          "round robin over healthy backends",
	"weighted-round-robin": "nginx smooth weighted round robin ({5,1,1} → AABACAA)",
	"least-connections":    "fewest in-flight requests per weight (indexed heap); ties by weighted round robin",
	"peak-ewma":            "least response time as Peak-EWMA (Finagle/linkerd): cost = rtt estimate × (pending+1)",
	"ip-hash":              "nginx ip_hash on the client id: sticky, load-blind",
	"random":               "uniformly random healthy backend",
	"p2c":                  "power of d choices: the less loaded of d random backends",
	"bounded-hash":         "consistent hashing with bounded loads on the op key (in-flight load)",
}

// aliases are the fault parameters' old names, accepted for one release.
var aliases = map[string]string{"fail": simnet.ParamCrash, "fail_at": simnet.ParamCrashAt, "recover_at": simnet.ParamRestartAt}

func init() {
	for _, name := range Policies {
		name := name
		algorithms.Register(algorithms.Info{
			Name:         "loadbalance/" + name,
			Description:  descriptions[name],
			Params:       append(append([]algorithms.Param(nil), common...), extra[name]...),
			Tour:         name == "p2c",
			Workload:     Workload,
			DefaultClock: algorithms.Virtual,
			// The fault's words are the cluster vocabulary's; the backends
			// are queues, not networked nodes (NOTES.md), so the rest of
			// the vocabulary does not apply.
			Aliases: aliases,
			// Combinations no single range catches (fail or slow beyond
			// the backends, weights that do not match them or are all 0,
			// recover_at not after fail_at, c = 1) are bad input: exit 2
			// before anything runs.
			Check: func(p algorithms.Params) error {
				_, _, err := validate(name, p)
				return err
			},
			NewSim: func(env algorithms.Env) (harness.SimTarget, error) {
				cfg, sc, err := validate(name, env.Params)
				if err != nil {
					return nil, err
				}
				lb, err := New(cfg)
				if err != nil {
					return nil, fmt.Errorf("loadbalance/%s: %w", name, err)
				}
				s, err := NewSim(lb, sc)
				if err != nil {
					return nil, fmt.Errorf("loadbalance/%s: %w", name, err)
				}
				return s, nil
			},
			NewWall: func(env algorithms.Env) (harness.Target, error) {
				lb, err := newLB(name, env.Params)
				if err != nil {
					return nil, err
				}
				mk := func() (*LB, error) { return newLB(name, env.Params) }
				return &wallTarget{lb: lb, rng: rand.New(rand.NewPCG(env.Seed, 0x6c62)), mk: mk}, nil
			},
		})
	}
}

// validate checks the parameters of the named target as a whole, without
// building anything, and returns the balancer's and the simulated backends'
// configurations. It is the one validation of a loadbalance target:
// Info.Check and the constructors both call it. The backends' faults are
// checked on the wall clock too, where they are unused: a fail index past
// the backends is wrong whatever the clock.
func validate(name string, p algorithms.Params) (Config, SimConfig, error) {
	n := p.Int("backends")
	w, err := ParseWeights(p.String("weights"), n)
	if err != nil {
		return Config{}, SimConfig{}, fmt.Errorf("loadbalance/%s: %w", name, err)
	}
	cfg := Config{Policy: name, Weights: w, InitialRTT: p.Dist("service").Mean()}
	switch name {
	case "p2c":
		cfg.Choices = p.Int("choices")
	case "peak-ewma":
		cfg.Tau, cfg.Choices = p.Duration("tau"), p.Int("choices")
	case "bounded-hash":
		cfg.C, cfg.VNodes = p.Float("c"), p.Int("vnodes")
	}
	if cfg.InitialRTT <= 0 {
		cfg.InitialRTT = time.Millisecond
	}
	crash, err := simnet.ParseSelector(p.String(simnet.ParamCrash), n)
	if err != nil || crash.Kind == simnet.SelectLeader {
		why := "is not a backend"
		if err == nil {
			why = "names no backend: the backends have no leader"
		}
		return Config{}, SimConfig{}, fmt.Errorf("loadbalance/%s: crash=%q %s with backends=%d (valid: none, random, or 0 … %d)",
			name, p.String(simnet.ParamCrash), why, n, n-1)
	}
	fail := -1
	if crash.Kind == simnet.SelectNode {
		fail = crash.Node
	}
	sc := SimConfig{
		Service: p.Dist("service"), Concurrency: p.Int("concurrency"),
		Slow: p.Int("slow"), Slowdown: p.Float("slowdown"),
		Fail: fail, FailRandom: crash.Kind == simnet.SelectRandom,
		FailAt: p.Duration(simnet.ParamCrashAt), RecoverAt: p.Duration(simnet.ParamRestartAt),
		FailMode: p.String("fail_mode"), Degrade: p.Float("degrade"),
	}
	if err := cfg.withDefaults().check(); err != nil {
		return Config{}, SimConfig{}, fmt.Errorf("loadbalance/%s: %w", name, err)
	}
	if err := sc.check(n); err != nil {
		return Config{}, SimConfig{}, fmt.Errorf("loadbalance/%s: %w", name, err)
	}
	return cfg, sc, nil
}

// newLB builds the named balancer from validated parameters.
func newLB(name string, p algorithms.Params) (*LB, error) {
	cfg, _, err := validate(name, p)
	if err != nil {
		return nil, err
	}
	lb, err := New(cfg)
	if err != nil {
		return nil, fmt.Errorf("loadbalance/%s: %w", name, err)
	}
	return lb, nil
}

// wallTarget measures the cost of one decision: Do picks a backend and
// releases it at once (no request is served, so in-flight counts stay 0 and
// no response time is observed). The shared balancer is guarded by a mutex;
// Fork gives each worker its own balancer and random source instead, as a
// proxy with per-thread balancers (Envoy's workers) does, so forked workers
// contend on nothing.
type wallTarget struct {
	mu  sync.Mutex
	lb  *LB
	rng *rand.Rand
	mk  func() (*LB, error)
}

func (t *wallTarget) Do(now time.Duration, op *workloads.Op) harness.Outcome {
	t.mu.Lock()
	o := decide(t.lb, now, t.rng, op)
	t.mu.Unlock()
	return o
}

func decide(lb *LB, now time.Duration, r *rand.Rand, op *workloads.Op) harness.Outcome {
	b, err := lb.Pick(now, r, op)
	if err != nil {
		return harness.Outcome{Shard: harness.NoShard, Err: err}
	}
	lb.Done(b, now, -1)
	return harness.Outcome{Shard: int32(b)}
}

// Fork returns an independent balancer for one worker.
func (t *wallTarget) Fork(_ int, r *rand.Rand) harness.Target {
	lb, err := t.mk()
	if err != nil {
		return t // the parameters were validated when t was built; unreachable
	}
	return &forkedTarget{lb: lb, rng: r}
}

type forkedTarget struct {
	lb  *LB
	rng *rand.Rand
}

func (t *forkedTarget) Do(now time.Duration, op *workloads.Op) harness.Outcome {
	return decide(t.lb, now, t.rng, op)
}

var (
	_ harness.Target = (*wallTarget)(nil)
	_ harness.Forker = (*wallTarget)(nil)
	_ harness.Target = (*forkedTarget)(nil)
)

// The seed's name for a least-response-time balancer is Peak-EWMA compared
// over every healthy backend (choices=0), not over two sampled ones.
func init() {
	algorithms.RegisterAlias("loadbalance/least-response-time", "loadbalance/peak-ewma", map[string]string{"choices": "0"},
		"least response time as Peak-EWMA over all healthy backends (lowest rtt estimate × (pending+1)), not a least-mean-latency balancer")
}
