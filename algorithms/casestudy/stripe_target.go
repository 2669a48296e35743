package casestudy

import (
	"errors"
	"fmt"
	"github.com/dsbench/dsbench/algorithms/internal/slots"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/workloads"
)

// StripeWorkload: charge creations, retrievals, updates and lists over
// 20,000 charge ids, Zipf-skewed, 2000 requests per second.
const StripeWorkload = "mix=insert:0.3,read:0.5,update:0.15,scan:0.05 keys=zipf:theta=0.99,n=20000 arrival=poisson:rate=2000"

var stripeParams = []algorithms.Param{
	algorithms.Param{Name: "versions", Type: algorithms.Int, Default: "48", Doc: "API versions (dates 45 days apart from 2011-06-28); each after the first adds one version-change module"}.Range(1, 1000),
	{Name: "pins", Type: algorithms.String, Default: "zipf:theta=0.6", Doc: "how accounts' pinned versions are spread, as versions behind the latest: zipf:theta=T (P(k behind) ∝ (k+1)^−T), uniform, or behind:n=N (every account N behind)"},
	{Name: "pinning", Type: algorithms.Bool, Default: "true", Doc: "accounts are pinned to their version; false: every account gets the latest (no transforms)"},
	algorithms.Param{Name: "accounts", Type: algorithms.Int, Default: "1000", Doc: "accounts; a request's account is hash(op.Key) mod accounts (a charge belongs to its account)"}.Range(1, 1e7),
	algorithms.Param{Name: "idempotent_share", Type: algorithms.Float, Default: "0.8", Doc: "share of charge creations that carry an Idempotency-Key"}.Range(0, 1),
	algorithms.Param{Name: "key_reuse", Type: algorithms.Float, Default: "0.01", Doc: "share of keyed creations that reuse an earlier request's key with other parameters (a client bug: idempotency_error)"}.Range(0, 1),
	algorithms.Param{Name: "decline_rate", Type: algorithms.Float, Default: "0.05", Doc: "share of executed charge creations the card network declines (card_error, card_declined)"}.Range(0, 1),
	algorithms.Param{Name: "api_error_rate", Type: algorithms.Float, Default: "0.02", Doc: "share of executed requests that fail with a 500 (api_error); half of a creation's fail after the charge was committed"}.Range(0, 1),
	algorithms.Param{Name: "retries", Type: algorithms.Int, Default: "3", Doc: "retries a client makes after an api_error (with the same key, if it had one)"}.Range(0, 100),
	algorithms.Param{Name: "backoff", Type: algorithms.Duration, Default: "50ms", Doc: "client backoff before retry k: backoff·2^(k−1) (virtual time)"}.Range(0, float64(time.Hour)),
	algorithms.Param{Name: "lease", Type: algorithms.Duration, Default: "1s", Doc: "how long an executing request holds its idempotency key; another request with it meanwhile gets idempotency_error (idempotency_key_in_use)"}.Range(float64(time.Microsecond), float64(time.Hour)),
	algorithms.Param{Name: "preload", Type: algorithms.Int, Default: "200000", Doc: "charges that exist before the run: ids 0 … min(preload, the workload's keyspace)−1, so retrievals find them (creations take fresh ids above)"}.Range(0, 1e7),
	algorithms.Param{Name: "page", Type: algorithms.Int, Default: "10", Doc: "charges a list (scan) returns, each transformed to the caller's version"}.Range(1, 100),
	{Name: "handler", Type: algorithms.Dist, Default: "exp:mean=5ms", Doc: "virtual time: the latest-version handler's time per request"},
	algorithms.Param{Name: "field_cost", Type: algorithms.Duration, Default: "2us", Doc: "virtual time: cost of one key a version-change module touches (the count comes from the transforms run)"}.Range(0, float64(time.Second)),
	algorithms.Param{Name: "db_latency", Type: algorithms.Duration, Default: "1ms", Doc: "virtual time: one idempotency-table transaction (two per keyed request)"}.Range(0, float64(time.Hour)),
}

