package ratelimit

import (
	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
)

// flavor is how a target completes an admitted op.
type flavor int

const (
	instant flavor = iota // decided and done
	queued                // waits in the leaky queue until its departure
	bounded               // holds a concurrency slot for a service time
)

// kind is one registered limiter.
type kind struct {
	name, desc string
	flavor     flavor
	tour       bool
	params     []algorithms.Param
	// limiter builds one key's limiter from validated parameters.
	limiter func(p algorithms.Params) (Limiter, error)
}

// Parameters. rate and burst have ranges so the CLI rejects 0 and negative
// values before a run; the constructors check them again for direct callers.
var (
	pRate = algorithms.Param{Name: "rate", Type: algorithms.Float, Default: "100",
		Doc: "admitted ops per second (per key in keyed mode)"}.Range(MinRate, MaxRate)
	pBurst = algorithms.Param{Name: "burst", Type: algorithms.Int, Default: "10",
		Doc: "ops admitted at once after idle (bucket capacity); window limiters are judged against a bucket of this burst"}.Range(1, MaxBurst)
	pWindow = algorithms.Param{Name: "window", Type: algorithms.Duration, Default: "1s",
		Doc: "window length of the window limiters and of max_admitted_in_any_window"}.Range(float64(MinWindow), float64(MaxWindow))
	pQueue = algorithms.Param{Name: "queue", Type: algorithms.Int, Default: "100",
		Doc: "ops that may wait in the queue; more are dropped"}.Range(1, MaxBurst)
	pKeys = algorithms.Param{Name: "keys", Type: algorithms.Int, Default: "10000",
		Doc: "keyed mode: most client keys held; CLOCK evicts beyond"}.Range(1, 1e8)
	pMode = algorithms.Param{Name: "mode", Type: algorithms.Enum, Default: "keyed", Choices: []string{"keyed", "global"},
		Doc: "keyed: one limiter per client (multi-tenant); global: one limiter for all"}
	pService = algorithms.Param{Name: "service", Type: algorithms.Dist, Default: "exp:mean=10ms",
		Doc: "how long an admitted op holds its slot"}
	pLimit = algorithms.Param{Name: "limit", Type: algorithms.Int, Default: "10",
		Doc: "most ops in flight (per key in keyed mode)"}.Range(1, MaxBurst)
)

func bucketParams() []algorithms.Param {
	return []algorithms.Param{pRate, pBurst, pWindow, pKeys, pMode}
}

var kinds = []kind{
	{name: "token-bucket", tour: true, params: bucketParams(),
		desc: "token bucket: burst tokens refilled at rate, exact integer arithmetic",
		limiter: func(p algorithms.Params) (Limiter, error) {
			return NewTokenBucket(p.Float("rate"), p.Int("burst"))
		}},
	{name: "gcra", params: bucketParams(),
		desc: "leaky bucket as a meter (GCRA): one timestamp per key",
		limiter: func(p algorithms.Params) (Limiter, error) {
			return NewGCRA(p.Float("rate"), p.Int("burst"))
		}},
	{name: "leaky-queue", flavor: queued,
		params: []algorithms.Param{pRate, pQueue, pWindow, pKeys, pMode},
		desc:   "leaky bucket as a queue: admitted ops wait and leave at rate; overflow is dropped",
		limiter: func(p algorithms.Params) (Limiter, error) {
			return NewLeakyQueue(p.Float("rate"), p.Int("queue"))
		}},
	{name: "fixed-window", params: bucketParams(),
		desc: "fixed window counter: rate·window per aligned window (2× at a boundary)",
		limiter: func(p algorithms.Params) (Limiter, error) {
			return NewFixedWindow(p.Float("rate"), p.Duration("window"))
		}},
	{name: "sliding-log", params: bucketParams(),
		desc: "sliding window log: exact, rate·window timestamps per key",
		limiter: func(p algorithms.Params) (Limiter, error) {
			return NewSlidingLog(p.Float("rate"), p.Duration("window"))
		}},
	{name: "sliding-counter", params: bucketParams(),
		desc: "sliding window counter (Cloudflare): weighted estimate from two windows",
		limiter: func(p algorithms.Params) (Limiter, error) {
			return NewSlidingCounter(p.Float("rate"), p.Duration("window"))
		}},
	{name: "concurrency", flavor: bounded,
		params: []algorithms.Param{pLimit, pService, pWindow, pKeys, pMode},
		desc:   "concurrency limiter: at most limit ops in flight, each held for a service time",
		limiter: func(p algorithms.Params) (Limiter, error) {
			return NewConcurrency(p.Int("limit"))
		}},
	{name: "x-time-rate", params: bucketParams(),
		desc: "golang.org/x/time/rate, the reference token bucket (float64 tokens)",
		limiter: func(p algorithms.Params) (Limiter, error) {
			return NewXTimeRate(p.Float("rate"), p.Int("burst"))
		}},
}

// TourWorkload is a short bursty multi-tenant load: one key, 1000 clients
// with Zipfian demand, 20000 ops/s in 200 ms bursts every second.
const TourWorkload = "ycsb-c keys=uniform:n=1 clients=zipf:theta=1.1,n=1000 arrival=onoff:rate=20000,on=200ms,off=800ms"

func init() {
	for i := range kinds {
		k := &kinds[i]
		algorithms.Register(algorithms.Info{
			Name:         "ratelimit/" + k.name,
			Description:  k.desc,
			Params:       k.params,
			Tour:         k.tour,
			Workload:     TourWorkload,
			DefaultClock: algorithms.Virtual,
			// Combinations no single range catches (rate·window < 1 for the
			// window limiters) are bad input: exit 2 before anything runs.
			Check: func(p algorithms.Params) error {
				_, err := k.limiter(p)
				return err
			},
			NewSim: func(env algorithms.Env) (harness.SimTarget, error) {
				c, err := newCore(k, env.Params, 1)
				if err != nil {
					return nil, err
				}
				return newSimTarget(c), nil
			},
			NewWall: func(env algorithms.Env) (harness.Target, error) {
				c, err := newCore(k, env.Params, wallShards)
				if err != nil {
					return nil, err
				}
				return newWallTarget(c, env.Workers), nil
			},
		})
	}
}

// judgeFor derives how a run of kind k with parameters p is judged.
func judgeFor(k *kind, p algorithms.Params) judge {
	j := judge{keyed: p.String("mode") == "keyed", window: p.Duration("window")}
	if k.flavor == bounded {
		return j // bounds load, not rate: no rate reference
	}
	j.rate = p.Float("rate")
	j.rm, _ = rateMilli(j.rate)
	if k.flavor == queued {
		// The queue admits what a bucket of queue+1 admits; what reaches the
		// service leaves one per 1/rate.
		j.refBurst = int64(p.Int("queue")) + 1
		j.ideal = 1 + j.rate*j.window.Seconds()
		return j
	}
	j.refBurst = int64(p.Int("burst"))
	j.ideal = float64(j.refBurst) + j.rate*j.window.Seconds()
	return j
}

// The leaky bucket as a meter is GCRA: one theoretical arrival time per key.
func init() {
	algorithms.RegisterAlias("ratelimit/leaky-bucket", "ratelimit/gcra", nil,
		"the leaky bucket as a meter (GCRA, one timestamp per key); the queue form is ratelimit/leaky-queue")
}
