package casestudy

import (
	"errors"
	"fmt"
	"github.com/dsbench/dsbench/algorithms/internal/slots"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// OrpheusWorkload: 1000 payments per second, Poisson.
const OrpheusWorkload = "mix=insert:1 arrival=poisson:rate=1000"

var orpheusParams = []algorithms.Param{
	{Name: "idempotency", Type: algorithms.Bool, Default: "true", Doc: "Orpheus on: one key per payment, pre/post-RPC records, the key passed to the processor; false: every attempt is a new request"},
	algorithms.Param{Name: "fail_rate", Type: algorithms.Float, Default: "0.1", Doc: "share of payment RPCs that fail: a connection error before the processor, or a timeout after it charged (timeout_share)"}.Range(0, 1),
	algorithms.Param{Name: "timeout_share", Type: algorithms.Float, Default: "0.5", Doc: "share of RPC failures that are timeouts after the charge was made (the response is lost)"}.Range(0, 1),
	algorithms.Param{Name: "db_fail_rate", Type: algorithms.Float, Default: "0.01", Doc: "share of pre-RPC and of post-RPC transactions that fail (a post-RPC failure is a crash after the RPC: the key stays leased)"}.Range(0, 1),
	algorithms.Param{Name: "response_loss", Type: algorithms.Float, Default: "0.01", Doc: "share of final responses lost on the way to the client, which retries (and is answered from the record)"}.Range(0, 1),
	algorithms.Param{Name: "decline_rate", Type: algorithms.Float, Default: "0.02", Doc: "share of answered RPCs that decline the card (final, non-retryable)"}.Range(0, 1),
	algorithms.Param{Name: "retries", Type: algorithms.Int, Default: "5", Doc: "retries a client makes after retryable errors before giving up"}.Range(0, 100),
	algorithms.Param{Name: "backoff", Type: algorithms.Duration, Default: "100ms", Doc: "client backoff before retry k: backoff·2^(k−1)"}.Range(0, float64(time.Hour)),
	algorithms.Param{Name: "lease", Type: algorithms.Duration, Default: "1s", Doc: "how long a pre-RPC record holds its key; a retry finding a live lease gets a retryable conflict"}.Range(float64(time.Microsecond), float64(time.Hour)),
	{Name: "rpc_latency", Type: algorithms.Dist, Default: "exp:mean=30ms", Doc: "latency of an answered payment RPC"},
	algorithms.Param{Name: "rpc_timeout", Type: algorithms.Duration, Default: "500ms", Doc: "when the service gives up on an unanswered RPC"}.Range(0, float64(time.Hour)),
	algorithms.Param{Name: "db_latency", Type: algorithms.Duration, Default: "2ms", Doc: "latency of one idempotency-table transaction"}.Range(0, float64(time.Hour)),
	{Name: "processor_keys", Type: algorithms.Bool, Default: "true", Doc: "the payment processor honours idempotency keys (a repeated key gets the first answer, no new charge); false: every request it gets is a new charge, so only Orpheus's records prevent a second one"},
	algorithms.Param{Name: "db_shards", Type: algorithms.Int, Default: "4", Doc: "idempotency-table shards, by key (Outcome.Shard)"}.Range(1, 4096),
}

func orpheusInfo() algorithms.Info {
	return algorithms.Info{
		Name:         "casestudy/airbnb-idempotency",
		Description:  "Airbnb Orpheus: idempotency keys, pre-RPC/RPC/post-RPC phases, retries that never charge twice",
		Params:       orpheusParams,
		Workload:     OrpheusWorkload,
		DefaultClock: algorithms.Virtual,
		Check:        orpheusCheck,
		NewSim: func(env algorithms.Env) (harness.SimTarget, error) {
			p := env.Params
			if err := orpheusCheck(p); err != nil {
				return nil, err
			}
			o := &orpheusSim{idem: p.Bool("idempotency"), failRate: p.Float("fail_rate"), timeoutShare: p.Float("timeout_share"),
				dbFail: p.Float("db_fail_rate"), loss: p.Float("response_loss"), decline: p.Float("decline_rate"), retries: p.Int("retries"),
				backoff: p.Duration("backoff"), rpcLat: p.Dist("rpc_latency"), rpcTimeout: p.Duration("rpc_timeout"),
				dbLat: p.Duration("db_latency"), shards: uint64(p.Int("db_shards")),
				store: NewIdemStore(p.Duration("lease")), proc: NewProcessor(p.Bool("processor_keys"))}
			o.preFn, o.rpcDoneFn, o.postFn, o.beginFn = o.pre, o.rpcDone, o.post, o.begin
			return o, nil
		},
	}
}

func orpheusCheck(p algorithms.Params) error {
	if t, l := p.Duration("rpc_timeout")+2*p.Duration("db_latency"), p.Duration("lease"); l <= t {
		return fmt.Errorf("casestudy/airbnb-idempotency: lease=%v is not longer than an attempt (rpc_timeout + 2·db_latency = %v): a live attempt's key could be taken over (valid: lease > %v)", l, t, t)
	}
	return nil
}

// errGaveUp ends a payment whose client ran out of retries.
var errGaveUp = errors.New("payment gave up after retries")

type orpheusAttempt struct {
	req     *harness.Request
	payment int
	key     uint64
	tries   int // attempts made so far
	resp    Response
}

// orpheusSim models one payment per op in virtual time: the client sends a
// request; the service runs pre-RPC (a transaction on the idempotency
// table), the RPC to the processor (no transaction held), post-RPC (a second
// transaction); retryable errors make the client back off and retry with
// the same key (idempotency=true) or as a new request (false).
type orpheusSim struct {
	idem                            bool
	failRate, timeoutShare, dbFail  float64
	decline, loss                   float64
	retries                         int
	backoff, rpcTimeout, dbLat      time.Duration
	rpcLat                          workloads.DurationDist
	shards                          uint64
	store                           *IdemStore
	proc                            *Processor
	slots                           []orpheusAttempt
	free                            slots.Free
	final                           []Response // per payment
	preFn, rpcDoneFn, postFn        harness.EventFunc
	beginFn                         harness.EventFunc
	attempts, retried, rpcs, gaveUp uint64
	attemptKeys, lost               uint64
}

func (o *orpheusSim) Start(w *harness.World, req *harness.Request) {
	payment := len(o.final)
	o.final = append(o.final, None)
	slot := slots.Take(&o.free, &o.slots)
	o.slots[slot] = orpheusAttempt{req: req, payment: payment, key: uint64(payment)}
	o.begin(w, nil, int64(slot))
}

// begin sends one attempt: the pre-RPC transaction takes db_latency.
func (o *orpheusSim) begin(w *harness.World, _ *harness.Request, slot int64) {
	a := &o.slots[slot]
	a.tries++
	o.attempts++
	if !o.idem && a.tries > 1 { // no idempotency: a retry is a new request with a new key
		o.attemptKeys++
		a.key = 1<<63 | o.attemptKeys
	}
	w.After(o.dbLat, o.preFn, nil, slot)
}

func (o *orpheusSim) pre(w *harness.World, _ *harness.Request, slot int64) {
	a := &o.slots[slot]
	if w.Rand().Float64() < o.dbFail {
		o.respond(w, slot, Retryable) // nothing recorded
		return
	}
	if o.idem {
		switch act, resp := o.store.Pre(a.key, w.Now()); act {
		case PreReplay:
			o.respond(w, slot, resp)
			return
		case PreConflict:
			o.respond(w, slot, Retryable)
			return
		}
	}
	// The RPC, with no transaction held.
	o.rpcs++
	r := w.Rand()
	d := o.rpcLat.Next(r)
	fail, timeout, decline := r.Float64() < o.failRate, r.Float64() < o.timeoutShare, r.Float64() < o.decline
	switch {
	case fail && !timeout: // connection error: the processor never saw it
		a.resp = Retryable
	case fail: // the processor decided (and maybe charged); the answer is lost
		o.proc.Process(a.payment, a.key, decline)
		a.resp, d = Retryable, o.rpcTimeout
	default:
		a.resp = o.proc.Process(a.payment, a.key, decline)
	}
	w.After(d, o.rpcDoneFn, nil, slot)
}

func (o *orpheusSim) rpcDone(w *harness.World, _ *harness.Request, slot int64) {
	w.After(o.dbLat, o.postFn, nil, slot)
}

func (o *orpheusSim) post(w *harness.World, _ *harness.Request, slot int64) {
	a := &o.slots[slot]
	if w.Rand().Float64() < o.dbFail {
		o.respond(w, slot, Retryable) // crashed before recording: the key stays leased
		return
	}
	if o.idem {
		o.store.Post(a.key, a.resp)
	}
	o.respond(w, slot, a.resp)
}

// respond delivers an attempt's response to the client, which retries a
// retryable one while it has retries left.
func (o *orpheusSim) respond(w *harness.World, slot int64, resp Response) {
	a := &o.slots[slot]
	if resp != Retryable && o.loss > 0 && a.tries <= o.retries && w.Rand().Float64() < o.loss {
		o.lost++
		resp = Retryable // the client never heard: to it, a timeout
	}
	if resp == Retryable && a.tries <= o.retries {
		o.retried++
		w.After(o.backoff<<min(a.tries-1, 30), o.beginFn, nil, slot)
		return
	}
	req := a.req
	out := harness.Outcome{Shard: int32(uint64(a.payment) % o.shards)}
	switch resp {
	case Declined:
		out.Denied = true
	case Retryable:
		out.Err = errGaveUp
		o.gaveUp++
	}
	o.final[a.payment] = resp
	o.slots[slot] = orpheusAttempt{}
	o.free.Put(int32(slot))
	w.Complete(req, out)
}

// Metrics: see NOTES.md.
func (o *orpheusSim) Metrics() map[string]float64 {
	var charges, doubles, extra, succeeded, declined, uncharged, declinedCharged, gaveUpCharged uint64
	for p, f := range o.final {
		c := uint64(0)
		if p < len(o.proc.Charges) {
			c = uint64(o.proc.Charges[p])
		}
		charges += c
		if c > 1 {
			doubles++
			extra += c - 1
		}
		switch f {
		case Success:
			succeeded++
			if c == 0 {
				uncharged++
			}
		case Declined:
			declined++
			if c > 0 {
				declinedCharged++
			}
		case Retryable:
			if c > 0 {
				gaveUpCharged++
			}
		}
	}
	m := map[string]float64{
		"payments":           float64(len(o.final)),
		"attempts":           float64(o.attempts),
		"retries":            float64(o.retried),
		"rpcs":               float64(o.rpcs),
		"charges":            float64(charges),
		"double_charges":     float64(doubles),
		"extra_charges":      float64(extra),
		"succeeded":          float64(succeeded),
		"declined":           float64(declined),
		"gave_up":            float64(o.gaveUp),
		"gave_up_charged":    float64(gaveUpCharged),
		"success_uncharged":  float64(uncharged),
		"declined_charged":   float64(declinedCharged),
		"replayed_responses": float64(o.store.Replays),
		"responses_lost":     float64(o.lost),
		"lease_conflicts":    float64(o.store.Conflicts),
		"lease_takeovers":    float64(o.store.Takeovers),
	}
	if n := len(o.final); n > 0 {
		m["retries_per_payment"] = float64(o.retried) / float64(n)
	}
	return m
}