func stripeInfo() algorithms.Info {
	return algorithms.Info{
		Name:         "casestudy/stripe-versioning",
		Description:  "Stripe API versions: accounts pinned to dates, latest responses walked back through version-change modules, idempotency keys",
		Params:       stripeParams,
		Workload:     StripeWorkload,
		DefaultClock: algorithms.Virtual,
		Check:        func(p algorithms.Params) error { _, err := parsePins(p.String("pins")); return err },
		NewSim: func(env algorithms.Env) (harness.SimTarget, error) {
			api, err := newStripeAPI(env)
			if err != nil {
				return nil, err
			}
			p := env.Params
			s := &stripeSim{api: api, handler: p.Dist("handler"), fieldCost: p.Duration("field_cost"), dbLat: p.Duration("db_latency"),
				backoff: p.Duration("backoff"), retries: p.Int("retries")}
			s.doneFn, s.retryFn = s.done, s.retry
			return s, nil
		},
		NewWall: func(env algorithms.Env) (harness.Target, error) {
			api, err := newStripeAPI(env)
			if err != nil {
				return nil, err
			}
			return &stripeWall{api: api, retries: env.Params.Int("retries"), seed: env.Seed}, nil
		},
	}
}

// pinSpec is a parsed pins= value.
type pinSpec struct {
	form   string // zipf, uniform, behind
	theta  float64
	behind int
}

func parsePins(s string) (pinSpec, error) {
	bad := func(why string) (pinSpec, error) {
		return pinSpec{}, fmt.Errorf("casestudy/stripe-versioning: pins=%q: %s (valid: zipf:theta=T with T ≥ 0, uniform, behind:n=N)", s, why)
	}
	form, args, _ := strings.Cut(s, ":")
	switch form {
	case "uniform":
		if args != "" {
			return bad("uniform takes no arguments")
		}
		return pinSpec{form: form}, nil
	case "zipf", "behind":
		k, v, ok := strings.Cut(args, "=")
		want := map[string]string{"zipf": "theta", "behind": "n"}[form]
		if !ok || k != want {
			return bad(form + " takes " + want + "=")
		}
		if form == "zipf" {
			t, err := strconv.ParseFloat(v, 64)
			if err != nil || t < 0 || math.IsNaN(t) || math.IsInf(t, 0) {
				return bad("theta must be a number ≥ 0")
			}
			return pinSpec{form: form, theta: t}, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return bad("n must be an integer ≥ 0")
		}
		return pinSpec{form: form, behind: n}, nil
	}
	return bad("unknown form")
}

// pin draws the versions behind the latest of each account (capped at
// versions−1).
func (ps pinSpec) pin(accounts, versions int, r *rand.Rand) []int {
	out := make([]int, accounts)
	cdf := make([]float64, versions)
	sum := 0.0
	for k := range cdf {
		w := 1.0
		if ps.form == "zipf" {
			w = math.Pow(float64(k+1), -ps.theta)
		}
		sum += w
		cdf[k] = sum
	}
	for a := range out {
		if ps.form == "behind" {
			out[a] = min(ps.behind, versions-1)
			continue
		}
		u := r.Float64() * sum
		k, _ := slices.BinarySearch(cdf, u)
		out[a] = min(k, versions-1)
	}
	return out
}

// Stripe's error types and codes.
const (
	errCard = iota
	errInvalid
	errAPI
	errIdem
	errTypes
)

var stripeErrTypes = [errTypes]string{"card_error", "invalid_request_error", "api_error", "idempotency_error"}

var stripeErrs = [errTypes]error{
	errors.New("card_error"), errors.New("invalid_request_error"), errors.New("api_error"), errors.New("idempotency_error"),
}

// The codes counted (code_<name>).
const (
	codeCardDeclined = iota
	codeResourceMissing
	codeKeyInUse
	codeParamsMismatch
	codes
)

var stripeCodes = [codes]string{"card_declined", "resource_missing", "idempotency_key_in_use", "idempotency_params_mismatch"}

// stripeResult is one request attempt's result.
type stripeResult struct {
	errType   int  // −1: success
	code      int  // −1: none
	retryable bool // an api_error the client may retry
	keyed     bool // carried an idempotency key (two table transactions)
	replayed  bool
	modules   int // version-change modules run (over every object returned)
	fields    int
	objects   int // objects rendered
	behind    int // the account's versions behind the latest
	shard     int32
	out       []Charge // the charges to respond with (copies; rendered by respond)
}

