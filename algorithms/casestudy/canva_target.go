package casestudy

import (
	"fmt"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
)

// CanvaWorkload: uploads at 10/s with a 20× spike for the last 3 s of
// every 30 s (the burst autoscaling is for; 29 uploads/s on average).
const CanvaWorkload = "mix=insert:1 arrival=spike:rate=10,every=30s,for=3s,x=20"

var canvaParams = []algorithms.Param{
	algorithms.Param{Name: "min_workers", Type: algorithms.Int, Default: "8", Doc: "workers always running (warm at the start); with autoscale=false, the fixed pool"}.Range(1, 10000),
	algorithms.Param{Name: "max_workers", Type: algorithms.Int, Default: "64", Doc: "most workers the autoscaler runs (≥ min_workers)"}.Range(1, 10000),
	{Name: "autoscale", Type: algorithms.Bool, Default: "true", Doc: "scale on the backlog; false: min_workers fixed (crashed ones replaced after scale_delay)"},
	{Name: "policy", Type: algorithms.Enum, Default: ScaleProportional, Choices: []string{ScaleProportional, ScaleStep}, Doc: "proportional: ⌈backlog / scale_up_at⌉ workers (target tracking on backlog per worker); step: one more worker per tick while backlog > scale_up_at per worker"},
	algorithms.Param{Name: "scale_up_at", Type: algorithms.Float, Default: "10", Doc: "visible backlog per worker above which the autoscaler adds workers"}.Range(0.01, 1e6),
	algorithms.Param{Name: "scale_interval", Type: algorithms.Duration, Default: "1s", Doc: "the autoscaler's period"}.Range(float64(time.Millisecond), float64(time.Hour)),
	algorithms.Param{Name: "scale_delay", Type: algorithms.Duration, Default: "5s", Doc: "a new worker's boot time before it takes jobs (paid for)"}.Range(0, float64(time.Hour)),
	algorithms.Param{Name: "cooldown", Type: algorithms.Duration, Default: "10s", Doc: "an idle worker above min_workers is stopped after this long idle, when nothing is queued"}.Range(0, float64(time.Hour)),
	algorithms.Param{Name: "visibility", Type: algorithms.Duration, Default: "30s", Doc: "visibility timeout: a received message not deleted by then is delivered again (SQS default 30 s)"}.Range(float64(time.Millisecond), float64(12*time.Hour)),
	algorithms.Param{Name: "backoff", Type: algorithms.Duration, Default: "1s", Doc: "a failed job's message is visible again after backoff·2^(receives−1)"}.Range(0, float64(time.Hour)),
	algorithms.Param{Name: "max_receives", Type: algorithms.Int, Default: "5", Doc: "receives without success before a message goes to the dead-letter queue (SQS maxReceiveCount)"}.Range(1, 1000),
	algorithms.Param{Name: "fail_rate", Type: algorithms.Float, Default: "0.02", Doc: "share of jobs that fail (a transient error: retried after the backoff)"}.Range(0, 1),
	algorithms.Param{Name: "crash_rate", Type: algorithms.Float, Default: "0.002", Doc: "share of jobs during which the worker crashes: the message comes back after its visibility timeout"}.Range(0, 1),
	{Name: "store_latency", Type: algorithms.Dist, Default: "exp:mean=50ms", Doc: "object-store write of the upload, before its message is queued"},
	{Name: "service", Type: algorithms.Dist, Default: "lognormal:mean=250ms,sigma=0.5", Doc: "a thumbnail job's processing time"},
	algorithms.Param{Name: "recent", Type: algorithms.Int, Default: "1000", Doc: "reads (any non-insert op) view one of the newest recent uploads: op.Key mod recent back from the newest"}.Range(1, 1e9),
}

func canvaInfo() algorithms.Info {
	return algorithms.Info{
		Name:         "casestudy/canva-uploads",
		Description:  "Canva uploads: object store → queue (at-least-once, visibility timeout, retries, DLQ) → autoscaled thumbnail workers",
		Params:       canvaParams,
		Workload:     CanvaWorkload,
		DefaultClock: algorithms.Virtual,
		Check:        canvaCheck,
		NewSim: func(env algorithms.Env) (harness.SimTarget, error) {
			if err := canvaCheck(env.Params); err != nil {
				return nil, err
			}
			p := env.Params
			return newCanvaSim(CanvaConfig{MinWorkers: p.Int("min_workers"), MaxWorkers: p.Int("max_workers"), Autoscale: p.Bool("autoscale"),
				Policy: p.String("policy"), ScaleUpAt: p.Float("scale_up_at"), ScaleInterval: p.Duration("scale_interval"),
				ScaleDelay: p.Duration("scale_delay"), Cooldown: p.Duration("cooldown"), Visibility: p.Duration("visibility"),
				Backoff: p.Duration("backoff"), MaxReceives: p.Int("max_receives"), FailRate: p.Float("fail_rate"),
				CrashRate: p.Float("crash_rate"), Store: p.Dist("store_latency"), Service: p.Dist("service"), RecentWindow: p.Int("recent")}), nil
		},
	}
}

func canvaCheck(p algorithms.Params) error {
	if lo, hi := p.Int("min_workers"), p.Int("max_workers"); hi < lo {
		return fmt.Errorf("casestudy/canva-uploads: max_workers=%d is below min_workers=%d (valid: max_workers ≥ min_workers)", hi, lo)
	}
	return nil
}