// stripeAPI is the API service: the charges, the idempotency table (the
// Airbnb study's IdemStore), the accounts' pins and the version chain. It is
// single-threaded; the wall-clock adapter locks it.
type stripeAPI struct {
	vs                       *Versions
	pins                     []int // versions behind, per account
	pinning                  bool
	idemShare, reuse         float64
	decline, apiErr          float64
	page                     int
	idem                     *IdemStore
	charges                  []Charge
	byID                     map[uint64]int32
	byAccount                [][]int32 // each account's charges, oldest first
	keys                     uint64    // idempotency keys issued
	requests, attempts       uint64
	responses                uint64 // objects rendered
	modules, fields          uint64
	behindHist               []uint64 // requests by versions behind
	errs                     [errTypes]uint64
	codes                    [codes]uint64
	apiErrSeen, retried      uint64
	replays, dupCharges      uint64
	createdByKeyless         map[uint64]uint32 // creation request → charges it made (keyless)
	seqCreate                uint64
	keyedCreates, reusedKeys uint64
}

func newStripeAPI(env algorithms.Env) (*stripeAPI, error) {
	p := env.Params
	ps, err := parsePins(p.String("pins"))
	if err != nil {
		return nil, err
	}
	n := p.Int("versions")
	api := &stripeAPI{vs: NewVersions(n), pinning: p.Bool("pinning"), idemShare: p.Float("idempotent_share"),
		reuse: p.Float("key_reuse"), decline: p.Float("decline_rate"), apiErr: p.Float("api_error_rate"), page: p.Int("page"),
		idem: NewIdemStore(p.Duration("lease")), byID: map[uint64]int32{}, behindHist: make([]uint64, n),
		createdByKeyless: map[uint64]uint32{}}
	r := rand.New(rand.NewPCG(env.Seed, 0x7374))
	api.pins = ps.pin(p.Int("accounts"), n, r)
	api.byAccount = make([][]int32, len(api.pins))
	pre := min(uint64(p.Int("preload")), env.Workload.KeySpace())
	api.charges = make([]Charge, 0, pre)
	var q stripeReq
	for id := uint64(0); id < pre; id++ {
		q.op.Key, q.account = id, int(mix64(id)%uint64(len(api.pins)))
		api.newCharge(&q, r)
	}
	return api, nil
}

// stripeReq is one client request, kept across its retries.
type stripeReq struct {
	op      workloads.Op
	key     uint64 // idempotency key (0: none)
	fp      uint64 // parameters' fingerprint
	create  uint64 // the creation's sequence number (duplicate counting)
	tries   int
	account int
}

// begin prepares a request from an op: its account, and for a creation
// whether it carries a key and which.
func (a *stripeAPI) begin(op *workloads.Op, r *rand.Rand, q *stripeReq) {
	*q = stripeReq{op: *op, account: int(mix64(op.Key) % uint64(len(a.pins))), fp: mix64(op.Key ^ 0x5eed)}
	a.requests++
	if op.Kind != workloads.Insert {
		return
	}
	a.seqCreate++
	q.create = a.seqCreate
	if r.Float64() < a.idemShare {
		a.keyedCreates++
		if a.keys > 0 && r.Float64() < a.reuse {
			a.reusedKeys++
			q.key = 1 + r.Uint64N(a.keys) // an earlier request's key, other parameters
			return
		}
		a.keys++
		q.key = a.keys
	}
}

// attempt runs one attempt of q at now. The charges it answers with are
// copied into buf (res.out); respond renders and transforms them, which
// needs no access to the service's state.
func (a *stripeAPI) attempt(q *stripeReq, now time.Duration, r *rand.Rand, buf []Charge) stripeResult {
	a.attempts++
	q.tries++
	res := stripeResult{errType: -1, code: -1, keyed: q.key != 0, shard: int32(q.account), out: buf[:0]}
	if a.pinning {
		res.behind = a.pins[q.account]
	}
	switch q.op.Kind {
	case workloads.Insert:
		a.create(q, now, r, &res)
	case workloads.Scan:
		if r.Float64() < a.apiErr {
			res.errType, res.retryable = errAPI, true
			break
		}
		// The account's newest charges, up to page: a list response.
		own := a.byAccount[q.account]
		for i := len(own) - 1; i >= 0 && len(own)-i <= a.page; i-- {
			res.out = append(res.out, a.charges[own[i]])
		}
	default: // read, update, rmw, delete: one charge by id
		i, ok := a.byID[q.op.Key]
		if !ok {
			res.errType, res.code = errInvalid, codeResourceMissing
			break
		}
		if r.Float64() < a.apiErr {
			res.errType, res.retryable = errAPI, true
			break
		}
		c := &a.charges[i]
		if q.op.Kind != workloads.Read {
			c.Description = stripeNames[q.op.Key%4] // an update
		}
		res.out = append(res.out, *c)
	}
	return res
}

func (a *stripeAPI) create(q *stripeReq, now time.Duration, r *rand.Rand, res *stripeResult) {
	if q.key != 0 {
		act, resp, ref := a.idem.PreFor(q.key, q.fp, now)
		switch act {
		case PreMismatch:
			res.errType, res.code = errIdem, codeParamsMismatch
			return
		case PreConflict:
			res.errType, res.code = errIdem, codeKeyInUse
			return
		case PreReplay:
			// The recorded response, replayed (rendered again at the
			// account's version: it is the same object at the same version).
			a.replays++
			res.replayed = true
			if resp == Declined {
				res.errType, res.code = errCard, codeCardDeclined
				return
			}
			res.out = append(res.out, a.charges[ref])
			return
		}
	}
	if r.Float64() < a.apiErr && r.Float64() < 0.5 { // a 500 before anything was committed
		if q.key != 0 {
			a.idem.PostRef(q.key, Retryable, 0) // released: a retry executes again
		}
		res.errType, res.retryable = errAPI, true
		return
	}
	if r.Float64() < a.decline {
		if q.key != 0 {
			a.idem.PostRef(q.key, Declined, 0)
		}
		res.errType, res.code = errCard, codeCardDeclined
		return
	}
	idx := a.newCharge(q, r)
	if q.key != 0 {
		a.idem.PostRef(q.key, Success, uint64(idx))
	} else {
		a.createdByKeyless[q.create]++
		if a.createdByKeyless[q.create] > 1 {
			a.dupCharges++
		}
	}
	if r.Float64() < a.apiErr { // committed, then a 500: the client does not know
		res.errType, res.retryable = errAPI, true
		return
	}
	res.out = append(res.out, a.charges[idx])
}

func (a *stripeAPI) newCharge(q *stripeReq, r *rand.Rand) int {
	id := q.op.Key
	if _, taken := a.byID[id]; taken { // a retry's second charge, or a reused id: a fresh id
		id = 1<<62 | uint64(len(a.charges))
	}
	c := Charge{ID: id, IDStr: "ch_" + strconv.FormatUint(id, 36), Amount: 50 + int64(r.IntN(100000)),
		Created: 1700000000 + int64(q.op.At/time.Second), Currency: uint8(r.IntN(len(stripeCurrencies))),
		Brand: uint8(r.IntN(len(stripeBrands))), Risk: uint8(r.IntN(len(stripeRisks))), Customer: uint16(q.account % len(stripeCustomers)),
		Captured: r.IntN(10) > 0, Description: "charge"}
	if r.IntN(20) == 0 {
		c.Refunded = c.Amount
	}
	a.charges = append(a.charges, c)
	a.byID[id] = int32(len(a.charges) - 1)
	a.byAccount[q.account] = append(a.byAccount[q.account], int32(len(a.charges)-1))
	return len(a.charges) - 1
}

// respond renders each charge of res at the latest version (the only code
// the service has) into objs and walks them back to the account's version.
// clock, if set, is read once before and once after the walks (the
// wall-clock target measures transform time with it; no decision depends on
// it); respond returns the nanoseconds measured.
func respond(vs *Versions, res *stripeResult, pool *ObjPool, objs []*Obj, clock func() time.Time) ([]*Obj, int64) {
	latest := vs.Latest()
	objs = objs[:0]
	for i := range res.out {
		objs = append(objs, vs.Render(&res.out[i], latest, pool))
	}
	var start time.Time
	if clock != nil && len(objs) > 0 {
		start = clock()
	}
	for _, o := range objs {
		st, err := vs.Transform(o, latest, latest-res.behind, pool)
		if err != nil {
			panic("casestudy/stripe-versioning: " + err.Error()) // the chain is built consistent; tests prove it
		}
		res.objects++
		res.modules += st.Modules
		res.fields += st.Fields
	}
	var ns int64
	if clock != nil && len(objs) > 0 {
		ns = clock().Sub(start).Nanoseconds()
	}
	return objs, ns
}

// finish records a request's final result.
func (a *stripeAPI) finish(res *stripeResult) {
	a.behindHist[res.behind]++
	a.responses += uint64(res.objects)
	a.modules += uint64(res.modules)
	a.fields += uint64(res.fields)
	if res.errType >= 0 {
		a.errs[res.errType]++
	}
	if res.code >= 0 {
		a.codes[res.code]++
	}
}

func (a *stripeAPI) outcome(res *stripeResult) harness.Outcome {
	out := harness.Outcome{Shard: res.shard}
	switch {
	case res.errType == errCard:
		out.Denied = true // a declined card is an answer, not a failure
	case res.errType >= 0:
		out.Err = stripeErrs[res.errType]
	}
	return out
}

func (a *stripeAPI) metrics() map[string]float64 {
	m := map[string]float64{
		"requests":           float64(a.requests),
		"attempts":           float64(a.attempts),
		"retries":            float64(a.retried),
		"versions":           float64(len(a.vs.Schemas)),
		"objects_rendered":   float64(a.responses),
		"charges":            float64(len(a.charges)),
		"idempotent_replays": float64(a.replays),
		"duplicate_charges":  float64(a.dupCharges),
		"api_errors_seen":    float64(a.apiErrSeen),
		"keyed_creates":      float64(a.keyedCreates),
		"reused_keys":        float64(a.reusedKeys),
	}
	for i, n := range a.errs {
		m["errors_"+stripeErrTypes[i]] = float64(n)
	}
	for i, n := range a.codes {
		m["code_"+stripeCodes[i]] = float64(n)
	}
	var total, sum uint64
	for b, n := range a.behindHist {
		total += n
		sum += uint64(b) * n
	}
	if total > 0 {
		m["transforms_per_request"] = float64(a.modules) / float64(total)
		m["transform_fields_per_request"] = float64(a.fields) / float64(total)
		m["versions_behind_mean"] = float64(sum) / float64(total)
		want := uint64(math.Ceil(0.99 * float64(total)))
		var acc uint64
		for b, n := range a.behindHist {
			acc += n
			if acc >= want {
				m["versions_behind_p99"] = float64(b)
				break
			}
		}
	}
	if a.responses > 0 {
		m["transforms_per_object"] = float64(a.modules) / float64(a.responses)
	}
	return m
}

// stripeSim serves each request in virtual time: the handler's time, plus
// field_cost per key the modules touched, plus two idempotency-table
// transactions for a keyed request; an api_error is retried after backoff.
type stripeSim struct {
	api              *stripeAPI
	handler          workloads.DurationDist
	fieldCost, dbLat time.Duration
	backoff          time.Duration
	retries          int
	pool             ObjPool
	buf              []Charge
	objs             []*Obj
	slots            []stripeReq
	reqs             []*harness.Request
	results          []stripeResult
	free             slots.Free
	doneFn, retryFn  harness.EventFunc
}

func (s *stripeSim) Start(w *harness.World, req *harness.Request) {
	slot := slots.Take(&s.free, &s.slots)
	if int(slot) == len(s.reqs) { // a new record: its parallel entries
		s.reqs = append(s.reqs, nil)
		s.results = append(s.results, stripeResult{})
	}
	s.reqs[slot] = req
	s.api.begin(&req.Op, w.Rand(), &s.slots[slot])
	s.retry(w, nil, int64(slot))
}

// retry runs an attempt now and completes it after its cost.
func (s *stripeSim) retry(w *harness.World, _ *harness.Request, slot int64) {
	s.pool.Reset()
	res := s.api.attempt(&s.slots[slot], w.Now(), w.Rand(), s.buf)
	s.objs, _ = respond(s.api.vs, &res, &s.pool, s.objs, nil)
	s.buf = res.out[:0]
	res.out = nil
	s.results[slot] = res
	d := s.handler.Next(w.Rand()) + time.Duration(res.fields)*s.fieldCost
	if res.keyed {
		d += 2 * s.dbLat
	}
	w.After(d, s.doneFn, nil, slot)
}

func (s *stripeSim) done(w *harness.World, _ *harness.Request, slot int64) {
	q, res := &s.slots[slot], &s.results[slot]
	if res.errType == errAPI {
		s.api.apiErrSeen++
		if res.retryable && q.tries <= s.retries {
			s.api.retried++
			w.After(s.backoff<<min(q.tries-1, 30), s.retryFn, nil, slot)
			return
		}
	}
	s.api.finish(res)
	req := s.reqs[slot]
	s.reqs[slot] = nil
	s.free.Put(int32(slot))
	w.Complete(req, s.api.outcome(res))
}

func (s *stripeSim) Metrics() map[string]float64 { return s.api.metrics() }

// stripeWall serves requests on the wall clock: the service behind one
// lock, the rendering and the transforms (the work being measured) on each
// worker's own pool. A retry follows an api_error at once.
type stripeWall struct {
	mu      sync.Mutex
	api     *stripeAPI
	retries int
	seed    uint64
	workers []*stripeWorker
}

type stripeWorker struct {
	w       *stripeWall
	rng     *rand.Rand
	pool    ObjPool
	buf     []Charge
	objs    []*Obj
	q       stripeReq
	ns      []int64 // transform time per request that rendered something
	nsByBeh []int64 // summed transform ns by versions behind
	nBeh    []int64
}

func (s *stripeWall) Fork(worker int, r *rand.Rand) harness.Target {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.api.vs.Schemas)
	wk := &stripeWorker{w: s, rng: r, nsByBeh: make([]int64, n), nBeh: make([]int64, n)}
	s.workers = append(s.workers, wk)
	return wk
}

func (s *stripeWall) Do(now time.Duration, op *workloads.Op) harness.Outcome {
	if len(s.workers) == 0 {
		s.Fork(0, rand.New(rand.NewPCG(s.seed, 0x777)))
	}
	return s.workers[0].Do(now, op)
}

func (wk *stripeWorker) Do(now time.Duration, op *workloads.Op) harness.Outcome {
	s := wk.w
	s.mu.Lock()
	s.api.begin(op, wk.rng, &wk.q)
	var res stripeResult
	for {
		res = s.api.attempt(&wk.q, now, wk.rng, wk.buf)
		if res.errType == errAPI {
			s.api.apiErrSeen++
			if res.retryable && wk.q.tries <= s.retries {
				s.api.retried++
				continue
			}
		}
		break
	}
	s.mu.Unlock()
	// Rendering and the walk back need none of the service's state: each
	// worker does them on its own pool, timing the walk.
	wk.pool.Reset()
	var ns int64
	wk.objs, ns = respond(s.api.vs, &res, &wk.pool, wk.objs, time.Now)
	wk.buf = res.out[:0]
	if res.objects > 0 {
		wk.ns = append(wk.ns, ns)
		wk.nsByBeh[res.behind] += ns
		wk.nBeh[res.behind]++
	}
	s.mu.Lock()
	s.api.finish(&res)
	out := s.api.outcome(&res)
	s.mu.Unlock()
	return out
}

func (s *stripeWall) Metrics() map[string]float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.api.metrics()
	var all []int64
	n := len(s.api.vs.Schemas)
	sumBeh, nBeh := make([]int64, n), make([]int64, n)
	for _, wk := range s.workers {
		all = append(all, wk.ns...)
		for b := range sumBeh {
			sumBeh[b] += wk.nsByBeh[b]
			nBeh[b] += wk.nBeh[b]
		}
	}
	if len(all) == 0 {
		return m
	}
	slices.Sort(all)
	var sum int64
	for _, v := range all {
		sum += v
	}
	q := func(p float64) float64 { return float64(all[min(len(all)-1, int(p*float64(len(all))))]) }
	m["transform_ns"] = float64(sum) / float64(len(all))
	m["transform_ns_p50"] = q(0.5)
	m["transform_ns_p99"] = q(0.99)
	if mods := m["transforms_per_request"]; mods > 0 {
		m["transform_ns_per_module"] = m["transform_ns"] / mods
	}
	// The cost against versions behind: the mean transform time of the
	// requests of accounts b behind, at every eighth b and the oldest.
	for b := range sumBeh {
		if nBeh[b] > 0 && (b == 0 || b == n-1 || b%8 == 0) {
			m[fmt.Sprintf("transform_ns_behind_%d", b)] = float64(sumBeh[b]) / float64(nBeh[b])
		}
	}
	return m
}
